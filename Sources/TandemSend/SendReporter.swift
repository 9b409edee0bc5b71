import DICOMCore
import DICOMNetwork
import Foundation
import NIOConcurrencyHelpers

/// Prints per-file results on stdout (text or JSON lines) and, when stderr is a terminal, a
/// progress line on stderr. Called from several associations at once. The totals the progress
/// line shows grow as the inventory finds files (`found`), while the sending goes on.
public final class SendReporter: FileResultSink, Sendable {
    private struct State {
        var summary = SendSummary()
        var lastProgress: ContinuousClock.Instant?
        var progressShown = false
        var totalFiles: Int
        var totalBytes: Int
    }

    public let json: Bool
    private let showsProgress: Bool
    private let started = ContinuousClock.now
    private let state: NIOLockedValueBox<State>
    private let writeLine: @Sendable (String) -> Void

    /// - Parameters:
    ///   - showsProgress: draw the progress line (pass `isatty(2) && !quiet`).
    ///   - writeLine: where result lines go; standard output by default.
    public init(json: Bool, showsProgress: Bool, totalFiles: Int = 0, totalBytes: Int = 0,
                writeLine: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.json = json
        self.showsProgress = showsProgress
        state = NIOLockedValueBox(State(totalFiles: totalFiles, totalBytes: totalBytes))
        self.writeLine = writeLine
    }

    /// Counts a file the inventory found into the totals the progress line shows.
    public func found(_ entry: InventoryEntry) {
        withState { state in
            state.totalFiles += 1
            if case .sendable(let file) = entry { state.totalBytes += file.size }
        }
    }

    public func report(_ result: FileResult) {
        withState { state in
            state.summary.add(result)
            if state.progressShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            writeLine(json ? Self.jsonLine(result) : Self.textLine(result))
            drawProgress(&state)
        }
    }

    /// The counts so far, with the elapsed time.
    public var summary: SendSummary {
        withState { state in
            var summary = state.summary
            summary.seconds = (ContinuousClock.now - started).seconds
            return summary
        }
    }

    /// Clears the progress line and, in JSON mode, prints the summary as the last line.
    public func finish() -> SendSummary {
        let summary = self.summary
        withState { state in
            if state.progressShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            state.progressShown = false
        }
        if json { writeLine(Self.jsonLine(summary)) }
        return summary
    }

    /// Lines are written under the lock too, so that results and the progress line never interleave.
    private func withState<T>(_ body: (inout State) -> T) -> T {
        state.withLockedValue(body)
    }

    /// At most ten redraws a second, and always for the last file.
    private func drawProgress(_ state: inout State) {
        guard showsProgress else { return }
        let now = ContinuousClock.now
        let done = state.summary.sent + state.summary.failed + state.summary.skipped
        if let last = state.lastProgress, now - last < .milliseconds(100), done < state.totalFiles { return }
        state.lastProgress = now
        state.progressShown = true
        let fraction = state.totalFiles > 0 ? Double(done) / Double(state.totalFiles) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let seconds = (now - started).seconds
        let rate = seconds > 0 ? Double(state.summary.bytes) / 1_000_000 / seconds : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "\r[%@] %d/%d files, %.1f/%.1f MB, %.1f MB/s, %d failed",
                          bar, done, state.totalFiles, Double(state.summary.bytes) / 1_000_000,
                          Double(state.totalBytes) / 1_000_000, rate, state.summary.failed)
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func textLine(_ result: FileResult) -> String {
        let syntax = result.transferSyntax?.name ?? "-"
        switch result.outcome {
        case .sent:
            return "SENT  \(result.path)  \(result.sopInstanceUID ?? "-")  \(syntax)  \(result.bytes) B"
        case .sentWithWarning(let status, let comment):
            return "WARN  \(result.path)  \(result.sopInstanceUID ?? "-")  \(syntax)  \(result.bytes) B  "
                + "status \(DIMSEStatus(rawValue: status))H\(comment.map { ": \($0)" } ?? "")"
        case .failed(let reason):
            return "FAIL  \(result.path): \(reason)"
        case .skipped(let reason):
            return "SKIP  \(result.path): \(reason)"
        }
    }

    static func jsonLine(_ result: FileResult) -> String {
        var fields: [String: Any] = ["path": result.path, "bytes": result.bytes]
        fields["sopInstanceUID"] = result.sopInstanceUID
        fields["transferSyntaxUID"] = result.transferSyntax?.uid
        switch result.outcome {
        case .sent:
            fields["status"] = "sent"
        case .sentWithWarning(let status, let comment):
            fields["status"] = "warning"
            fields["dimseStatus"] = "\(DIMSEStatus(rawValue: status))H"
            fields["comment"] = comment
        case .failed(let reason):
            fields["status"] = "failed"
            fields["reason"] = reason
        case .skipped(let reason):
            fields["status"] = "skipped"
            fields["reason"] = reason
        }
        return encode(fields)
    }

    static func jsonLine(_ summary: SendSummary) -> String {
        encode(["status": "summary", "sent": summary.sent, "warnings": summary.warnings, "failed": summary.failed,
                "skipped": summary.skipped, "bytes": summary.bytes,
                "seconds": (summary.seconds * 1000).rounded() / 1000,
                "megabytesPerSecond": (summary.megabytesPerSecond * 10).rounded() / 10])
    }

    private static func encode(_ fields: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
