import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn of a program in a process group of its own, with default signal actions and no
/// signal blocked, and no descriptor of this process but the three it is given. Not Foundation's
/// Process, whose child inherits two things: the spawning thread's signal mask (Swift's executor
/// and Dispatch threads block SIGTERM, SIGINT and SIGHUP, so such a child ignores `kill PID`),
/// and a descriptor Process watches for the child's exit (a daemon the child starts would keep it
/// "running" for the daemon's whole life).
public enum ProcessSpawn {
    /// Starts `path` with `arguments`; `stdin` nil reads /dev/null. The descriptors given may be
    /// close-on-exec: the child's copies are not.
    public static func spawn(_ path: String, arguments: [String] = [], environment: [String: String],
                             stdin: Int32? = nil, stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        addCloseActions(&actions)

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

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
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
    public static func exitStatus(_ pid: pid_t) -> Int32? {
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// Closes, in the child only, every descriptor this process has open above stderr (the child's
    /// stdio are dup2'd copies, made first). Marking them close-on-exec in this process instead
    /// would change descriptors other threads own: Foundation's Process keeps one open across its
    /// own spawn for the child to inherit, and a child that lost it is taken for exited while it
    /// runs. glibc ignores the close of a descriptor another thread closed meanwhile (spawni: only
    /// out-of-range fails).
    static func addCloseActions(_ actions: inout posix_spawn_file_actions_t) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for fd in names.compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
}
