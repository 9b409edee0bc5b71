import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion for a test, bounded in time, with posix_spawn rather than
/// Foundation's Process, whose children inherit two things that made a test wait forever:
/// - the spawning thread's signal mask. Swift's executor and Dispatch threads block SIGTERM,
///   SIGINT and SIGHUP, so such a child (and every process it starts) ignored `kill PID`:
///   `timeout` could not stop a hung browser harness, a script's `kill; wait` waited on.
/// - a descriptor Process watches for the child's exit: a process the child leaves behind keeps
///   it "running" for its own life.
/// Here the child gets an empty mask and default signal actions, its own process group (killed
/// whole at the time limit), stdin from a file or /dev/null, and stdout and stderr in files, so
/// nothing it leaves behind can hold a pipe this process reads.
final class ChildProcess {
    /// Exit status reported when the time limit stopped the program, as `timeout` reports it.
    static let timedOutStatus: Int32 = 124

    let processIdentifier: pid_t
    private let description: String
    private let stdout: AnonymousFile, stderr: AnonymousFile

    /// Starts `executable`; `wait` then collects it.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil) throws {
        let stdin = try input.map(AnonymousFile.holding) ?? AnonymousFile(nullDevice: ())
        stdout = try AnonymousFile()
        stderr = try AnonymousFile()
        description = ([executable] + arguments.prefix(3)).joined(separator: " ")
        processIdentifier = try Self.spawn(executable, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                                           stdin: stdin.descriptor, stdout: stdout.descriptor, stderr: stderr.descriptor)
    }

    /// Runs `executable` to completion, at most `timeLimit` seconds.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    input: Data? = nil, timeLimit: TimeInterval = 900) throws -> ToolRun {
        try ChildProcess(executable, arguments, environment: environment, input: input)
            .wait(until: Date().addingTimeInterval(timeLimit))
    }

    /// Its status and outputs once it exited; at `deadline` it is killed with its process group,
    /// and the status is 124 with a line on stderr saying so.
    func wait(until deadline: Date) -> ToolRun {
        var status = Self.waitForExit(processIdentifier, until: deadline)
        var note = ""
        if status == nil {
            kill(-processIdentifier, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(processIdentifier, &raw, 0)
            status = Self.timedOutStatus
            note = "\n[test harness: \(description) … was still running at its deadline and was killed with its process group]\n"
        }
        return ToolRun(status: status ?? Self.timedOutStatus, stdout: stdout.contents(), stderr: stderr.contents() + note)
    }

    /// The exit status (128 + signal when a signal ended it), or nil at the deadline.
    private static func waitForExit(_ pid: pid_t, until deadline: Date) -> Int32? {
        var pause: useconds_t = 1_000
        while true {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                let signal = raw & 0x7f
                return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            }
            if Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    private static func spawn(_ path: String, _ arguments: [String], environment: [String: String],
                              stdin: Int32, stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Every other descriptor of this process stays out of the child (glibc ignores the close
        // of one another thread closed meanwhile).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t(), noSignals = sigset_t()
        sigfillset(&allSignals)
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw ExternalTool.Failure("cannot start \(path): \(String(cString: strerror(result)))")
        }
        return pid
    }
}

/// A file with no name (unlinked at once) for a child's stdin, stdout or stderr.
private final class AnonymousFile {
    let descriptor: Int32

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-child-\(UUID().uuidString)").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ExternalTool.Failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        unlink(path)
    }

    init(nullDevice: Void) throws {
        descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ExternalTool.Failure("cannot open /dev/null") }
    }

    static func holding(_ data: Data) throws -> AnonymousFile {
        let file = try AnonymousFile()
        let written = data.withUnsafeBytes { write(file.descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, lseek(file.descriptor, 0, SEEK_SET) == 0 else {
            throw ExternalTool.Failure("cannot write a child's input")
        }
        return file
    }

    /// Everything written to the file, as text.
    func contents() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
            offset += off_t(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit { close(descriptor) }
}

extension Process {
    /// `run()` with no signal blocked while the child is spawned, so it starts with an empty mask
    /// (see `ChildProcess`): a server, a sender or a tracer a test stops with a signal must see it.
    func runWithSignalsUnblocked() throws {
        var none = sigset_t(), previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try run()
    }
}
