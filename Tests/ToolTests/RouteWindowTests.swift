import DICOMCore
import Foundation
import Testing

/// `dcmroute` delivering to another Tandem node's `dcmrecv`: both ends propose and grant the
/// asynchronous operations window (PS3.7 §D.3.3.3), and the job's bookkeeping is as exact as
/// one C-STORE at a time.
@Suite("dcmroute to dcmrecv with the asynchronous operations window", .serialized)
struct RouteWindowTests {
    @Test("a routed study arrives whole, each instance sent once, over a window of [limits] async_operations_window")
    func routedStudyUsesTheWindow() async throws {
        let destination = try await BlockingWork.run {
            Unchecked(try RunningReceiver(aeTitle: "DEST", extraArguments: ["--log-format", "json"]))
        }.value
        defer { destination.remove() }
        let lab = try RoutingLab(routes: RouteTests.onReceive + "\n\n[limits]\nasync_operations_window = 5",
                                 destinationPort: destination.port)
        defer { lab.remove() }
        try await lab.startReceiver()
        try lab.startRouter()
        let study = try lab.study(count: 24)
        try await lab.send(study.map(\.file))
        let uids = Set(study.map(\.uid))
        #expect(try await eventually(seconds: 90) { Set(try destination.indexedInstances().keys) == uids },
                "\(lab.routerLog)")
        let allDone = try await eventually(seconds: 20) {
            try await lab.jobs().allSatisfy { $0["state"] as? String == "done" }
        }
        let jobs = try await lab.jobs()
        #expect(allDone, "\(jobs)")
        #expect(await lab.stopRouter() == 0)
        // The destination's summaries: every association negotiated the router's 5 (dcmrecv's
        // default grant is 16) and, over all of them, each instance was stored once.
        let receiver = destination
        func stored() -> Int {
            receiver.logEvents("association ended").compactMap { Int($0["stored"] ?? "") }.reduce(0, +)
        }
        #expect(try await eventually(seconds: 10) { stored() >= uids.count })
        let summaries = receiver.logEvents("association ended")
        #expect(!summaries.isEmpty && summaries.allSatisfy { $0["window"] == "5" }, "\(summaries)")
        #expect(stored() == uids.count, "\(summaries)")
    }
}
