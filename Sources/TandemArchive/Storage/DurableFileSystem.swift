import Foundation

/// The few system calls durable storage needs, with `EINTR` retried and `errno` mapped to `StorageError`.
enum DurableFileSystem {
    /// fsync of a directory makes its entries (a new file name, a new subdirectory) survive a crash.
    static func syncDirectory(_ path: String) throws(StorageError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StorageError.fromErrno("open", path) }
        defer { close(descriptor) }
        try sync(descriptor, path)
    }

    /// fsync of a file by name, then of the directory holding it: makes durable a file that
    /// another writer linked and may still be flushing.
    static func syncLinkedFile(_ path: String) throws(StorageError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StorageError.fromErrno("open", path) }
        defer { close(descriptor) }
        try sync(descriptor, path)
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func sync(_ descriptor: Int32, _ path: String) throws(StorageError) {
        while fsync(descriptor) != 0 {
            guard errno == EINTR else { throw StorageError.fromErrno("fsync", path) }
        }
    }

    /// Writes all of `bytes`, looping over short writes.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError.fromErrno("write", path)
            }
            offset += written
        }
    }

    /// Free bytes available to this (unprivileged) process on the file system holding `path`.
    static func availableBytes(at path: String) throws(StorageError) -> Int64 {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { throw StorageError.fromErrno("statvfs", path) }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }
}
