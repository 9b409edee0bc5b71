import ArgumentParser
import Foundation
import TandemArchive
import TandemCLI

/// The whole-archive consistency check that start-up recovery no longer does (it settles only
/// what was in flight): every file under `objects/` against every index row.
struct Fsck: TandemCommand {
    static let toolName = "clusterctl fsck"
    static let configuration = CommandConfiguration(
        abstract: "Check every object file against the index: orphan files, rows without files; --repair fixes them.",
        discussion: """
        Orphans (files no row points at) are reported; with --repair they are indexed keep-first \
        with the DICOM parser, or removed when their SOP instance is indexed under another path. \
        Rows whose file is absent are reported; with --repair they are marked missing (a copy \
        received again restores them), and rows whose file is back are unmarked. Files still \
        journaled in incoming/ are in flight, not orphans.

        Safe while the archive serves: rows are read in short pages and each repair is its own \
        small fenced write, so ingest waits at most for one of them. Repairs write under the \
        current epoch: run it on the active node (elsewhere it exits 7, passive). Exit 0 when \
        nothing was found, 1 when something was (repaired or not: the report says), 75 when fenced.

        Examples:
          clusterctl fsck --root /srv/tandem
          clusterctl fsck --root /srv/tandem --repair --json
        """)

    @OptionGroup var root: RootOption
    @OptionGroup var logging: LoggingOptions

    @Flag(help: "Index orphan files, remove orphan copies of indexed instances, mark rows whose file is gone.")
    var repair = false

    @Flag(help: "One JSON object instead of text lines.")
    var json = false

    func run(_ tool: TandemTool) throws {
        let archive = try tool.openArchive(root.dataRoot)
        let report: ConsistencyReport
        do {
            report = try tool.onArchive("check", at: archive.root) { try archive.index.checkConsistency(repair: repair) }
        } catch let refusal as PassiveNodeError {
            throw ToolError(.passiveNode, "\(refusal); --repair runs on the active node")
        }
        print(json ? try Self.json(report) : Self.text(report, repaired: repair))
        if !report.isConsistent { throw TandemExit.partialFailure.exitCode }
    }

    static func text(_ report: ConsistencyReport, repaired: Bool) -> String {
        var lines = report.orphans.map { "orphan \($0)" }
        lines += report.unreadable.map { "unreadable \($0.relativePath): \($0.reason)" }
        lines += report.missing.map { "missing \($0.sopInstanceUID) \($0.relativePath)" }
        lines.append("checked \(report.filesChecked) file(s), \(report.rowsChecked) row(s): "
            + "\(report.orphans.count) orphan(s), \(report.missing.count) missing, \(report.reappeared) reappeared, "
            + "\(report.inFlight) in flight")
        if repaired {
            lines.append("repaired: \(report.reindexed) indexed, \(report.droppedDuplicates) duplicate(s) removed, "
                + "\(report.markedMissing) marked missing, \(report.reappeared) unmarked, "
                + "\(report.unreadable.count) unreadable left in place")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: ConsistencyReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
