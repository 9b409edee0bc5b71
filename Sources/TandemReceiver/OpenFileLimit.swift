#if canImport(Glibc)
import Glibc
#endif
import TandemArchive

/// The open-file limit the listener needs at its busiest: every association may hold its
/// asynchronous operations window of temp files in `incoming/`, besides its socket. The soft
/// limit (often 1,024 under systemd) is raised towards the hard one so that a full listener
/// answers "out of resources" only when the system itself is out of descriptors.
enum OpenFileLimit {
    /// Descriptors the listener may hold at once: per association its socket, its window of
    /// temp files and a directory being synced; plus the index, the listening socket and logs.
    static func needed(for limits: LimitsSettings) -> Int {
        limits.maxAssociations * (limits.asyncOperationsWindow + 2) + 64
    }

    /// Raises the soft limit to at least `needed` if the hard limit allows; returns the soft
    /// limit in force afterwards.
    static func raise(toAtLeast needed: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return needed }
        let wanted = rlim_t(needed)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = min(wanted, limit.rlim_max)
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
