import Foundation
import Hummingbird
import NIOCore
import _NIOFileSystem

/// Writes a `multipart/related` body (RFC 2387, PS3.18 §8.6.1.2) part by part, streaming file
/// contents from disk in fixed-size chunks: memory stays flat whatever the study's size.
struct MultipartWriter {
    let boundary: String
    static let chunkLength = 256 * 1024

    init(boundary: String = "tandem-" + Secrets.random().prefix(24)) {
        self.boundary = boundary
    }

    /// The response's Content-Type for parts of `type`.
    func contentType(partType: String) -> String {
        "multipart/related; type=\"\(partType)\"; boundary=\(boundary)"
    }

    func partHeader(contentType: String, length: Int64?, location: String? = nil) -> ByteBuffer {
        var head = "--\(boundary)\r\nContent-Type: \(contentType)\r\n"
        if let length { head += "Content-Length: \(length)\r\n" }
        if let location { head += "Content-Location: \(location)\r\n" }
        return ByteBuffer(string: head + "\r\n")
    }

    var partEnd: ByteBuffer { ByteBuffer(string: "\r\n") }
    var closing: ByteBuffer { ByteBuffer(string: "--\(boundary)--\r\n") }

    /// Streams `length` bytes of the file at `path` from `offset` (to its end when nil).
    static func streamFile(_ path: String, offset: Int64 = 0, length: Int64? = nil,
                           to writer: inout any ResponseBodyWriter) async throws {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            let end = length.map { offset + $0 }
            let chunks = end.map { handle.readChunks(in: offset..<$0, chunkLength: .bytes(Int64(chunkLength))) }
                ?? handle.readChunks(in: offset..., chunkLength: .bytes(Int64(chunkLength)))
            for try await chunk in chunks {
                try await writer.write(chunk)
            }
        }
    }
}
