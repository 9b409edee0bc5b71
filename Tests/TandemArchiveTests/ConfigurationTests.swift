import DICOMCore
import Foundation
import Testing
@testable import TandemArchive

@Suite struct ConfigurationTests {
    private func parse(_ text: String) throws -> TandemConfiguration {
        try TandemConfiguration.parse(text, file: "/srv/tandem/tandem.toml")
    }

    private func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func missingFileGivesDefaults() throws {
        let root = DataRoot(url: URL(fileURLWithPath: "/nonexistent/tandem-root"))
        let configuration = try TandemConfiguration.load(root: root)
        #expect(configuration.node == NodeSettings(aeTitle: "TANDEM", dicomPort: 11112,
                                                   httpPort: 8080, bind: "0.0.0.0"))
        #expect(configuration.security.requireKnownCallers == false)
        #expect(configuration.storage == StorageSettings(duplicatePolicy: .keepFirst, preferUncompressed: false,
                                                         minFreeBytes: 64 * 1024 * 1024, journalMode: .wal))
        #expect(configuration.retry == RetrySettings(maxAttempts: 20, initialDelaySeconds: 30, multiplier: 2,
                                                     maxDelaySeconds: 3600))
        #expect(configuration.cluster.hooksDirectory == "/etc/tandem/hooks")
        #expect(configuration.limits == LimitsSettings(maxAssociations: 64, maxUnassociatedConnections: 512,
                                                       maxUnassociatedPerAddress: 32, maxAssociateRQBytes: 65536))
        #expect(configuration.query == QuerySettings(caseInsensitiveNames: false))
        #expect(configuration.peers.isEmpty && configuration.routes.isEmpty)
    }

    @Test func limitsAreRead() throws {
        let configuration = try parse("[limits]\nmax_associations = 8\nmax_unassociated_connections = 100\n"
            + "max_unassociated_per_address = 4\nmax_associate_rq_bytes = 16384\n")
        #expect(configuration.limits == LimitsSettings(maxAssociations: 8, maxUnassociatedConnections: 100,
                                                       maxUnassociatedPerAddress: 4, maxAssociateRQBytes: 16384))
    }

    @Test func readingRoomKeysAndPeerNames() throws {
        let configuration = try parse("""
            [web]
            reading_timeout = 300
            study_stable_after = 0

            [[peer]]
            ae_title = "NORTHMRI"
            host = "10.0.0.5"
            port = 104
            name = "North Imaging"
            """)
        #expect(configuration.web.readingTimeoutSeconds == 300 && configuration.web.studyStableAfterSeconds == 0)
        #expect(configuration.peer(aeTitle: "NORTHMRI")?.name == "North Imaging")
        #expect(TandemConfiguration.defaults().web.readingTimeoutSeconds == 120)
        #expect(error("[web]\nreading_timeout = 5\n")?.key?.hasSuffix("reading_timeout") == true)
        #expect(error("[web]\nstudy_stable_after = -1\n")?.key?.hasSuffix("study_stable_after") == true)
        #expect(error("[[peer]]\nae_title = \"A\"\nhost = \"h\"\nport = 104\nname = \"\"\n")?.key?.hasSuffix("name") == true)
    }

    @Test func webConnectionLimitsAreRead() throws {
        let web = try parse("[web]\nheader_timeout = 5\nmax_connections = 100\nmax_connections_per_client = 6\n"
            + "stow_max_bytes = 10485760\nbody_min_rate = 0\n").web
        #expect(web.headerTimeoutSeconds == 5 && web.maxConnections == 100 && web.maxConnectionsPerClient == 6)
        #expect(web.bodyMinRate == 0)
        #expect(web.stowMaxBytes == 10_485_760)
        let defaults = TandemConfiguration.defaults().web
        #expect(defaults.headerTimeoutSeconds == 20 && defaults.maxConnections == 256 && defaults.bodyMinRate == 500)
        #expect(defaults.maxConnectionsPerClient == 32 && defaults.stowMaxBytes == 2 << 30)
        #expect(error("[web]\nheader_timeout = 0\n")?.key?.hasSuffix("header_timeout") == true)
        #expect(error("[web]\nbody_min_rate = -1\n")?.key?.hasSuffix("body_min_rate") == true)
        #expect(error("[web]\nmax_connections = 0\n")?.key?.hasSuffix("max_connections") == true)
        #expect(error("[web]\nmax_connections_per_client = 70000\n")?.key?.hasSuffix("max_connections_per_client") == true)
        #expect(error("[web]\nstow_max_bytes = 1000\n")?.key?.hasSuffix("stow_max_bytes") == true)
    }

    @Test func nodeNameIsNodeLocal() throws {
        let kernelHostName = try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(NodeIdentity.name(environment: [:]) == kernelHostName)
        #expect(NodeIdentity.name(environment: ["TANDEM_NODE": ""]) == kernelHostName)
        #expect(NodeIdentity.name(environment: ["TANDEM_NODE": "n2"]) == "n2")
        #expect(NodeIdentity.name(option: "n3", environment: ["TANDEM_NODE": "n2"]) == "n3")
    }

    /// Both nodes read the shared file: a name there would give both the same identity.
    @Test func aNodeNameInTheSharedFileIsAnError() throws {
        let found = try #require(error("[node]\nae_title = \"PACS1\"\nname = \"node1\"\n"))
        #expect(found.line == 3)
        #expect(found.key == "node.name")
        #expect(found.description.hasPrefix("/srv/tandem/tandem.toml:3: node.name: a node's name is node-local"))
    }

    @Test func readsTheDesignExample() throws {
        let configuration = try parse("""
            [node]
            ae_title = "PACS1"
            dicom_port = 104
            http_port = 80
            bind = "10.0.0.5"

            [security]
            require_known_callers = true

            [storage]
            duplicate_policy = "overwrite"
            prefer_uncompressed = true
            min_free_bytes = 1000
            journal_mode = "delete"

            [[peer]]
            ae_title = "REVIEW1"
            host = "127.0.0.1"
            port = 104
            services = ["store", "find"]

            [[peer]]
            ae_title = "SITE1"
            host = "site1.example"
            port = 11112

            [[route]]
            name = "mr-to-review"
            match = { calling_ae = "SITE*", modality = "MR", PatientID = "A?" }
            to = ["REVIEW1"]
            trigger = "on-stable"
            stable_after = 90

            [retry]
            max_attempts = 5
            initial_delay = 10
            multiplier = 3
            max_delay = 600.5

            [cluster]
            hooks = "/opt/hooks"

            [query]
            case_insensitive_names = true

            [commitment]
            report_delay = 2.5
            report_max_age = 3600
            """)
        #expect(configuration.node == NodeSettings(aeTitle: "PACS1", dicomPort: 104, httpPort: 80,
                                                   bind: "10.0.0.5"))
        #expect(configuration.security.requireKnownCallers)
        #expect(configuration.storage == StorageSettings(duplicatePolicy: .overwrite, preferUncompressed: true,
                                                         minFreeBytes: 1000, journalMode: .delete))
        #expect(configuration.peers == [
            PeerSettings(aeTitle: "REVIEW1", host: "127.0.0.1", port: 104, services: [.store, .find]),
            PeerSettings(aeTitle: "SITE1", host: "site1.example", port: 11112),
        ])
        #expect(configuration.peer(aeTitle: "SITE1")?.services == Set(PeerService.allCases))
        #expect(configuration.routes == [RouteSettings(
            name: "mr-to-review", match: [.callingAE: "SITE*", .modality: "MR", .patientID: "A?"],
            destinations: ["REVIEW1"], trigger: .onStable, stableAfterSeconds: 90)])
        #expect(configuration.retry == RetrySettings(maxAttempts: 5, initialDelaySeconds: 10, multiplier: 3,
                                                     maxDelaySeconds: 600.5))
        #expect(configuration.cluster.hooksDirectory == "/opt/hooks")
        #expect(configuration.query.caseInsensitiveNames)
        #expect(configuration.commitment == CommitmentSettings(reportDelaySeconds: 2.5, reportMaxAgeSeconds: 3600))
    }

    @Test func retryDelayGrowsAndIsCapped() {
        let retry = RetrySettings(maxAttempts: 20, initialDelaySeconds: 30, multiplier: 2, maxDelaySeconds: 3600)
        #expect(retry.delay(beforeRetry: 1) == 30)
        #expect(retry.delay(beforeRetry: 3) == 120)
        #expect(retry.delay(beforeRetry: 12) == 3600)
    }

    @Test func syntaxErrorNamesFileAndLine() throws {
        let found = try #require(error("[node]\nae_title = \"A\"\ndicom_port = = 5\n"))
        #expect(found.file == "/srv/tandem/tandem.toml")
        #expect(found.line == 3)
        #expect(found.description.hasPrefix("/srv/tandem/tandem.toml:3: "))
    }

    @Test(arguments: [
        ("[node]\n# a comment\ndicom_port = 70000\n", 3, "node.dicom_port", "not a port"),
        ("[node]\nhttp_port = \"80\"\n", 2, "node.http_port", "expected an integer, found string"),
        ("[node]\nae_title = \"AN_AE_TITLE_TOO_LONG\"\n", 2, "node.ae_title", "longer than 16"),
        ("[node]\nae_title = \"BAD\\\\AE\"\n", 2, "node.ae_title", "backslash"),
        ("[node]\nae_title = \"BAD\\tAE\"\n", 2, "node.ae_title", "control"),
        ("[node]\nae_title = \"   \"\n", 2, "node.ae_title", "empty"),
        ("[node]\naetitle = \"X\"\n", 2, "node.aetitle", "unknown key"),
        ("[nodes]\nname = \"x\"\n", 1, "nodes", "unknown table"),
        ("[storage]\n\nduplicate_policy = \"keep-last\"\n", 3, "storage.duplicate_policy", "keep-first"),
        ("[storage]\njournal_mode = \"memory\"\n", 2, "storage.journal_mode", "is not one of"),
        ("[storage]\nmin_free_bytes = -1\n", 2, "storage.min_free_bytes", "negative"),
        ("[security]\nrequire_known_callers = \"yes\"\n", 2, "security.require_known_callers", "true or false"),
        ("[retry]\nmultiplier = 0.5\n", 2, "retry.multiplier", "at least 1.0"),
        ("[limits]\nmax_associations = 0\n", 2, "limits.max_associations", "at least 1"),
        ("[limits]\nmax_associate_rq_bytes = 100\n", 2, "limits.max_associate_rq_bytes", "at least 1024"),
        ("[query]\ncase_insensitive_names = 1\n", 2, "query.case_insensitive_names", "true or false"),
        ("[query]\ncase_insensitive = true\n", 2, "query.case_insensitive", "unknown key"),
        ("[commitment]\nreport_delay = -1\n", 2, "commitment.report_delay", "between 0 and 3600"),
        ("[commitment]\nreport_max_age = -5\n", 2, "commitment.report_max_age", "negative"),
        ("[retry]\ninitial_delay = 100\nmax_delay = 10\n", 3, "retry.max_delay", "less than initial_delay"),
        ("[[peer]]\nae_title = \"A\"\nhost = \"h\"\nport = 0\n", 4, "peer[1].port", "not a port"),
        ("[[peer]]\nae_title = \"A\"\nhost = \"h\"\n", 1, "peer[1].port", "required"),
        ("[[peer]]\nae_title = \"A\"\nhost = \"h\"\nport = 1\nservices = [\"store\", \"delete\"]\n", 5,
         "peer[1].services", "\"delete\" is not one of"),
        ("[[peer]]\nae_title = \"A\"\nhost = \"h\"\nport = 1\ntransfer_syntaxes = [\"1.2.840.10008.1.2.1\", \"1.2.3\"]\n", 5,
         "peer[1].transfer_syntaxes", "\"1.2.3\" is not a transfer syntax UID"),
        ("[[peer]]\nae_title = \"A\"\nhost = \"h\"\nport = 1\ntransfer_syntaxes = []\n", 5,
         "peer[1].transfer_syntaxes", "at least one"),
        ("[[peer]]\nae_title = \"A\"\nhost = \"h\"\nport = 1\n[[peer]]\nae_title = \"A\"\nhost = \"h\"\nport = 2\n", 6,
         "peer[2].ae_title", "already used"),
        ("[peer]\nae_title = \"A\"\n", 1, "peer", "array of tables"),
    ] as [(String, Int, String, String)])
    func semanticErrorNamesLineAndKey(text: String, line: Int, key: String, reason: String) throws {
        let found = try #require(error(text))
        #expect(found.line == line)
        #expect(found.key == key)
        #expect(found.reason.contains(reason), "\(found.reason)")
        #expect(found.description.contains("tandem.toml:\(line): \(key): "))
    }

    @Test func peerTransferSyntaxesAreReadInOrder() throws {
        let configuration = try parse("""
            [[peer]]
            ae_title = "OLDPACS"
            host = "h"
            port = 104
            transfer_syntaxes = ["1.2.840.10008.1.2", "1.2.840.10008.1.2.4.80"]

            [[peer]]
            ae_title = "REVIEW1"
            host = "h"
            port = 105
            """)
        #expect(configuration.peer(aeTitle: "OLDPACS")?.transferSyntaxes == [.implicitVRLittleEndian, .jpegLSLossless])
        #expect(configuration.peer(aeTitle: "REVIEW1")?.transferSyntaxes == nil)
    }

    @Test func routeMustNameKnownPeers() throws {
        let found = try #require(error("""
            [[route]]
            name = "r"
            to = ["NOWHERE"]

            [[peer]]
            ae_title = "REVIEW1"
            host = "h"
            port = 104
            """))
        #expect(found.line == 3)
        #expect(found.key == "route[1].to")
        #expect(found.reason.contains("NOWHERE"))
    }

    @Test func routeMatchKeysAreChecked() throws {
        let unknown = try #require(error("""
            [[peer]]
            ae_title = "P"
            host = "h"
            port = 104

            [[route]]
            name = "r"
            to = ["P"]
            match = { colour = "blue" }
            """))
        #expect(unknown.line == 9)
        #expect(unknown.key == "route[1].match")
        #expect(unknown.reason.contains("colour"))

        let notString = try #require(error("""
            [[peer]]
            ae_title = "P"
            host = "h"
            port = 104
            [[route]]
            name = "r"
            to = ["P"]
            match = { modality = 3 }
            """))
        #expect(notString.reason.contains("must be a string"))
    }

    @Test func secondRouteIsLocatedInItsOwnSection() throws {
        let found = try #require(error("""
            [[peer]]
            ae_title = "P"
            host = "h"
            port = 104
            [[route]]
            name = "a"
            to = ["P"]
            [[route]]
            name = "b"
            to = ["P"]
            trigger = "sometimes"
            """))
        #expect(found.line == 11)
        #expect(found.key == "route[2].trigger")
    }

    @Test func loadsFromDataRoot() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = DataRoot(url: directory)
        try "[node]\nae_title = \"FROMFILE\"\n".write(to: root.configFile, atomically: true, encoding: .utf8)
        #expect(try TandemConfiguration.load(root: root).node.aeTitle == "FROMFILE")

        try Data([0x5B, 0xFF, 0xFE]).write(to: root.configFile)
        #expect(throws: ConfigurationError.self) { try TandemConfiguration.load(root: root) }
    }
}
