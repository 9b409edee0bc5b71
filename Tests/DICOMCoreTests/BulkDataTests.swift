import Foundation
import Testing
@testable import DICOMCore

/// Reading headers without loading large values: `stopBeforeTag`, `bulkDataThreshold`, and the
/// chunked byte reader over files and streams.
@Suite struct BulkDataTests {
    /// A source that delivers bytes at most `chunk` at a time, to exercise every buffer boundary.
    struct TricklingSource: ByteSource {
        let bytes: [UInt8]
        let chunk: Int
        var position = 0
        var delivered = 0

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let count = min(chunk, buffer.count, bytes.count - position)
            for index in 0..<count { buffer[index] = bytes[position + index] }
            position += count
            delivered += count
            return count
        }

        mutating func skip(_ count: Int) throws -> Int { 0 }
        var remainingByteCount: Int? { nil }
    }

    /// A logical file of `pixelLength` bytes of pixel data that is never materialised: the header
    /// bytes come from memory, the pixel value is zeros; skipping is free, reading is counted.
    struct HugeSyntheticSource: ByteSource {
        let header: [UInt8]
        let total: Int
        var position = 0
        var delivered = 0

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let count = min(buffer.count, total - position)
            for index in 0..<count {
                let at = position + index
                buffer[index] = at < header.count ? header[at] : 0
            }
            position += count
            delivered += count
            return count
        }

        mutating func skip(_ count: Int) throws -> Int {
            let skipped = min(count, total - position)
            position += skipped
            return skipped
        }

        var remainingByteCount: Int? { total - position }
    }

    @Test(arguments: [1, 2, 3, 7, 13])
    func oneChunkAtATimeGivesTheSameDataSet(chunk: Int) throws {
        let file = try DICOMFile(dataSet: DCMTKInteropTests.richDataSet(), transferSyntax: .explicitVRLittleEndian)
        let bytes = try file.encoded()
        let whole = try DICOMFile(bytes: bytes)
        let trickled = try DICOMFile(reader: ByteReader(source: TricklingSource(bytes: bytes, chunk: chunk), chunkSize: 16))
        #expect(trickled.dataSet == whole.dataSet)
        #expect(trickled.fileMetaInformation == whole.fileMetaInformation)
    }

    @Test func deflatedFileReadInTinyChunks() throws {
        let file = try DICOMFile(dataSet: DCMTKInteropTests.richDataSet(), transferSyntax: .deflatedExplicitVRLittleEndian)
        let bytes = try file.encoded()
        let trickled = try DICOMFile(reader: ByteReader(source: TricklingSource(bytes: bytes, chunk: 5), chunkSize: 16))
        #expect(trickled.dataSet == (try DCMTKInteropTests.richDataSet()))
    }

    /// PS3.5 §A.5: a deflated stream of odd length is padded with one 00H, and the padded data
    /// set reads back unchanged. Descriptions of growing length give streams of both parities.
    @Test func deflatedDataSetsHaveEvenLengthAndReadBack() throws {
        var parities = Set<Int>()
        for length in 1...24 {
            var dataSet = try DCMTKInteropTests.richDataSet()
            try dataSet.set(.studyDescription, vr: .LO, string: String(repeating: "Q", count: length * 3))
            let raw = try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian)
            parities.insert(try deflateRaw(raw).count % 2)
            let encoded = try DataSetWriter.encode(dataSet, transferSyntax: .deflatedExplicitVRLittleEndian)
            #expect(encoded.count % 2 == 0)
            let file = try DICOMFile(dataSet: dataSet, transferSyntax: .deflatedExplicitVRLittleEndian)
            let bytes = try file.encoded()
            #expect(try DICOMFile(reader: ByteReader(source: TricklingSource(bytes: bytes, chunk: 4096), chunkSize: 4096))
                .dataSet == dataSet)
        }
        #expect(parities == [0, 1])  // both cases were exercised
    }

    /// Part 10 header of an Explicit VR Little Endian image whose pixel data has `pixelLength` bytes.
    static func hugeImageHeader(pixelLength: UInt32) throws -> [UInt8] {
        var dataSet = try Part10Tests.sampleDataSet()
        dataSet.remove(.pixelData)
        var header = try DICOMFile(dataSet: dataSet, transferSyntax: .explicitVRLittleEndian).encoded()
        header += [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x57, 0x00, 0x00]  // (7FE0,0010) OW
        withUnsafeBytes(of: pixelLength.littleEndian) { header += $0 }
        return header
    }

    @Test func gigabytePixelDataIsSkippedNotRead() throws {
        let pixelLength: UInt32 = 0xF000_0000   // 3.75 GiB
        let header = try Self.hugeImageHeader(pixelLength: pixelLength)
        let source = HugeSyntheticSource(header: header, total: header.count + Int(pixelLength))
        let options = ReadOptions(bulkDataThreshold: 64 * 1024)
        let file = try DICOMFile(reader: ByteReader(source: source), options: options)
        #expect(file.dataSet[.pixelData]?.value == .bulkData(BulkDataReference(offset: header.count, length: Int(pixelLength))))
        #expect(file.dataSet.string(Tag(0x0010, 0x0010)) == "Doe^Jane")
    }

    @Test func readingStopsBeforePixelData() throws {
        let header = try Self.hugeImageHeader(pixelLength: 0xF000_0000)
        let file = try DICOMFile(bytes: header, options: .headerOnly)
        #expect(file.dataSet[.pixelData] == nil)
        #expect(file.stoppedBefore?.tag == .pixelData)
        #expect(file.stoppedBefore?.offset == header.count - 12)
        #expect(file.dataSet.uint16(Tag(0x0028, 0x0010)) == 2)
    }

    @Test func sparseGigabyteFileHeaderReadsInLittleMemory() throws {
        let pixelLength: UInt32 = 1 << 30
        let header = try Self.hugeImageHeader(pixelLength: pixelLength)
        try withCodecTemporaryDirectory { directory in
            let path = directory + "/huge.dcm"
            try writeTestFile(header, to: path)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: UInt64(header.count) + UInt64(pixelLength))   // sparse: no disk blocks
            try handle.close()
            let before = peakResidentBytes()
            let file = try DICOMFile(path: path, options: ReadOptions(bulkDataThreshold: 1 << 20))
            #expect(file.dataSet[.pixelData]?.value == .bulkData(BulkDataReference(offset: header.count, length: Int(pixelLength))))
            // A process that had loaded the value would have grown its peak by a gigabyte.
            #expect(peakResidentBytes() - before < 64 << 20)
        }
    }

    @Test func partTenFileReadFromAPipe() throws {
        let bytes = try DICOMFile(dataSet: Part10Tests.sampleDataSet(), transferSyntax: .explicitVRLittleEndian).encoded()
        try withCodecTemporaryDirectory { directory in
            let source = directory + "/source.dcm"
            let fifo = directory + "/pipe"
            try writeTestFile(bytes, to: source)
            #expect(mkfifo(fifo, 0o600) == 0)
            let writer = Process()
            writer.executableURL = URL(fileURLWithPath: "/bin/sh")
            writer.arguments = ["-c", "cat \"$0\" > \"$1\"", source, fifo]
            try writer.run()
            defer { writer.waitUntilExit() }
            // A pipe has no size: the reader must read through rather than trust st_size (0).
            let file = try DICOMFile(path: fifo)
            #expect(file.dataSet == (try Part10Tests.sampleDataSet()))
        }
    }

    @Test func encapsulatedFragmentsAboveThresholdAreReferenced() throws {
        var dataSet = DataSet()
        dataSet.insert(DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(EncapsulatedPixelData(
            basicOffsetTable: [0, 0, 0, 0], fragments: [.bytes([1, 2]), .bytes([UInt8](repeating: 9, count: 100))])),
            hasUndefinedLength: true))
        let bytes = try DataSetWriter.encode(dataSet, transferSyntax: .jpegBaseline)
        var reader = try DataSetReader(bytes: bytes, transferSyntax: .jpegBaseline, options: ReadOptions(bulkDataThreshold: 10))
        guard case .encapsulated(let pixels) = try reader.read()[.pixelData]?.value else {
            Issue.record("no encapsulated pixel data")
            return
        }
        // Header 12, offset table item 8 + 4, first fragment item 8 + 2, second fragment item header 8.
        #expect(pixels.fragments == [.bytes([1, 2]), .bulkData(BulkDataReference(offset: 42, length: 100))])
        #expect(throws: DICOMError(.bulkDataNotLoaded(.pixelData))) {
            try DataSetWriter.encode(DataSet([DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(pixels),
                                                          hasUndefinedLength: true)]), transferSyntax: .jpegBaseline)
        }
    }
}

/// Peak resident set size of this process, in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
    #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss   // bytes on Darwin
    #endif
}
