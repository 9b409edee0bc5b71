import DICOMSynthetic
import Foundation
import Testing

/// The reading room in a real browser: headless Chromium driven by Playwright (scripts/browser).
@Suite("Reading room in headless Chromium", .serialized, .enabled(if: BrowserScenario.available))
struct BrowserTests {
    @Test("an unauthenticated browser is sent to the dark sign-in page and back to the page it asked for; sign-out ends the session")
    func signIn() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let outcome = try await BrowserScenario.run("sign_in", against: web)
        #expect(outcome.passed, "\(outcome.output)")
    }
}

extension BrowserTests {
    @Test("worklist: a study sent with storescu appears without a reload (arriving), filters and sort work, unread → in progress → take-over (confirmed) → read is seen by a second radiologist")
    func worklist() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let added = try RunningWeb.dcmweb(["user", "add", "rad2", "--role", "radiologist", "--password-stdin",
                                           "--root", web.receiver.root.path], input: RunningWeb.password("rad2") + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        let receiver = try RunningReceiver(root: web.receiver.root)
        defer { if receiver.process.isRunning { _ = receiver.stop() } }
        let sendDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-worklist-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: sendDirectory) }
        _ = try SyntheticStudy(StudySpecification(modality: .MR, seriesCount: 1, instancesPerSeries: 2, instanceSize: 16 * 1024,
                                                  patientName: "Browser^New", patientID: "WL-NEW"))
            .write(to: sendDirectory)
        var parameters = ["dicom_port": "\(receiver.port)", "send_dir": sendDirectory.path,
                          "user.rad2": RunningWeb.password("rad2")]
        if let screenshot = ProcessInfo.processInfo.environment["TANDEM_WORKLIST_SCREENSHOT"] {
            parameters["screenshot"] = screenshot
        }
        let outcome = try await BrowserScenario.run("worklist", against: web, parameters: parameters)
        #expect(outcome.passed, "\(outcome.output)")
        #expect(receiver.stop() == 0)
    }
}
