import Foundation
import Testing
@testable import TandemArchive

@Suite struct DataRootTests {
    @Test func optionWinsOverEnvironment() {
        let root = DataRoot.resolve(option: "/srv/a", environment: ["TANDEM_ROOT": "/srv/b"])
        #expect(root.url.path == "/srv/a")
    }

    @Test func environmentThenDefault() {
        #expect(DataRoot.resolve(option: nil, environment: ["TANDEM_ROOT": "/srv/b"]).url.path == "/srv/b")
        let fallback = DataRoot.resolve(option: nil, environment: [:])
        #expect(fallback.url.lastPathComponent == "tandem-data")
        #expect(fallback.indexFile.lastPathComponent == "index.sqlite")
    }
}
