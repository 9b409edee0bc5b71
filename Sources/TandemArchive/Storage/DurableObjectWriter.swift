import DICOMCore
import Foundation

/// Receives one object into `ROOT/incoming/` and publishes it under `objects/` (docs/design.md,
/// "Durability"). The receiver appends P-DATA fragments as they arrive, `publish(to:)`es the
/// object, then `flush()`es it while its index row commits (the row noted as unflushed, see
/// `UnflushedObjectSchema`), acknowledges it once both are done, and then `settle()`s it.
/// `commit(to:)` does publish and flush in one call.
///
/// The temp name in `incoming/` outlives the publication: from the link until `settle()` it is
/// the object's journal entry, a second hard link that says "linked under `objects/`, maybe not
/// yet indexed". Start-up recovery reads `incoming/` only — never the whole archive — and settles
/// each entry whose writer is gone: a file with one link was never published (removed); one with
/// two is found under `objects/` and indexed if it has no row. The entry is made durable (an fsync
/// of `incoming/`, shared by concurrent writers and started as soon as the file exists) before the
/// link can be: POSIX promises nothing about the order in which two directories reach the disk.
/// So a crash at any point leaves at most a file in `incoming/`, never a published object that
/// nothing will index, and recovery costs what was in flight, not the archive's size. A full disk
/// or quota raises `StorageError.outOfResources` and removes the temp file.
///
/// Calls are serialised by a lock, so the writer may move between threads (an event loop and a
/// blocking-I/O pool); it is meant for one object stream at a time.
public final class DurableObjectWriter: @unchecked Sendable {
    public let root: DataRoot
    /// The temporary file being written.
    public let temporaryPath: String
    public var temporaryURL: URL { URL(fileURLWithPath: temporaryPath) }

    private let lock = NSLock()
    /// The open temp file; nil once committed or discarded.
    private var descriptor: Int32?
    private var written: Int64 = 0
    /// Set once linked under `objects/`: from then on only `settle()` removes the temp name.
    private var linked = false
    /// The directory the object was linked into, fsynced by `flush()`.
    private var publishedDirectory: String?
    /// Syncs `incoming/`; `incomingTicket` is the sync that makes this file's entry durable.
    private let incomingSync: DirectorySyncBatch
    private let incomingTicket: UInt64

    /// Refuses to start (out of resources) when the data root has less than `minFreeBytes` available.
    public convenience init(root: DataRoot, minFreeBytes: Int64 = StorageSettings.defaultMinFreeBytes) throws {
        try Self.requireFreeSpace(in: root, minFreeBytes: minFreeBytes)
        try self.init(creatingIn: root)
    }

    /// Out of resources when the data root has less than `minFreeBytes` available.
    static func requireFreeSpace(in root: DataRoot, minFreeBytes: Int64) throws {
        let incoming = root.incomingPath
        let available = try DurableFileSystem.availableBytes(at: incoming)
        guard available >= minFreeBytes else {
            throw StorageError.outOfResources(
                "\(available) bytes free in \(incoming), below min_free_bytes \(minFreeBytes)")
        }
    }

    /// Creates the temp file without looking at free space: a spare (`SpareWriters`), whose
    /// taker checks it.
    init(creatingIn root: DataRoot) throws {
        self.root = root
        let incoming = root.incomingPath
        // O_EXCL with a random name: two receivers (or processes) can never share a temp file.
        let path = incoming + "/" + IncomingFileName.make()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw StorageError.fromErrno("open", path) }
        self.temporaryPath = path
        self.descriptor = descriptor
        let incomingSync = DirectorySyncBatch.shared(for: incoming)
        let ticket = incomingSync.ticket()
        self.incomingSync = incomingSync
        self.incomingTicket = ticket
        // Started now, it overlaps the reception; `publish` waits for it (and reports its failure).
        BlockingWork.start { try? incomingSync.waitUntilDurable(ticket) }
    }

    /// The name of the journal entry in `incoming/`.
    public var journalEntry: String { String(temporaryPath[temporaryPath.index(after: temporaryPath.lastIndex(of: "/")!)...]) }

    deinit {
        // Abandoned without commit or discard (an aborted association): leave nothing behind.
        if let descriptor {
            close(descriptor)
            unlink(temporaryPath)
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
                    try DurableFileSystem.writeAll(descriptor, buffer, path: temporaryPath)
                    written += Int64(buffer.count)
                }
            } catch {
                abandon()
                throw error
            }
        }
    }

    /// Makes the object durable and visible at `location`: `publish(to:)`, then `flush()`.
    public func commit(to location: ObjectLocation) throws -> StoredObject {
        var timings = IngestTimings()
        return try commit(to: location, timings: &timings)
    }

    /// `commit(to:)`, timing its phases into `timings`.
    public func commit(to location: ObjectLocation, timings: inout IngestTimings) throws -> StoredObject {
        let object = try publish(to: location, timings: &timings)
        try flush(timings: &timings)
        return object
    }

    /// Makes the object visible at `location`, not yet durable: waits until the journal entry is
    /// durable, makes the directory chain durable, and links the file under its final name without
    /// replacing any existing file. An instance already on disk under the plain name gets a
    /// suffixed one, so a first copy is never overwritten before the index has decided what to keep.
    ///
    /// Once linked, a failure leaves both names: the object was not acknowledged, and recovery
    /// settles it like any other entry (indexing it is allowed, removing it could race with
    /// another node's recovery that already indexed it).
    public func publish(to location: ObjectLocation, timings: inout IngestTimings) throws -> StoredObject {
        try lock.withLock {
            guard descriptor != nil, !linked else { throw StorageError.finished }
            let started = ContinuousClock.now
            do {
                try incomingSync.waitUntilDurable(incomingTicket)
                let directory = try DurableDirectories.shared.makeDurable(location.directoryComponents,
                                                                          under: root.path)
                let relativePath = try linkWithoutReplacing(temporaryPath, location: location)
                linked = true
                publishedDirectory = directory
                timings[.linkAndDirectoryFlush] = ContinuousClock.now - started
                return StoredObject(relativePath: relativePath, root: root, size: written)
            } catch {
                abandon()
                throw error
            }
        }
    }

    /// Makes the published object durable: fsync of the file, then of the directory it is linked
    /// in. A failure leaves the object and its journal entry for the caller's or recovery's undo.
    public func flush(timings: inout IngestTimings) throws {
        try lock.withLock {
            guard let descriptor, let publishedDirectory else { throw StorageError.finished }
            let started = ContinuousClock.now
            defer {
                close(descriptor)
                self.descriptor = nil
                timings[.fileFlush] = ContinuousClock.now - started
            }
            try DurableFileSystem.sync(descriptor, temporaryPath)
            try DurableFileSystem.syncDirectory(publishedDirectory)
        }
    }

    /// Removes the journal entry of a committed object, once the index holds its outcome (or the
    /// unindexed object was removed under the fence). Before that, a crash leaves the entry for
    /// recovery; a fenced process never settles, leaving the entry to the new active node.
    public func settle() {
        lock.withLock { _ = unlink(temporaryPath) }
    }

    /// Drops the object (a failed or refused transfer); does nothing once it is committed.
    public func discard() {
        lock.withLock { abandon() }
    }

    private func linkWithoutReplacing(_ temporaryPath: String, location: ObjectLocation) throws -> String {
        var suffix: String?
        while true {
            let relativePath = location.relativePath(suffix: suffix)
            if link(temporaryPath, root.path + "/" + relativePath) == 0 { return relativePath }
            guard errno == EEXIST else { throw StorageError.fromErrno("link", relativePath) }
            suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        }
    }

    /// Closes and removes the temp file, unless it is a committed object's journal entry; the
    /// writer is finished afterwards.
    private func abandon() {
        if let descriptor {
            close(descriptor)
        }
        descriptor = nil
        if !linked { unlink(temporaryPath) }
    }
}

/// An object committed under `objects/`.
public struct StoredObject: Sendable, Equatable {
    /// Relative to the data root, as `InstanceRecord.filePath` stores it.
    public let relativePath: String
    public let size: Int64
    private let root: DataRoot
    public var url: URL { root.url(relativePath: relativePath) }

    init(relativePath: String, root: DataRoot, size: Int64) {
        self.relativePath = relativePath
        self.size = size
        self.root = root
    }
}
