import Foundation
import GRDB
import NIOConcurrencyHelpers

/// The catalogue in `ROOT/index.sqlite`: patients, studies, series, instances, and the cluster
/// epoch that fences every write (docs/design.md, "Cluster model").
///
/// Durability: `synchronous = FULL` in both journal modes. In WAL mode SQLite's NORMAL setting
/// (GRDB's default) skips the fsync of the log at each commit, so a power loss could undo a
/// commit after the receiver acknowledged the image; FULL syncs the log before `COMMIT` returns.
/// Group commit (`GroupCommitter`) amortises that fsync over concurrent associations.
public final class ArchiveIndex: Sendable {
    public let root: DataRoot
    public let duplicatePolicy: DuplicatePolicy
    let database: any DatabaseWriter
    private let processEpoch: NIOLockedValueBox<Int64>
    private let writeRefusal: NIOLockedValueBox<PassiveNodeError?>

    /// Opens (creating and migrating as needed) the index of `root`.
    /// - Parameters:
    ///   - epoch: this process's fencing epoch; nil means `$TANDEM_EPOCH`, else the current one — and
    ///     then only if this node may write without one (`PassiveNodeError` otherwise, on the first write).
    ///   - createIfMissing: false for every tool but dcmrecv and `clusterctl promote` (docs/design.md,
    ///     "Cluster model"): a missing index throws `ArchiveNotFoundError` and nothing is created.
    public convenience init(root: DataRoot, storage: StorageSettings = StorageSettings(), epoch: Int64? = nil,
                            createIfMissing: Bool = true,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(root: root, storage: storage, epoch: epoch, createIfMissing: createIfMissing,
                      environment: environment, busyTimeout: 30)
    }

    /// `init(root:storage:epoch:createIfMissing:environment:)` with how long a statement waits for a
    /// lock another process holds (30 s there).
    public init(root: DataRoot, storage: StorageSettings = StorageSettings(), epoch: Int64? = nil,
                createIfMissing: Bool = true,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                busyTimeout: TimeInterval) throws {
        self.root = root
        self.duplicatePolicy = storage.duplicatePolicy
        guard createIfMissing || FileManager.default.fileExists(atPath: root.indexFile.path) else {
            throw ArchiveNotFoundError(root: root.url.path)
        }
        try root.prepare()
        database = try Self.holdingOpeningLock(of: root) {
            let database = try Self.open(path: root.indexFile.path, journalMode: storage.journalMode,
                                         busyTimeout: busyTimeout)
            try IndexSchema.migrator.migrate(database)
            return database
        }
        if let startEpoch = try epoch ?? Self.environmentEpoch(environment) {
            processEpoch = NIOLockedValueBox(startEpoch)
            writeRefusal = NIOLockedValueBox(nil)
        } else {
            let current = try database.read { db in try ClusterStateTable.read(db) }
            processEpoch = NIOLockedValueBox(current.epoch)
            writeRefusal = NIOLockedValueBox(Self.refusalWithoutEpoch(current, environment: environment))
        }
    }

    /// A process without an epoch writes only where the data root was never promoted (a single
    /// node) or where this node's run directory holds the proof of the current promotion.
    private static func refusalWithoutEpoch(_ current: ClusterState,
                                            environment: [String: String]) -> PassiveNodeError? {
        guard let holder = current.holder else { return nil }
        let runDirectory = HolderProof.runDirectory(environment: environment)
        if let proof = HolderProof.load(runDirectory: runDirectory), proof.proves(current) { return nil }
        return PassiveNodeError(epoch: current.epoch, holder: holder, runDirectory: runDirectory.path)
    }

    /// Throws `PassiveNodeError` when this process may not write at all (started without an epoch on a
    /// node that does not hold it). Workers call it before touching anything, files included.
    public func requireWriteRight() throws {
        if let refusal = writeRefusal.withLockedValue({ $0 }) { throw refusal }
    }

    /// The epoch this process writes under.
    public var epoch: Int64 { processEpoch.withLockedValue { $0 } }

    /// The SQLite journal mode actually in effect (`wal` or `delete`).
    public func journalMode() throws -> String {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Runs `updates` in one IMMEDIATE transaction after checking, inside it, that this process's
    /// epoch is still current; otherwise throws `FencedError` and writes nothing. Every archive
    /// write goes through here, so a process fenced by a promotion elsewhere cannot act.
    /// A full disk (`SQLITE_FULL`) surfaces as `StorageError.outOfResources`, like a full object store.
    public func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try requireWriteRight()
        let epoch = self.epoch
        do {
            return try database.write { db in
                try ClusterStateTable.checkEpoch(epoch, db)
                return try updates(db)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StorageError.outOfResources("index: \(error.message ?? "database or disk is full")")
        }
    }

    /// The async form of `write`, which suspends instead of blocking a cooperative thread.
    public func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try requireWriteRight()
        let epoch = self.epoch
        do {
            return try await database.write { db in
                try ClusterStateTable.checkEpoch(epoch, db)
                return try updates(db)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StorageError.outOfResources("index: \(error.message ?? "database or disk is full")")
        }
    }

    /// Reads in a consistent snapshot (reads are never fenced: a stale process may still look).
    public func read<T>(_ value: (Database) throws -> T) throws -> T {
        try database.read(value)
    }

    // MARK: - Cluster epoch

    /// The current epoch and its holder.
    public func clusterState() throws -> ClusterState {
        try database.read { db in try ClusterStateTable.read(db) }
    }

    /// Throws `FencedError` when this process's epoch is no longer the current one. A read: lets
    /// an idle daemon notice it has been fenced before it next tries to write.
    public func checkEpoch() throws {
        let epoch = self.epoch
        try database.read { db in try ClusterStateTable.checkEpoch(epoch, db) }
    }

    /// Records `node` as the holder under a bumped epoch and a new token, unless `proof` (from this
    /// node's run directory) shows that `node` holds the current epoch already; then nothing changes.
    /// Not fenced — this is what moves the fence — and this process adopts the resulting epoch, so
    /// its own follow-up writes (recovery) are allowed.
    @discardableResult
    public func promote(node: String, proof: HolderProof? = nil) throws -> ClusterState {
        let state = try database.write { db in try ClusterStateTable.promote(node: node, proof: proof, db) }
        processEpoch.withLockedValue { $0 = state.epoch }
        writeRefusal.withLockedValue { $0 = nil }
        return state
    }

    // MARK: - Opening

    private static func open(path: String, journalMode: JournalMode, busyTimeout: TimeInterval) throws -> any DatabaseWriter {
        var configuration = Configuration()
        // dcmrecv, dcmroute, dcmweb and clusterctl share the file: wait for a lock rather than fail.
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in db.add(function: NameFolding.sqlFunction) }
        switch journalMode {
        case .wal:
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets NORMAL when it enables WAL; only the writer connection commits, so set it there.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            return pool
        case .delete:
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            return try DatabaseQueue(path: path, configuration: configuration)
        }
    }

    /// Runs `body` (open and migrate) while holding an exclusive lock on `ROOT/index.sqlite.lock`.
    /// Two tools opening a fresh data root at once (dcmrecv and dcmroute started together) would
    /// otherwise race: switching to WAL answers "busy" at once instead of waiting, and the
    /// migrator reads which migrations are applied before applying the rest, so both would
    /// create the same tables. With the lock the second waits, then finds everything done.
    private static func holdingOpeningLock<T>(of root: DataRoot, _ body: () throws -> T) throws -> T {
        let path = root.indexFile.path + ".lock"
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path,
                                                           NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        defer { close(descriptor) }  // closing releases the lock
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw CocoaError(.fileLocking, userInfo: [NSFilePathErrorKey: path])
            }
        }
        return try body()
    }

    private static func environmentEpoch(_ environment: [String: String]) throws -> Int64? {
        guard let text = environment["TANDEM_EPOCH"], !text.isEmpty else { return nil }
        guard let epoch = Int64(text), epoch > 0 else {
            throw ConfigurationError(file: "environment", line: nil, key: "TANDEM_EPOCH",
                                     reason: "\"\(text)\" is not a positive integer")
        }
        return epoch
    }
}
