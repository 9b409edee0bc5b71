import Testing
@testable import DICOMCore

/// Converting between the uncompressed syntaxes keeps every value (PS3.5 §10); back in the
/// original syntax the bytes are the original bytes.
@Suite struct SyntaxConversionTests {
    static let pairs: [(TransferSyntax, TransferSyntax)] = TransferSyntax.uncompressed.flatMap { from in
        TransferSyntax.uncompressed.filter { $0 != from }.map { (from, $0) }
    }

    @Test(arguments: pairs)
    func convertsAndReturns(from: TransferSyntax, to: TransferSyntax) throws {
        let original = try DCMTKInteropTests.richDataSet()
        let source = try DataSetWriter.encode(original, transferSyntax: from)
        var sourceReader = try DataSetReader(bytes: source, transferSyntax: from)
        let read = try sourceReader.read()
        try expectSameValues(read, original)
        let converted = try DataSetWriter.encode(read, transferSyntax: to)
        var convertedReader = try DataSetReader(bytes: converted, transferSyntax: to)
        let back = try convertedReader.read()
        try expectSameValues(back, original)
        if !from.isDeflated {
            // Implicit VR loses private VRs (they come back UN); everything else returns exactly.
            let again = try DataSetWriter.encode(back, transferSyntax: from)
            if to.isExplicitVR || !from.isExplicitVR {
                #expect(again == source)
            }
        }
    }
}
