import Testing
@testable import DICOMCore

/// `ArrivingDataSet` must give exactly what a `DataSetReader` over the whole input gives, however
/// the input is cut into pieces, while keeping out of memory the values that reader skips.
@Suite struct ArrivingDataSetTests {
    static let indexing = ReadOptions.indexing(retaining: [.sopInstanceUID, .patientName, .studyInstanceUID,
                                                           Tag(0x0040, 0x0275)])

    /// A data set with what a receiver meets: text, a retained and a skipped sequence (defined and
    /// undefined lengths, nested), a private UN sequence of undefined length (CP-246), a large
    /// value of a retained tag (bulk data for the reader) and native or encapsulated Pixel Data.
    static func sample(encapsulated: Bool, pixelBytes: Int = 40_000) throws -> DataSet {
        var dataSet = DataSet()
        try dataSet.set(.specificCharacterSet, vr: .CS, string: "ISO_IR 100")
        try dataSet.set(.sopClassUID, vr: .UI, string: "1.2.840.10008.5.1.4.1.1.2")
        try dataSet.set(.sopInstanceUID, vr: .UI, string: "2.25.1234")
        try dataSet.set(.studyInstanceUID, vr: .UI, string: "2.25.99")
        try dataSet.set(.patientName, vr: .PN, string: "Müller^Jörg")
        try dataSet.set(Tag(0x0008, 0x1030), vr: .LO, string: String(repeating: "D", count: 300))
        var code = DataSet()
        try code.set(Tag(0x0008, 0x0100), vr: .SH, string: "T-1")
        var inner = DataSet()
        try inner.set(Tag(0x0008, 0x0104), vr: .LO, string: "inner")
        inner.set(Tag(0x0040, 0xA730), items: [code], undefinedLength: false)
        var request = DataSet()
        try request.set(Tag(0x0040, 0x1001), vr: .SH, string: "RP1")
        request.set(Tag(0x0040, 0x0008), items: [inner, code], undefinedLength: true)
        dataSet.set(Tag(0x0040, 0x0275), items: [request], undefinedLength: true)
        dataSet.set(Tag(0x0008, 0x1140), items: [code, inner], undefinedLength: false)
        try dataSet.set(Tag(0x0018, 0x1030), vr: .LO, string: "protocol")
        let creator = try dataSet.privateTag(creator: "ACME", group: 0x0029, element: 0x10)
        dataSet[creator] = DataElement(tag: creator, vr: .UN, value: .sequence([SequenceItem(request, hasUndefinedLength: true)]),
                                       hasUndefinedLength: true)
        try dataSet.set(Tag(0x0028, 0x0010), vr: .US, uint16: 100)
        let pixels = (0..<pixelBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        if encapsulated {
            let half = pixelBytes / 2 & ~1
            let fragments = EncapsulatedPixelData(basicOffsetTable: [0, 0, 0, 0],
                                                  fragments: [.bytes(Array(pixels[..<half])), .bytes(Array(pixels[half...]))])
            dataSet[.pixelData] = DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(fragments), hasUndefinedLength: true)
        } else {
            try dataSet.set(.pixelData, vr: .OW, bytes: pixels)
        }
        try dataSet.set(Tag(0xFFFC, 0xFFFC), vr: .OB, bytes: [UInt8](repeating: 0, count: 1_000))
        return dataSet
    }

    /// Feeds `bytes` in pieces whose sizes come from `generator`.
    static func arrive(_ bytes: [UInt8], syntax: TransferSyntax, options: ReadOptions = indexing, startOffset: Int = 0,
                       keptByteLimit: Int = 1 << 20, using generator: inout some RandomNumberGenerator) -> ArrivingDataSet {
        var arriving = ArrivingDataSet(transferSyntax: syntax, startOffset: startOffset, options: options,
                                       keptByteLimit: keptByteLimit)
        var index = 0
        while index < bytes.count {
            let size = Bool.random(using: &generator) ? Int.random(in: 1...16, using: &generator)
                                                       : Int.random(in: 1...20_000, using: &generator)
            let end = min(bytes.count, index + size)
            bytes[index..<end].withUnsafeBytes { arriving.append($0) }
            index = end
        }
        return arriving
    }

    /// What a read of the whole input gives: the data set, or the error.
    static func wholeRead(_ bytes: [UInt8], syntax: TransferSyntax, options: ReadOptions = indexing,
                          startOffset: Int = 0) -> Result<DataSet, DICOMError> {
        Result {
            var reader = try DataSetReader(reader: ByteReader(source: InMemoryByteSource(bytes), startOffset: startOffset),
                                           transferSyntax: syntax, options: options)
            return try reader.read()
        }.mapError { $0 as! DICOMError }
    }

    static func arrivedRead(_ arriving: ArrivingDataSet) -> Result<DataSet, DICOMError>? {
        do {
            guard let dataSet = try arriving.read() else { return nil }
            return .success(dataSet)
        } catch {
            return .failure(error as! DICOMError)
        }
    }

    @Test(arguments: [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian, .explicitVRBigEndian, .jpegBaseline])
    func givesWhatTheWholeInputGivesInAnyPieces(syntax: TransferSyntax) throws {
        let bytes = try DataSetWriter.encode(Self.sample(encapsulated: syntax.isEncapsulated), transferSyntax: syntax)
        var generator = CodecTestRandom(seed: 7)
        let expected = Self.wholeRead(bytes, syntax: syntax, startOffset: 132)
        let dataSet = try expected.get()
        #expect(dataSet.string(.patientName) == "Müller^Jörg")
        #expect(dataSet[Tag(0x0040, 0x0275)]?.items?.count == 1)
        for _ in 0..<50 {
            let arriving = Self.arrive(bytes, syntax: syntax, startOffset: 132, using: &generator)
            #expect(arriving.isComplete)
            #expect(arriving.length == bytes.count)
            // Pixel Data and the trailing padding stay on disk only.
            #expect(arriving.keptByteCount < 5_000)
            #expect(Self.arrivedRead(arriving) == expected)
        }
    }

    @Test func keepsEverythingWhenAskedToRetainEverything() throws {
        let syntax = TransferSyntax.explicitVRLittleEndian
        let bytes = try DataSetWriter.encode(Self.sample(encapsulated: false, pixelBytes: 2_000), transferSyntax: syntax)
        var generator = CodecTestRandom(seed: 3)
        let arriving = Self.arrive(bytes, syntax: syntax, options: .complete, using: &generator)
        #expect(arriving.keptByteCount == bytes.count)
        #expect(Self.arrivedRead(arriving) == Self.wholeRead(bytes, syntax: syntax, options: .complete))
    }

    @Test func structuralErrorsAreTheWholeInputsWithItsOffsets() throws {
        // (0008,1140) SQ of defined length 20 whose one item claims 24 bytes.
        let bytes: [UInt8] = [
            0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, // (0008,1140) SQ, length 20
            0xFE, 0xFF, 0x00, 0xE0, 0x18, 0x00, 0x00, 0x00,                         //   item, length 24
            0x08, 0x00, 0x50, 0x11, 0x55, 0x49, 0x04, 0x00, 0x31, 0x2E, 0x32, 0x00, //     (0008,1150) UI "1.2"
        ]
        var generator = CodecTestRandom(seed: 1)
        let arriving = Self.arrive(bytes, syntax: .explicitVRLittleEndian, startOffset: 200, using: &generator)
        let expected = Self.wholeRead(bytes, syntax: .explicitVRLittleEndian, startOffset: 200)
        guard case .failure(let error) = expected else {
            Issue.record("the overrunning item was accepted")
            return
        }
        #expect(error.offset == 212)
        #expect(Self.arrivedRead(arriving) == expected)
    }

    @Test func answersNilWhereTheWholeInputMustBeRead() throws {
        var generator = CodecTestRandom(seed: 5)
        let syntax = TransferSyntax.explicitVRLittleEndian
        let bytes = try DataSetWriter.encode(Self.sample(encapsulated: false), transferSyntax: syntax)
        // Cut short inside Pixel Data: not complete.
        let truncated = Self.arrive(Array(bytes.dropLast(1_500)), syntax: syntax, using: &generator)
        #expect(!truncated.isComplete)
        #expect(Self.arrivedRead(truncated) == nil)
        // More to keep than allowed.
        let overLimit = Self.arrive(bytes, syntax: syntax, options: .complete, keptByteLimit: 10_000, using: &generator)
        #expect(Self.arrivedRead(overLimit) == nil)
        #expect(overLimit.keptByteCount == 0)
        // A deflated data set is read through its inflater.
        let deflated = Self.arrive(bytes, syntax: .deflatedExplicitVRLittleEndian, using: &generator)
        #expect(Self.arrivedRead(deflated) == nil)
        // An item delimiter at the top level: the walk stops, the whole read reports it.
        let stray: [UInt8] = [0xFE, 0xFF, 0x0D, 0xE0, 0x00, 0x00, 0x00, 0x00]
        #expect(Self.arrivedRead(Self.arrive(stray, syntax: syntax, using: &generator)) == nil)
    }

    @Test func deepNestingStopsTheWalkWithinTheReadersBound() {
        // 100 nested undefined-length sequences, each in an undefined-length item, never closed.
        var bytes: [UInt8] = []
        for _ in 0..<100 {
            bytes += [0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]
            bytes += [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        }
        var generator = CodecTestRandom(seed: 9)
        let arriving = Self.arrive(bytes, syntax: .explicitVRLittleEndian, using: &generator)
        #expect(!arriving.isComplete)
        #expect(arriving.keptByteCount == 0)
    }

    /// Damaged inputs, cut anywhere: whenever the kept bytes answer, the answer is the whole input's.
    @Test func damagedInputsNeverAnswerOtherwiseThanTheWholeInput() throws {
        var generator = CodecTestRandom(seed: 11)
        var answered = 0
        for syntax in [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian, .explicitVRBigEndian, .jpegBaseline] {
            let original = try DataSetWriter.encode(Self.sample(encapsulated: syntax.isEncapsulated, pixelBytes: 600),
                                                    transferSyntax: syntax)
            for _ in 0..<400 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                if Bool.random(using: &generator) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &generator)) }
                let arriving = Self.arrive(bytes, syntax: syntax, startOffset: 10, using: &generator)
                guard let arrived = Self.arrivedRead(arriving) else { continue }
                answered += 1
                #expect(arrived == Self.wholeRead(bytes, syntax: syntax, startOffset: 10))
            }
        }
        #expect(answered > 400)
    }
}
