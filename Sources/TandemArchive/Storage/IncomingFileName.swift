import Foundation

/// Names of temp files in `incoming/`: `<pid>.<process token>.<random>.part`. The pid and a token
/// drawn once per process let start-up recovery tell a live writer's file (keep) from a dead
/// one's (remove), even when a restarted daemon gets its old pid back, as in a container.
struct IncomingFileName {
    static let currentProcessToken = UUID().uuidString.prefix(8).lowercased()

    let processID: Int32
    let processToken: String

    /// A fresh name for this process.
    static func make() -> String {
        "\(getpid()).\(currentProcessToken).\(UUID().uuidString.lowercased()).part"
    }

    /// nil for a name this scheme did not produce.
    init?(_ name: String) {
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[3] == "part", let processID = Int32(parts[0]), processID > 0 else { return nil }
        self.processID = processID
        self.processToken = String(parts[1])
    }

    /// True when the writing process may be alive: this very process, or another running one.
    /// On shared storage a pid from the other node may match a local process; its file then stays
    /// until a later recovery, which is harmless.
    var mayStillBeWriting: Bool {
        if processID == getpid() { return processToken == Self.currentProcessToken }
        return kill(processID, 0) == 0 || errno == EPERM
    }
}
