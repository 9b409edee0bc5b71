import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frames an outgoing DIMSE message as P-DATA-TF PDUs of one PDV each (PS3.8 §9.3.5, Annex E),
/// written straight into the buffer that goes to the socket. A file's bytes are read into their
/// places between the PDU headers by one `preadv(2)` per batch: nothing is copied between the
/// file and the socket write.
struct PDataFramer {
    /// Largest PDV data per PDU (the peer's maximum PDU length less the PDV item header).
    let fragmentCapacity: Int
    let presentationContextID: UInt8
    /// Fragments one read may fill: Linux's IOV_MAX.
    static let maximumFragmentsPerRead = 1024

    /// Bytes a batch of `dataLength` data bytes takes once framed.
    func framedLength(of dataLength: Int) -> Int {
        dataLength + fragmentCount(dataLength) * PDataTF.singleValueHeaderLength
    }

    /// Appends PDUs carrying `bytes`; the last ends the command or data set when `endsMessage`.
    /// An empty `bytes` that ends the message still goes out as one empty last fragment.
    func append(_ bytes: ArraySlice<UInt8>, isCommand: Bool, endsMessage: Bool, to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: framedLength(of: bytes.count))
        var start = bytes.startIndex
        repeat {
            let end = min(start + fragmentCapacity, bytes.endIndex)
            buffer.writeBytes(PDataTF.header(dataLength: end - start, presentationContextID: presentationContextID,
                                             isCommand: isCommand, isLastFragment: endsMessage && end == bytes.endIndex))
            buffer.writeBytes(bytes[start..<end])
            start = end
        } while start < bytes.endIndex
    }

    /// Appends PDUs carrying `count` data set bytes of `file` from `offset`: the PDU headers are
    /// written first, then the file is read into the gaps between them.
    func append(_ file: OutgoingFile, offset: Int, count: Int, endsMessage: Bool, to buffer: inout ByteBuffer) throws {
        let fragments = fragmentCount(count)
        let total = framedLength(of: count)
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { raw in
            try withUnsafeTemporaryAllocation(of: iovec.self, capacity: fragments) { gaps in
                var position = 0, remaining = count
                for index in 0..<fragments {
                    let length = min(fragmentCapacity, remaining)
                    remaining -= length
                    let header = PDataTF.header(dataLength: length, presentationContextID: presentationContextID,
                                                isCommand: false, isLastFragment: endsMessage && remaining == 0)
                    UnsafeMutableRawBufferPointer(rebasing: raw[position..<position + header.count]).copyBytes(from: header)
                    position += header.count
                    gaps[index] = iovec(iov_base: raw.baseAddress! + position, iov_len: length)
                    position += length
                }
                try file.read(into: gaps, count: count, at: offset)
            }
            return total
        }
    }

    private func fragmentCount(_ dataLength: Int) -> Int {
        max(1, (dataLength + fragmentCapacity - 1) / fragmentCapacity)
    }
}

/// A file a data set is sent from, opened once per message and read by position.
final class OutgoingFile {
    private let descriptor: CInt
    let path: String

    init(path: String) throws {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        self.path = path
        guard descriptor >= 0 else { throw OutgoingFileError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    /// Fills `gaps` with `count` bytes from `offset`, however the reads come back short.
    func read(into gaps: UnsafeMutableBufferPointer<iovec>, count: Int, at offset: Int) throws {
        var done = 0, first = 0
        while done < count {
            let got = preadv(descriptor, gaps.baseAddress! + first, CInt(gaps.count - first), off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw OutgoingFileError(path: path, reason: String(cString: strerror(errno)))
            }
            guard got > 0 else { throw OutgoingFileError(path: path, reason: "shorter than announced") }
            done += got
            var consumed = got
            while consumed > 0 {
                let length = gaps[first].iov_len
                if length <= consumed {
                    consumed -= length
                    first += 1
                } else {
                    gaps[first].iov_base += consumed
                    gaps[first].iov_len -= consumed
                    consumed = 0
                }
            }
        }
    }
}

/// An outgoing data set's file could not be read.
public struct OutgoingFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
