import ArgumentParser
import Foundation
import Testing
@testable import TandemArchive
import TandemCLI
import TandemCluster
@testable import TandemSend

/// The one table from the libraries' failures to the exit codes of docs/design.md, "CLI conventions".
@Suite struct ExitStatusTests {
    let emptyRunDirectory = URL(fileURLWithPath: "/nonexistent/run")

    @Test func archiveRefusalsHaveTheirCodes() {
        let cases: [(any Error, TandemExit)] = [
            (ConfigurationError(file: "tandem.toml", line: 2, key: "node.name", reason: "node-local"), .configuration),
            (FencedError(processEpoch: 1, currentEpoch: 2, holder: "node2"), .temporaryFailure),
            (PassiveNodeError(epoch: 2, holder: "node2", runDirectory: "/run/tandem"), .passiveNode),
            (JobRequestError.notFound("no job 9"), .missingInput),
            (JobRequestError.notApplicable("job 9 is done"), .partialFailure),
            (ToolError(.usage, "no such peer"), .usage),
        ]
        for (error, exit) in cases {
            #expect(TandemExit.known(error, runDirectory: emptyRunDirectory) == exit, "\(error)")
        }
    }

    @Test func peerAndClusterFailuresHaveTheirCodes() {
        let cases: [(any Error, TandemExit)] = [
            (SendFailure.rejected("association rejected"), .peerRefused),
            (SendFailure.aborted("aborted"), .protocolError),
            (SendFailure.unreachable("cannot reach"), .temporaryFailure),
            (SendFailure.unreadable("not DICOM"), .partialFailure),
            (FileInventory.MissingPath(path: "/nonexistent"), .missingInput),
            (ClusterError.authorityUnavailable("disk gone"), .ioError),
            (ClusterError.hookFailed(name: "10-ip", status: 2, output: ""), .partialFailure),
            (ClusterError.servicesNotAnswering(["dcmrecv"]), .partialFailure),
        ]
        for (error, exit) in cases {
            #expect(TandemExit.known(error) == exit, "\(error)")
        }
    }

    @Test func anUnknownFailureIsAnIOError() {
        #expect(TandemExit.known(CocoaError(.fileWriteNoPermission)) == nil)
        #expect(TandemExit(for: CocoaError(.fileWriteNoPermission)) == .ioError)
    }

    /// Where the archive is missing, only the node that holds the epoch lacks something (66); on
    /// any other node the shared volume is simply not mounted there: it is passive (7).
    @Test func aMissingArchiveIsMissingInputOnlyOnTheHolder() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: run) }
        let missing = ArchiveNotFoundError(root: "/srv/tandem")
        #expect(TandemExit.known(missing, runDirectory: run) == .passiveNode)
        try HolderProof(node: "node1", epoch: 3, token: "t").save(runDirectory: run)
        #expect(TandemExit.known(missing, runDirectory: run) == .missingInput)
    }

    @Test func aSendExitsWithItsMostSevereFailureAndSaysEachOnce() {
        let failures: [SendFailure] = [.unreachable("cannot reach b"), .aborted("aborted by a"),
                                       .unreachable("cannot reach b"), .unreadable("x.dcm: not DICOM")]
        let error = ToolError(sendFailures: failures)
        #expect(error.exit == .protocolError)
        #expect(error.message == "aborted by a\ncannot reach b\nx.dcm: not DICOM")
        #expect(ToolError(sendFailures: failures + [.rejected("association rejected")]).exit == .peerRefused)
    }

    @Test func theFrameGivesArgumentParsersOwnErrorsBackAndMapsTheRest() async {
        let tool = TandemTool(name: "tandem-test", quiet: true)
        await #expect(throws: ValidationError.self) { try await tool.run { throw ValidationError("usage") } }
        await #expect(throws: ExitCode(75)) {
            try await tool.run { throw FencedError(processEpoch: 1, currentEpoch: 2, holder: nil) as any Error }
        }
    }
}
