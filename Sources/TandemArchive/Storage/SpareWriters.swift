import DICOMCore
import Foundation
import NIOConcurrencyHelpers

/// Temp files in `incoming/` created ahead of the receptions that will use them.
///
/// Creating a file is not free: the file system allocates an inode and a directory entry, and
/// ext4 without a journal scans past every recently deleted inode for a free one (measured at
/// 0.1 to 0.6 ms per file on a disk where earlier files had just been removed). A reception that
/// takes a spare skips that, and the replacement is created on a `BlockingWork` thread while the
/// reception is received and flushed. A spare is an ordinary writer whose file is still empty,
/// with its entry's `incoming/` sync started at its creation, so nothing in the durability rule
/// changes. Spares are made only once a reception took one (an idle receiver keeps none), are
/// removed by `discardAll()` on a graceful stop, and after a crash are removed by recovery like
/// any other never-published temp file of a dead writer.
final class SpareWriters: Sendable {
    private let root: DataRoot
    /// Most spares kept ready.
    let capacity: Int
    private struct State {
        var spares: [DurableObjectWriter] = []
        var refilling = false
        var discarded = false
    }
    private let state = NIOLockedValueBox(State())

    init(root: DataRoot, capacity: Int) {
        self.root = root
        self.capacity = capacity
    }

    /// A writer for the next object, after the free-space check: a spare when one is ready, else
    /// a new one. Either way the pool is refilled in the background.
    func take(minFreeBytes: Int64) throws -> DurableObjectWriter {
        try DurableObjectWriter.requireFreeSpace(in: root, minFreeBytes: minFreeBytes)
        guard capacity > 0 else { return try DurableObjectWriter(creatingIn: root) }
        let spare = state.withLockedValue { $0.spares.popLast() }
        refill()
        return try spare ?? DurableObjectWriter(creatingIn: root)
    }

    /// The temp paths of the spares ready now.
    var paths: [String] {
        state.withLockedValue { $0.spares.map(\.temporaryPath) }
    }

    /// Removes every spare and makes no more: the receiver is stopping.
    func discardAll() {
        let dropped = state.withLockedValue { state in
            state.discarded = true
            defer { state.spares = [] }
            return state.spares
        }
        for spare in dropped { spare.discard() }
    }

    private func refill() {
        let starts = state.withLockedValue { state in
            guard !state.refilling, !state.discarded, state.spares.count < capacity else { return false }
            state.refilling = true
            return true
        }
        guard starts else { return }
        BlockingWork.start { [self] in
            while let spare = try? DurableObjectWriter(creatingIn: root) {
                let (kept, done) = state.withLockedValue { state in
                    let kept = !state.discarded
                    if kept { state.spares.append(spare) }
                    let done = !kept || state.spares.count >= capacity
                    if done { state.refilling = false }
                    return (kept, done)
                }
                if !kept { spare.discard() }
                if done { return }
            }
            // The file system refused (full, or gone): the next take creates its own and tries again.
            state.withLockedValue { $0.refilling = false }
        }
    }
}
