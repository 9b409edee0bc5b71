import DICOMCore
import Foundation
import Testing

/// The reading room in headless Firefox: Debian's firefox-esr driven over Marionette by
/// scripts/browser/firefox.py, which stops Firefox by its PID and removes its profile.
@Suite("Reading room in headless Firefox", .serialized, .enabled(if: BrowserScenario.firefoxAvailable))
struct FirefoxBrowserTests {
    @Test("""
        sign-in; the worklist lists the archive's study; the viewer draws its first image equal to /rendered within \
        one grey level; scrolling changes the image and n/N; sign-out, and an unauthenticated load goes to sign-in
        """)
    func readingRoom() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let study = try DICOMFile(path: web.sentFiles[0].path, options: .headerOnly).dataSet.string(.studyInstanceUID) ?? ""
        let runner = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/browser/firefox.py")
        let run = try await ExternalTool.runOffPool("timeout", [
            "300", "python3", runner.path, web.url, study, "user.rad=\(RunningWeb.password("rad"))",
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    }
}

extension BrowserScenario {
    /// Whether this machine can run the Firefox test (Debian's firefox-esr, marionette_driver from
    /// PyPI; both installed by scripts/install-deps.sh).
    static var firefoxAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/firefox-esr")
    }
}
