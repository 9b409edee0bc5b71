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
