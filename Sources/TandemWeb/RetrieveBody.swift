import DICOMCore
import Foundation
import NIOCore
import TandemArchive

/// The body of a WADO-RS instance, series or study retrieve: `multipart/related` parts of
/// `application/dicom`, produced on one thread of its own (`ChunkHandoff`) in chunks of about
/// `MultipartWriter.chunkLength`. Each stored file is read straight into the chunk being filled,
/// with the part headers around it, so a study of small files costs a handoff per chunk rather
/// than an open, reads, a close and writes each awaited on another thread; the producer reads the
/// next chunk while the event loop sends the last.
struct RetrieveBody: Sendable {
    struct Part: Sendable {
        var path: String
        var transferSyntaxUID: String
        var fileSize: Int64
        var encoding: InstanceEncoding
    }

    let multipart: MultipartWriter
    let parts: [Part]

    func produce(_ output: (ByteBuffer) throws -> Void) throws {
        let allocator = ByteBufferAllocator()
        let chunkLength = MultipartWriter.chunkLength
        var chunk = allocator.buffer(capacity: chunkLength)
        func handOffWhenFull() throws {
            guard chunk.readableBytes >= chunkLength else { return }
            try output(chunk)
            chunk = allocator.buffer(capacity: chunkLength)
        }
        func append(_ bytes: ByteBuffer) throws {
            chunk.writeImmutableBuffer(bytes)
            try handOffWhenFull()
        }
        for part in parts {
            switch part.encoding {
            case .stored:
                try append(multipart.partHeader(contentType: "application/dicom; transfer-syntax=\(part.transferSyntaxUID)",
                                                length: part.fileSize))
                let fd = open(part.path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                defer { close(fd) }
                while try Self.read(fd, into: &chunk, upTo: chunkLength) > 0 { try handOffWhenFull() }
            case .explicitLittleEndian:
                // No Content-Length: the transcoded length is known only once written.
                try append(multipart.partHeader(
                    contentType: "application/dicom; transfer-syntax=\(TransferSyntax.explicitVRLittleEndian.uid)", length: nil))
                try InstanceEncoding.writeExplicitLittleEndian(path: part.path) { bytes in
                    chunk.writeBytes(bytes)
                    try handOffWhenFull()
                }
            }
            try append(multipart.partEnd)
        }
        chunk.writeImmutableBuffer(multipart.closing)
        try output(chunk)
    }

    /// Reads what fits below `limit` bytes in `chunk`; 0 at the end of the file.
    private static func read(_ fd: Int32, into chunk: inout ByteBuffer, upTo limit: Int) throws -> Int {
        let room = limit - chunk.readableBytes
        return try chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: room) { space in
            while true {
                let count = Glibc.read(fd, space.baseAddress, room)
                if count >= 0 { return count }
                if errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            }
        }
    }
}
