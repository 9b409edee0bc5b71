import Foundation
import TandemCluster
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion for a test, bounded in time, through `ProcessSpawn` rather than
/// Foundation's Process, whose children inherited what made tests wait forever: a signal mask
/// blocking SIGTERM (`timeout` could not stop a hung browser harness, a script's `kill; wait`
/// waited on) and a descriptor whose holders keep the child "running". The child's process group
/// is killed whole at the time limit; stdin comes from a file or /dev/null, stdout and stderr go
/// to files, so nothing it leaves behind can hold a pipe this process reads.
final class ChildProcess {
    /// Exit status reported when the time limit stopped the program, as `timeout` reports it.
    static let timedOutStatus: Int32 = 124

    let processIdentifier: pid_t
    private let description: String
    private let stdout: AnonymousFile, stderr: AnonymousFile

    /// Starts `executable`; `wait` then collects it.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil) throws {
        let stdin = try input.map(AnonymousFile.holding)
        stdout = try AnonymousFile()
        stderr = try AnonymousFile()
        description = ([executable] + arguments.prefix(3)).joined(separator: " ")
        processIdentifier = try ProcessSpawn.spawn(executable, arguments: arguments,
                                                   environment: environment ?? ProcessInfo.processInfo.environment,
                                                   stdin: stdin?.descriptor, stdout: stdout.descriptor, stderr: stderr.descriptor)
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
            if let status = ProcessSpawn.exitStatus(pid) { return status }
            if Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
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
