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

    /// Writes an executable shell hook into `promote.d` or `demote.d`.
    func hook(_ phase: String, _ name: String, _ body: String, executable: Bool = true) throws {
        let file = hooks.appendingPathComponent(phase).appendingPathComponent(name)
        try "#!/bin/sh\n\(body)\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: file.path)
    }

    func read(_ name: String) -> String {
        (try? String(contentsOf: base.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    func remove() { try? FileManager.default.removeItem(at: base) }
}
