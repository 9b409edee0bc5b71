import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A DICOM peer process for the send tests, on a free 127.0.0.1 port, stopped by its PID.
final class PeerProcess {
    let process = Process()
    let port: Int

    /// DCMTK's storescp; `options` go before the port (e.g. `+xa`, `-od DIR`).
    static func storescp(_ options: [String]) throws -> PeerProcess {
        let port = try LoopbackPort.free()
        return try PeerProcess(executable: "/usr/bin/storescp", arguments: options + ["\(port)"], port: port)
    }

    /// A pynetdicom storage SCP that only answers to the called AE title `aeTitle`.
    static func pynetdicomRequiringCalledAE(_ aeTitle: String) throws -> PeerProcess {
        let port = try LoopbackPort.free()
        let script = """
            import sys
            from pynetdicom import AE, AllStoragePresentationContexts
            ae = AE(ae_title=sys.argv[1]); ae.require_called_aet = True
            ae.supported_contexts = AllStoragePresentationContexts
            ae.start_server(("127.0.0.1", int(sys.argv[2])), block=True)
            """
        return try PeerProcess(executable: "/usr/bin/env", arguments: ["python3", "-c", script, aeTitle, "\(port)"],
                               port: port)
    }

    /// A pynetdicom storage SCP that appends `ASSOCIATION SERIES-UID SOP-INSTANCE-UID` to
    /// `record` for every instance it stores, associations numbered from 1 as they first store.
    /// With `abortingAt`, it aborts the association that brings the `abortingAt`-th instance of
    /// a series instead of storing that instance, once, recording `ASSOCIATION aborted -`.
    static func pynetdicomRecordingAssociations(into record: URL, abortingAt: Int = 0) throws -> PeerProcess {
        let port = try LoopbackPort.free()
        let script = """
            import collections, itertools, sys, threading
            from pynetdicom import AE, AllStoragePresentationContexts, evt
            record, abort_at = open(sys.argv[1], "a", buffering=1), int(sys.argv[3])
            lock, numbers, per_series, aborted = threading.Lock(), itertools.count(1), collections.Counter(), []
            def stored(event):
                with lock:
                    if not hasattr(event.assoc, "number"):
                        event.assoc.number = next(numbers)
                    dataset = event.dataset
                    per_series[dataset.SeriesInstanceUID] += 1
                    if per_series[dataset.SeriesInstanceUID] == abort_at and not aborted:
                        aborted.append(event.assoc.number)
                        record.write(f"{event.assoc.number} aborted -\\n")
                        event.assoc.abort()
                        return 0xA700
                    record.write(f"{event.assoc.number} {dataset.SeriesInstanceUID} {dataset.SOPInstanceUID}\\n")
                return 0x0000
            ae = AE()
            ae.supported_contexts = AllStoragePresentationContexts
            ae.start_server(("127.0.0.1", int(sys.argv[2])), block=True, evt_handlers=[(evt.EVT_C_STORE, stored)])
            """
        return try PeerProcess(executable: "/usr/bin/env",
                               arguments: ["python3", "-c", script, record.path, "\(port)", "\(abortingAt)"], port: port)
    }

    private init(executable: String, arguments: [String], port: Int) throws {
        self.port = port
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.runWithSignalsUnblocked()
        try waitUntilListening()
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        // SIGKILL: a peer's own shutdown is not under test.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Polls for at most 20 s.
    private func waitUntilListening() throws {
        for _ in 0..<200 {
            if LoopbackPort.canConnect(port) { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        stop()
        throw PeerError.didNotStart(process.arguments ?? [])
    }

    enum PeerError: Error { case didNotStart([String]) }
}

/// Runs a DCMTK tool (e.g. `dcmcjpls IN OUT`) and fails unless it exits 0.
func runDCMTK(_ tool: String, _ arguments: [String]) throws {
    let run = try ExternalTool.run(tool, arguments)
    guard run.status == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments) failed: \(run.stderr)"])
    }
}
