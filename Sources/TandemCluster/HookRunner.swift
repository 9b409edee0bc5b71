import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the executables of a hooks phase directory (`promote.d/`, `demote.d/`) in
/// name order. The first one that exits non-zero (or times out) stops the phase.
public struct HookRunner: Sendable {
    /// Status reported for a hook that was killed after its timeout.
    public static let timedOutStatus: Int32 = -1
    static let pollInterval = Duration.milliseconds(20)

    public struct Result: Sendable, Equatable {
        public let name: String
        public let status: Int32
        /// Combined stdout and stderr, trimmed.
        public let output: String
    }

    public let directory: URL
    public let timeout: TimeInterval

    public init(directory: URL, timeout: TimeInterval = 120) {
        self.directory = directory
        self.timeout = timeout
    }

    /// Regular executable files, sorted by name; dot files and others are skipped.
    public func hooks() -> [URL] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.sorted()
            .filter { !$0.hasPrefix(".") }
            .map { directory.appendingPathComponent($0) }
            .filter { url in
                var isDirectory: ObjCBool = false
                return manager.fileExists(atPath: url.path, isDirectory: &isDirectory)
                    && !isDirectory.boolValue && manager.isExecutableFile(atPath: url.path)
            }
    }

    /// Runs every hook with `environment` added to ours; throws `ClusterError.hookFailed`
    /// for the first failure. Returns the results of the hooks that ran.
    public func run(environment: [String: String]) async throws -> [Result] {
        var results: [Result] = []
        for hook in hooks() {
            let result = try await runOne(hook, environment: environment)
            results.append(result)
            if result.status != 0 {
                throw ClusterError.hookFailed(name: result.name, status: result.status, output: result.output)
            }
        }
        return results
    }

    /// Waits for the hook by polling its status between short sleeps of the task, never of a thread.
    private func runOne(_ hook: URL, environment: [String: String]) async throws -> Result {
        // Output goes to a file, not a pipe: a daemon a hook starts may keep a pipe open forever.
        let outputFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-hook-\(getpid())-\(UUID().uuidString)")
        let outputFD = open(outputFile.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard outputFD >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: outputFile.path])
        }
        defer {
            close(outputFD)
            unlink(outputFile.path)
        }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pid = try ProcessSpawn.spawn(hook.path, environment: merged, stdout: outputFD, stderr: outputFD)

        let deadline = Date().addingTimeInterval(timeout)
        var status = ProcessSpawn.exitStatus(pid)
        while status == nil && Date() < deadline {
            try? await Task.sleep(for: Self.pollInterval)
            status = ProcessSpawn.exitStatus(pid)
        }
        if status == nil {
            // The hook runs in its own process group: stop it and its helpers, not the
            // daemons it started (those are in their own sessions).
            kill(-pid, SIGTERM)
            let grace = Date().addingTimeInterval(5)
            while ProcessSpawn.exitStatus(pid) == nil && Date() < grace { try? await Task.sleep(for: Self.pollInterval) }
            kill(-pid, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
            status = Self.timedOutStatus
        }
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        return Result(name: hook.lastPathComponent, status: status ?? Self.timedOutStatus,
                      output: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
