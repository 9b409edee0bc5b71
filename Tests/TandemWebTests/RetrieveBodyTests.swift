import Foundation
import NIOCore
import Testing
@testable import TandemWeb

@Suite("WADO-RS retrieve body")
struct RetrieveBodyTests {
    @Test("stored files of any size come out as parts equal to the files, in chunks of bounded size")
    func storedFilesInChunks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-retrieve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let chunkLength = MultipartWriter.chunkLength
        // Smaller than a chunk, one byte over, several chunks, exactly one: every boundary case.
        let sizes = [1_000, chunkLength + 1, 3 * chunkLength + 7, chunkLength]
        var files: [[UInt8]] = []
        var parts: [RetrieveBody.Part] = []
        for (position, size) in sizes.enumerated() {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ position) }
            let path = directory.appendingPathComponent("\(position).dcm").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            files.append(bytes)
            parts.append(.init(path: path, transferSyntaxUID: "1.2.840.10008.1.2.1", fileSize: Int64(size), encoding: .stored))
        }
        let body = RetrieveBody(multipart: MultipartWriter(boundary: "retrieve-test"), parts: parts)
        var chunks: [ByteBuffer] = []
        try body.produce { chunks.append($0) }

        // Every chunk but the last is full, and none is much more than full (a part header at most).
        for chunk in chunks.dropLast() {
            #expect(chunk.readableBytes >= chunkLength && chunk.readableBytes <= chunkLength + 512)
        }
        var parser = try MultipartParser(boundary: "retrieve-test")
        var received: [[UInt8]] = []
        var headers: [[String: String]] = []
        for chunk in chunks {
            for event in try parser.feed(chunk.readableBytesView) {
                switch event {
                case .partBegin(let head): headers.append(head); received.append([])
                case .partData(let bytes): received[received.count - 1] += bytes
                case .partEnd, .end: break
                }
            }
        }
        try parser.finish()
        #expect(received == files)
        #expect(headers.map { $0["content-length"] } == sizes.map { "\($0)" })
        #expect(headers.allSatisfy { $0["content-type"] == "application/dicom; transfer-syntax=1.2.840.10008.1.2.1" })
    }

    @Test("a file that cannot be opened ends the body with an error")
    func missingFile() {
        let body = RetrieveBody(multipart: MultipartWriter(boundary: "b"), parts: [
            .init(path: "/nonexistent/instance.dcm", transferSyntaxUID: "1.2.840.10008.1.2", fileSize: 10, encoding: .stored),
        ])
        #expect(throws: POSIXError.self) { try body.produce { _ in } }
    }
}
