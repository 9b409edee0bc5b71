import Testing
@testable import DICOMCore

/// Malformed input ends in a `DICOMError` naming the byte offset, never a crash or a large
/// allocation.
@Suite struct HostileInputTests {
    private func readError(_ bytes: [UInt8], _ syntax: TransferSyntax = .explicitVRLittleEndian,
                           options: ReadOptions = .complete) -> DICOMError? {
        do {
            var reader = try DataSetReader(bytes: bytes, transferSyntax: syntax, options: options)
            _ = try reader.read()
            return nil
        } catch let error as DICOMError {
            return error
        } catch {
            Issue.record("not a DICOMError: \(error)")
            return nil
        }
    }

    @Test func truncatedHeader() {
        // (0010,0010) PN, the length field cut after one byte.
        let error = readError([0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x06])
        #expect(error?.reason == .truncated)
        #expect(error?.offset == 6)
    }

    @Test func lengthLargerThanTheInput() {
        // (7FE0,0010) OB claims FFFFFFF0H bytes; 2 follow.
        let error = readError([0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0x00, 0x00, 0xF0, 0xFF, 0xFF, 0xFF, 0x00, 0x00])
        #expect(error?.reason == .lengthBeyondInput(claimed: 0xFFFF_FFF0))
        #expect(error?.offset == 0)
    }

    @Test func lengthLargerThanTheInputInImplicitSyntax() {
        // (0010,0020) implicit, length 7FFFFFFFH, no value.
        let error = readError([0x10, 0x00, 0x20, 0x00, 0xFF, 0xFF, 0xFF, 0x7F], .implicitVRLittleEndian)
        #expect(error?.reason == .lengthBeyondInput(claimed: 0x7FFF_FFFF))
    }

    @Test func undefinedLengthWhereNotAllowed() {
        // (0010,0020) LO in implicit VR with length FFFFFFFFH.
        let error = readError([0x10, 0x00, 0x20, 0x00, 0xFF, 0xFF, 0xFF, 0xFF], .implicitVRLittleEndian)
        #expect(error?.reason == .undefinedLengthNotAllowed(Tag(0x0010, 0x0020)))
        #expect(error?.offset == 0)
    }

    @Test func vrBytesThatAreNotLetters() {
        // (0010,0010) followed by 01H 02H where a VR belongs.
        let error = readError([0x10, 0x00, 0x10, 0x00, 0x01, 0x02, 0x00, 0x00])
        #expect(error?.reason == .invalidVR(0x01, 0x02))
        #expect(error?.offset == 4)
    }

    @Test func itemDelimiterAtTopLevel() {
        let error = readError([0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x00, 0x00,   // (0010,0020) LO empty
                               0xFE, 0xFF, 0x0D, 0xE0, 0x00, 0x00, 0x00, 0x00])  // stray item delimiter
        #expect(error?.reason == .unexpectedTag(.itemDelimitationItem))
        #expect(error?.offset == 8)
    }

    @Test func unterminatedUndefinedLengthItem() {
        let error = readError([0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, // SQ undefined
                               0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,                         // item undefined
                               0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x00, 0x00])                        // (0010,0020) LO empty; end
        #expect(error?.reason == .truncated)
        #expect(error?.offset == 28)
    }

    @Test func itemLongerThanItsSequence() {
        let error = readError([0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, // SQ length 8
                               0xFE, 0xFF, 0x00, 0xE0, 0x10, 0x00, 0x00, 0x00,                         // item length 16
                               0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x00, 0x00,
                               0x10, 0x00, 0x21, 0x00, 0x4C, 0x4F, 0x00, 0x00])
        #expect(error?.reason == .itemOverrunsSequence(Tag(0x0008, 0x1140)))
        #expect(error?.offset == 12)
    }

    @Test func elementLongerThanItsItem() {
        let error = readError([0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, // SQ length 20
                               0xFE, 0xFF, 0x00, 0xE0, 0x0A, 0x00, 0x00, 0x00,                         // item length 10
                               0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x04, 0x00, 0x41, 0x42, 0x43, 0x44]) // LO len 4: 12 bytes
        #expect(error?.reason == .itemOverrunsSequence(Tag(0x0010, 0x0020)))
        #expect(error?.offset == 20)
    }

    @Test(arguments: [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian])
    func sequencesNestedTenThousandDeep(syntax: TransferSyntax) {
        // Each level: (0008,1140) SQ undefined length, then an item of undefined length.
        let level: [UInt8] = syntax.isExplicitVR
            ? [0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
               0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
            : [0x08, 0x00, 0x40, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        let bytes = Array([[UInt8]](repeating: level, count: 10_000).joined())
        let error = readError(bytes, syntax)
        #expect(error?.reason == .nestingTooDeep(limit: 64))
        #expect(error?.offset == 65 * level.count - (level.count - (syntax.isExplicitVR ? 12 : 8)))
    }

    @Test func elementsOutOfOrderAreSortedAndTheLastDuplicateKept() throws {
        let bytes: [UInt8] = [
            0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x02, 0x00, 0x41, 0x20, // (0010,0020) LO "A "
            0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00, 0x43, 0x54, // (0008,0060) CS "CT"
            0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x02, 0x00, 0x42, 0x20, // (0010,0020) LO "B " again
        ]
        var reader = try DataSetReader(bytes: bytes, transferSyntax: .explicitVRLittleEndian)
        let dataSet = try reader.read()
        #expect(dataSet.map(\.tag) == [Tag(0x0008, 0x0060), Tag(0x0010, 0x0020)])
        #expect(dataSet.string(Tag(0x0010, 0x0020)) == "B")
    }

    @Test func elementsInDescendingOrderCostAboutAsMuchAsInOrder() throws {
        // 40,000 empty UN elements; inserting them one by one in descending order would be quadratic.
        func encode(_ tags: [DICOMCore.Tag]) -> [UInt8] {
            var bytes: [UInt8] = []
            for tag in tags {
                bytes += [UInt8(tag.group & 0xFF), UInt8(tag.group >> 8), UInt8(tag.element & 0xFF),
                          UInt8(tag.element >> 8), 0x55, 0x4E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            }
            return bytes
        }
        let ascending = (0..<40_000).map { Tag(0x0011, UInt16(0x1000 + $0)) }
        let clock = ContinuousClock()
        func readTime(_ bytes: [UInt8]) throws -> Duration {
            var reader = try DataSetReader(bytes: bytes, transferSyntax: .explicitVRLittleEndian)
            var count = 0
            let elapsed = try clock.measure { count = try reader.read().count }
            #expect(count == 40_000)
            return elapsed
        }
        let inOrder = try readTime(encode(ascending))
        let reversed = try readTime(encode(ascending.reversed()))
        #expect(reversed < inOrder * 5 + .milliseconds(500))
    }

    @Test func randomBytesNeverCrash() {
        var generator = CodecTestRandom(seed: 0xD1C0)
        for _ in 0..<2_000 {
            let count = Int(generator.next() % 300)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            for syntax in TransferSyntax.uncompressed {
                if let error = readError(bytes, syntax) { #expect(error.offset != nil) }
            }
            do {
                _ = try DICOMFile(bytes: bytes)
            } catch let error as DICOMError {
                #expect(error.offset != nil)
            } catch {
                Issue.record("not a DICOMError: \(error)")
            }
        }
    }

    @Test func deflateBombStopsAtTheLimit() throws {
        // 64 MB of zero bytes deflate to about 64 KB; the limit below is 1 MB.
        let value = [UInt8](repeating: 0, count: 64 << 20)
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0009, 0x1010), vr: .OB, bytes: value)
        let deflated = try DataSetWriter.encode(dataSet, transferSyntax: .deflatedExplicitVRLittleEndian)
        #expect(deflated.count < 200_000)
        let error = readError(deflated, .deflatedExplicitVRLittleEndian,
                              options: ReadOptions(maximumInflatedSize: 1 << 20))
        #expect(error?.reason == .inflatedSizeLimitExceeded(limit: 1 << 20))
    }

    @Test func corruptDeflateStream() {
        let error = readError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], .deflatedExplicitVRLittleEndian)
        guard case .inflateFailed = error?.reason else {
            Issue.record("expected inflateFailed, got \(String(describing: error))")
            return
        }
    }
}

/// A small deterministic generator so failures reproduce.
struct CodecTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
