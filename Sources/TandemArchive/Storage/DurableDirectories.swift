import Foundation
import NIOConcurrencyHelpers

/// Makes the directory chain that leads to an object durable, and remembers which directories
/// this process has already made durable so that it syncs each one once.
///
/// A directory is relied on whether this process created it or found it: when `mkdir` answers
/// `EEXIST`, another association (or process) may have created it a moment ago without having
/// fsynced its entry yet, and an object linked inside would be lost with it in a crash. So a
/// directory met for the first time has its parent fsynced (which makes its entry durable)
/// before anything inside it is acknowledged, whoever created it.
final class DurableDirectories: Sendable {
    /// The one ledger of this process: what one association made durable, all the others may rely on.
    static let shared = DurableDirectories()

    private let known = NIOLockedValueBox(Set<String>())
    private let capacity: Int
    private let syncDirectory: @Sendable (String) throws(StorageError) -> Void

    /// - Parameters:
    ///   - capacity: bounds the memory of a long-running receiver; when full the ledger starts
    ///     over, which costs a few repeated fsyncs, never durability.
    ///   - syncDirectory: fsyncs a directory (replaced in tests to observe the calls).
    init(capacity: Int = 65_536,
         syncDirectory: @escaping @Sendable (String) throws(StorageError) -> Void = DurableFileSystem.syncDirectory) {
        self.capacity = capacity
        self.syncDirectory = syncDirectory
    }

    /// Creates each missing directory of `components` below `base` and makes every one of them
    /// durable — created now or earlier, by this process or another. Returns the innermost path.
    func makeDurable(_ components: [String], under base: String) throws(StorageError) -> String {
        var parent = base
        for component in components {
            let path = parent + "/" + component
            if !isKnown(path) {
                if mkdir(path, 0o750) == 0 {
                    // Its own (future) entries are synced by whoever adds them; here its entry in the parent.
                    try syncDirectory(path)
                } else if errno != EEXIST {
                    throw StorageError.fromErrno("mkdir", path)
                }
                try syncDirectory(parent)
                remember(path)
            }
            parent = path
        }
        return parent
    }

    private func isKnown(_ path: String) -> Bool {
        known.withLockedValue { $0.contains(path) }
    }

    private func remember(_ path: String) {
        known.withLockedValue { known in
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known.insert(path)
        }
    }
}
