import ArgumentParser
import Foundation
import TandemArchive
import TandemCLI

/// The configuration and index every subcommand starts from, opened with the exit codes of
/// docs/design.md, "CLI conventions".
struct RouteArchive {
    let configuration: TandemConfiguration
    let index: ArchiveIndex

    var queue: JobQueue { JobQueue(index: index) }

    /// Never creates an archive: where none exists (the shared volume is not mounted here), a node
    /// that cannot prove it holds the epoch is passive (exit 7); the holder lacks its archive (exit 66).
    /// `quiet` (a worker's `-q`) leaves the passive case silent: a cron line on the passive node mails nothing.
    static func open(_ root: RootOption, quiet: Bool = false) throws -> RouteArchive {
        let dataRoot = root.dataRoot
        do {
            let configuration = try TandemConfiguration.load(root: dataRoot)
            let index = try ArchiveIndex(root: dataRoot, storage: configuration.storage, createIfMissing: false)
            return RouteArchive(configuration: configuration, index: index)
        } catch let error as ConfigurationError {
            throw fail(.configuration, "\(error)")
        } catch let missing as ArchiveNotFoundError {
            if HolderProof.load(runDirectory: HolderProof.runDirectory()) != nil { throw fail(.missingInput, "\(missing)") }
            throw passive("\(missing)", quiet: quiet)
        } catch {
            throw fail(.ioError, "cannot open the archive at \(dataRoot.url.path): \(error)")
        }
    }

    /// Runs `body`, turning a fencing into exit 75: a newer epoch means another node is active.
    static func exitingWhenFenced<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let fenced as FencedError {
            throw fail(.temporaryFailure, "\(fenced)")
        }
    }

    /// Runs an admin request, turning its refusals into exit codes.
    static func request<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let fenced as FencedError {
            throw fail(.temporaryFailure, "\(fenced)")
        } catch let refusal as PassiveNodeError {
            throw passive("\(refusal)")
        } catch let refused as JobRequestError {
            switch refused {
            case .notFound(let message): throw fail(.missingInput, message)
            case .notApplicable(let message): throw fail(.partialFailure, message)
            }
        }
    }

    /// Exit 7: this node is passive, nothing was done (DcmRoute's help).
    static func passive(_ message: String, quiet: Bool = false) -> ExitCode {
        quiet ? TandemExit.passiveNode.exitCode : fail(.passiveNode, message)
    }

    static func fail(_ exit: TandemExit, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("dcmroute: \(message)\n".utf8))
        return exit.exitCode
    }
}
