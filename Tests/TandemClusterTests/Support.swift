import Foundation
import TandemArchive
@testable import TandemCluster

/// The archive's epoch table, in memory: bumps on promote unless the proof shows the node holds it.
final class InMemoryAuthority: EpochAuthority, @unchecked Sendable {
    private let lock = NSLock()
    private var held: HolderProof?

    func current() throws -> EpochState? { lock.withLock { held.map { EpochState(epoch: $0.epoch, holder: $0.node) } } }

    func promote(node: String, proof: HolderProof?) throws -> HolderProof {
        lock.withLock {
            if let proof, proof == held, proof.node == node { return proof }
            let next = HolderProof(node: node, epoch: (held?.epoch ?? 0) + 1, token: UUID().uuidString)
            held = next
            return next
        }
    }

    /// Another node's promotion, as seen from this one.
    func promoteElsewhere(_ node: String) { _ = try? promote(node: node, proof: nil) }
}

/// A scratch directory with a data root, a run directory and a hooks directory.
struct Scratch {
    let base: URL
    var root: URL { base.appendingPathComponent("root") }
    var run: URL { base.appendingPathComponent("run") }
    var hooks: URL { base.appendingPathComponent("hooks") }

    init() throws {
        base = FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-cluster-tests-\(UUID().uuidString)")
        for dir in [root, run, hooks.appendingPathComponent("promote.d"), hooks.appendingPathComponent("demote.d")] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
    }

    /// Writes a shell hook into `promote.d` or `demote.d`: under a temporary name opened with
    /// O_CLOEXEC, closed, then renamed into place. A child another test forks meanwhile (a hook
    /// that starts a daemon) must not inherit the descriptor: the kernel refuses to execute a file
    /// some process still holds open for writing ("Text file busy").
    func hook(_ phase: String, _ name: String, _ body: String, executable: Bool = true) throws {
        let file = hooks.appendingPathComponent(phase).appendingPathComponent(name)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(name).\(UUID().uuidString)")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let bytes = Array("#!/bin/sh\n\(body)\n".utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary.path, file.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    func read(_ name: String) -> String {
        (try? String(contentsOf: base.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    func remove() { try? FileManager.default.removeItem(at: base) }
}
