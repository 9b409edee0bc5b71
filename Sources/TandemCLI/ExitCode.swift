import Foundation
import ArgumentParser

/// Exit codes shared by every Tandem tool (docs/design.md, "CLI conventions"; sysexits.h numbering).
public enum TandemExit: Int32, Sendable {
    case success = 0
    case partialFailure = 1
    /// This node is passive (it does not hold the cluster epoch, or has no archive mounted): nothing
    /// was done, and nothing was wrong. OCF's "not running" code, as `clusterctl monitor` answers there;
    /// a cron line run on both nodes of a pair treats it as success.
    case passiveNode = 7
    case usage = 64
    case badInput = 65
    case missingInput = 66
    case peerRefused = 69
    case ioError = 74
    case temporaryFailure = 75
    case protocolError = 76
    case configuration = 78

    public var exitCode: ExitCode { ExitCode(rawValue) }
}

/// A failure that carries its own exit code and what to say on stderr.
public struct ToolError: Error, CustomStringConvertible {
    public let exit: TandemExit
    /// Said on stderr after the tool's name, one line each.
    public let message: String

    public init(_ exit: TandemExit, _ message: String) {
        self.exit = exit
        self.message = message
    }

    public var description: String { message }
}
