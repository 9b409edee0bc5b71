#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// Where a reader gets its bytes: a file, an in-memory buffer, an inflating stream. Sources are
/// read in chunks by `ByteReader`, which does the buffering.
public protocol ByteSource {
    /// Copies up to `buffer.count` bytes into `buffer`; returns how many, 0 at the end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Skips up to `count` bytes without delivering them; returns how many were skipped.
    mutating func skip(_ count: Int) throws -> Int
    /// Bytes left before the end, when the source knows (a file does; a stream may not).
    var remainingByteCount: Int? { get }
}

/// Bytes already in memory.
public struct InMemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + count]))
        }
        position += count
        return count
    }

    public mutating func skip(_ count: Int) throws -> Int {
        let skipped = min(count, bytes.count - position)
        position += skipped
        return skipped
    }

    public var remainingByteCount: Int? { bytes.count - position }
}

/// A file, read with plain `read(2)` calls. A regular file is skipped with `lseek(2)`, so a reader
/// can pass over gigabytes of pixel data without touching them; a pipe or device is read through.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    /// Nil when the file is not a regular file, whose size says nothing about what will arrive.
    private let size: Int?
    private var position = 0

    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DICOMError(.io("cannot open \(path): \(String(cString: strerror(errno)))")) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            close(fd)
            throw DICOMError(.io("cannot stat \(path): \(String(cString: strerror(errno)))"))
        }
        descriptor = fd
        size = status.st_mode & S_IFMT == S_IFREG ? Int(status.st_size) : nil
    }

    deinit {
        close(descriptor)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0, let base = buffer.baseAddress else { return 0 }
        while true {
            let count = systemRead(descriptor, base, buffer.count)
            if count >= 0 {
                position += count
                return count
            }
            if errno != EINTR { throw DICOMError(.io(String(cString: strerror(errno))), offset: position) }
        }
    }

    public func skip(_ count: Int) throws -> Int {
        guard let size else { return 0 }
        let skipped = min(count, size - position)
        guard skipped > 0 else { return 0 }
        guard lseek(descriptor, off_t(position + skipped), SEEK_SET) >= 0 else {
            throw DICOMError(.io(String(cString: strerror(errno))), offset: position)
        }
        position += skipped
        return skipped
    }

    public var remainingByteCount: Int? { size.map { max(0, $0 - position) } }

    /// The size of the file at `path` (a symbolic link followed), nil when it cannot be examined.
    /// One `stat(2)`: Foundation's file attributes also look up the owner's and the group's
    /// names, ten times the cost, paid per instance by senders and retrieve.
    public static func size(ofFileAt path: String) -> Int64? {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : nil
    }
}
