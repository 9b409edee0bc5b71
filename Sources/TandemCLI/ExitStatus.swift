import DICOMNetwork
import Foundation
import TandemArchive
import TandemCluster
import TandemReceiver
import TandemSend

extension TandemExit {
    /// The exit code of a failure: the one table from what the libraries throw to the codes of
    /// docs/design.md, "CLI conventions". Nil for an error it does not know.
    public static func known(_ error: any Error, runDirectory: URL = HolderProof.runDirectory()) -> TandemExit? {
        switch error {
        case let error as ToolError: return error.exit
        case is ConfigurationError: return .configuration
        // Another node holds a newer epoch: this one must stop; the work goes on over there.
        case is FencedError: return .temporaryFailure
        case is PassiveNodeError: return .passiveNode
        // Where the archive is missing, the holder lacks its volume; any other node is passive.
        case is ArchiveNotFoundError:
            return HolderProof.load(runDirectory: runDirectory) == nil ? .passiveNode : .missingInput
        case let error as JobRequestError:
            switch error {
            case .notFound: return .missingInput
            case .notApplicable: return .partialFailure
            }
        case is FileInventory.MissingPath: return .missingInput
        case let failure as SendFailure:
            switch failure {
            case .rejected: return .peerRefused
            case .aborted: return .protocolError
            case .unreachable: return .temporaryFailure
            case .unreadable: return .partialFailure
            }
        case let error as ClusterError:
            switch error {
            case .authorityUnavailable: return .ioError
            case .hookFailed, .servicesNotAnswering: return .partialFailure
            }
        case is ReceiverService.BindError: return .ioError
        // The listener's AE title, from tandem.toml or the option that overrides it.
        case is AETitle.ValidationError: return .configuration
        default: return nil
        }
    }

    /// The exit code of any failure: one the table does not know is an I/O error (the file system,
    /// SQLite), what is left when the input, the peer and the configuration were all right.
    public init(for error: any Error) {
        self = Self.known(error) ?? .ioError
    }
}

extension ToolError {
    /// What a send's failures make of the exit: each distinct one said once, the code of the most
    /// severe — a rejection outranks an abort, which outranks an unreachable peer.
    public init(sendFailures: [SendFailure]) {
        let codes = Set(sendFailures.map { TandemExit(for: $0) })
        let severity: [TandemExit] = [.peerRefused, .protocolError, .temporaryFailure, .partialFailure]
        self.init(severity.first(where: codes.contains) ?? .partialFailure,
                  Set(sendFailures.map(\.description)).sorted().joined(separator: "\n"))
    }
}
