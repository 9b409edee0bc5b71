import Foundation

/// Receives one object into `ROOT/incoming/` and publishes it under `objects/` only once it is
/// complete and durable (docs/design.md, "Durability"). The receiver appends P-DATA fragments as they
/// arrive, then calls `commit(to:)` before it indexes the object and acknowledges it.
///
/// A crash before `commit` returns leaves at most a file in `incoming/` (removed at start-up) or a
/// complete object without an index row (re-indexed at start-up) — never a partial object under
/// `objects/`. A full disk or quota raises `StorageError.outOfResources` and removes the temp file.
///
/// Calls are serialised by a lock, so the writer may move between threads (an event loop and a
/// blocking-I/O pool); it is meant for one object stream at a time.
public final class DurableObjectWriter: @unchecked Sendable {
    public let root: DataRoot
    /// The temporary file being written.
    public let temporaryURL: URL

    private let lock = NSLock()
    /// The open temp file; nil once committed or discarded.
    private var descriptor: Int32?
    private var written: Int64 = 0

    /// Refuses to start (out of resources) when the data root has less than `minFreeBytes` available.
    public init(root: DataRoot, minFreeBytes: Int64 = StorageSettings.defaultMinFreeBytes) throws {
        self.root = root
        let incoming = root.incomingDirectory.path
        let available = try DurableFileSystem.availableBytes(at: incoming)
        guard available >= minFreeBytes else {
            throw StorageError.outOfResources(
                "\(available) bytes free in \(incoming), below min_free_bytes \(minFreeBytes)")
        }
        // O_EXCL with a random name: two receivers (or processes) can never share a temp file.
        let url = root.incomingDirectory.appendingPathComponent(IncomingFileName.make())
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw StorageError.fromErrno("open", url.path) }
        self.temporaryURL = url
        self.descriptor = descriptor
    }

    deinit {
        // Abandoned without commit or discard (an aborted association): leave nothing behind.
        if let descriptor {
            close(descriptor)
            unlink(temporaryURL.path)
        }
    }

    /// Bytes appended so far.
    public var bytesWritten: Int64 {
        lock.withLock { written }
    }

    /// Appends a chunk (`Data`, `[UInt8]`, an `UnsafeRawBufferPointer` over a network buffer).
    public func append(_ bytes: some ContiguousBytes) throws {
        try lock.withLock {
            guard let descriptor else { throw StorageError.finished }
            do {
                try bytes.withUnsafeBytes { buffer in
                    try DurableFileSystem.writeAll(descriptor, buffer, path: temporaryURL.path)
                    written += Int64(buffer.count)
                }
            } catch {
                abandon()
                throw error
            }
        }
    }

    /// Makes the object durable and visible at `location`: fsync the file, create (and fsync) missing
    /// directories, link it under its final name without replacing any existing file, fsync that
    /// directory, then drop the temp name. An instance already on disk under the plain name gets a
    /// suffixed one, so a first copy is never overwritten before the index has decided what to keep.
    public func commit(to location: ObjectLocation) throws -> StoredObject {
        try lock.withLock {
            guard let descriptor else { throw StorageError.finished }
            let temporaryPath = temporaryURL.path
            do {
                try DurableFileSystem.sync(descriptor, temporaryPath)
                close(descriptor)
                self.descriptor = nil
                let directory = try DurableDirectories.shared.makeDurable(location.directoryComponents,
                                                                          under: root.url.path)
                let relativePath = try linkWithoutReplacing(temporaryPath, location: location)
                let finalPath = root.url.path + "/" + relativePath
                do {
                    try DurableFileSystem.syncDirectory(directory)
                } catch {
                    unlink(finalPath)
                    throw error
                }
                unlink(temporaryPath)
                return StoredObject(relativePath: relativePath, url: URL(fileURLWithPath: finalPath), size: written)
            } catch {
                abandon()
                throw error
            }
        }
    }

    /// Drops the object (a failed or refused transfer).
    public func discard() {
        lock.withLock { abandon() }
    }

    private func linkWithoutReplacing(_ temporaryPath: String, location: ObjectLocation) throws -> String {
        var suffix: String?
        while true {
            let relativePath = location.relativePath(suffix: suffix)
            if link(temporaryPath, root.url.path + "/" + relativePath) == 0 { return relativePath }
            guard errno == EEXIST else { throw StorageError.fromErrno("link", relativePath) }
            suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        }
    }

    /// Closes and removes the temp file; the writer is finished afterwards.
    private func abandon() {
        if let descriptor {
            close(descriptor)
        }
        descriptor = nil
        unlink(temporaryURL.path)
    }
}

/// An object committed under `objects/`.
public struct StoredObject: Sendable, Equatable {
    /// Relative to the data root, as `InstanceRecord.filePath` stores it.
    public let relativePath: String
    public let url: URL
    public let size: Int64
}
