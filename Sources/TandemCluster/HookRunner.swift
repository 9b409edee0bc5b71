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
        let pid = try Self.spawn(hook.path, environment: merged, output: outputFD)

        let deadline = Date().addingTimeInterval(timeout)
        var status = Self.poll(pid)
        while status == nil && Date() < deadline {
            try? await Task.sleep(for: Self.pollInterval)
            status = Self.poll(pid)
        }
        if status == nil {
            // The hook runs in its own process group: stop it and its helpers, not the
            // daemons it started (those are in their own sessions).
            kill(-pid, SIGTERM)
            let grace = Date().addingTimeInterval(5)
            while Self.poll(pid) == nil && Date() < grace { try? await Task.sleep(for: Self.pollInterval) }
            kill(-pid, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
            status = Self.timedOutStatus
        }
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        return Result(name: hook.lastPathComponent, status: status ?? Self.timedOutStatus,
                      output: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// posix_spawn rather than Foundation's Process: Process lets the child inherit a
    /// descriptor it watches for the child's exit, so a daemon started by a hook would
    /// keep the hook "running" for the daemon's whole life. Here every descriptor but
    /// stdin (/dev/null), stdout and stderr (the output file) is closed in the child.
    static func spawn(_ path: String, environment: [String: String], output: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        addCloseActions(&actions, keeping: output)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        var noSignals = sigset_t()
        sigfillset(&allSignals)
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes,
                                 Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: path,
                                                         NSLocalizedDescriptionKey: String(cString: strerror(result))])
        }
        return pid
    }

    /// The exit status if the child has exited (128 + signal if a signal ended it), else nil.
    static func poll(_ pid: pid_t) -> Int32? {
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// Closes, in the child only, every descriptor this process has open but stdio and `kept`.
    /// Marking them close-on-exec in this process instead would change descriptors other
    /// threads own: Foundation's Process keeps one open across its own spawn for the child to
    /// inherit, and a child that lost it is taken for exited while it runs. glibc ignores the
    /// close of a descriptor another thread closed meanwhile (spawni: only out-of-range fails).
    static func addCloseActions(_ actions: inout posix_spawn_file_actions_t, keeping kept: Int32) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for fd in names.compactMap({ Int32($0) }) where fd > 2 && fd != kept {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
}
