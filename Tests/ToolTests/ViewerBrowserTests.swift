import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// The viewer in headless Chromium (scripts/browser/scenarios/viewer.py) over an MR study of two
/// uncompressed series and two lossless copies of the first, made with DCMTK (`dcmcjpeg +e1`,
/// `dcmcjpls`) and sent by `storescu` in their compressed syntaxes.
@Suite("Viewer in headless Chromium", .serialized, .enabled(if: BrowserScenario.available))
struct ViewerBrowserTests {
    /// The study's UID and the raw, JPEG Lossless and JPEG-LS series of the same images.
    struct CompressedMRStudy {
        var study: String
        var raw: String
        var jpeg: String
        var jpegls: String
    }

    /// Copies `files` compressed by `tool` (with `options`) into series `series` of the same study,
    /// new instances each, and sends them as they are with `storescu` (`sendOption`: -xs, -xt).
    static func sendCompressedCopy(_ files: [URL], as series: String, tool: String, options: [String],
                                   sendOption: String, port: Int, directory: URL) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var copies: [URL] = []
        for file in files {
            let copy = directory.appendingPathComponent(file.lastPathComponent)
            let compressed = try ExternalTool.run(tool, options + [file.path, copy.path])
            guard compressed.status == 0 else { throw ExternalTool.Failure("\(tool): \(compressed.stderr)") }
            copies.append(copy)
        }
        // A new SOP Instance UID each (the meta header follows); -gse would give each file its own series.
        let renamed = try ExternalTool.run("dcmodify", ["-nb", "-gin", "-m", "(0020,000e)=\(series)"] + copies.map(\.path))
        guard renamed.status == 0 else { throw ExternalTool.Failure("dcmodify: \(renamed.stderr)") }
        let sent = try ExternalTool.run("storescu", ["-aec", "TANDEM", sendOption, "127.0.0.1", "\(port)"] + copies.map(\.path))
        guard sent.status == 0 else { throw ExternalTool.Failure("storescu \(sendOption): \(sent.stderr)") }
        return series
    }

    static func makeStudy(_ web: RunningWeb, in directory: URL) throws -> CompressedMRStudy {
        let source = directory.appendingPathComponent("raw")
        let files = try SyntheticStudy(StudySpecification(modality: .MR, seriesCount: 2, instancesPerSeries: 12,
                                                          instanceSize: 128 * 1024, patientName: "Viewer^Test",
                                                          patientID: "VIEW-1")).write(to: source)
        let receiver = try RunningReceiver(root: web.receiver.root)
        defer { _ = receiver.stop() }
        let sent = try ExternalTool.run("storescu", ["-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"] + files.map(\.path))
        guard sent.status == 0 else { throw ExternalTool.Failure("storescu: \(sent.stderr)") }
        let header = try DICOMFile(path: files[0].path, options: .headerOnly).dataSet
        let raw = header.string(.seriesInstanceUID) ?? ""
        let firstSeries = try files.filter {
            try DICOMFile(path: $0.path, options: .headerOnly).dataSet.string(.seriesInstanceUID) == raw
        }
        return CompressedMRStudy(
            study: header.string(.studyInstanceUID) ?? "", raw: raw,
            jpeg: try sendCompressedCopy(firstSeries, as: raw + ".1", tool: "dcmcjpeg", options: ["+e1"], sendOption: "-xs",
                                         port: receiver.port, directory: directory.appendingPathComponent("jpeg")),
            jpegls: try sendCompressedCopy(firstSeries, as: raw + ".2", tool: "dcmcjpls", options: [], sendOption: "-xt",
                                           port: receiver.port, directory: directory.appendingPathComponent("jpegls")))
    }

    @Test("""
        a study opens with its first image drawn and equal to /rendered within one grey level; scrolling changes the \
        image and n/N; right-drag window/level changes the pixels; 2×2 shows four series; JPEG Lossless and JPEG-LS \
        series render like their source; the opening and each series displayed are audited
        """)
    func viewer() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-viewer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let study = try Self.makeStudy(web, in: directory)
        let outcome = try await BrowserScenario.run("viewer", against: web, parameters: [
            "study": study.study, "raw": study.raw, "jpeg": study.jpeg, "jpegls": study.jpegls,
        ])
        #expect(outcome.passed, "\(outcome.output)")

        let audit = try RunningWeb.dcmweb(["audit", "--study", study.study, "--json", "--root", web.receiver.root.path])
        let entries = audit.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(entries.contains { $0["action"] as? String == "open" && $0["user"] as? String == "rad" },
                "opening the study is audited: \(audit.stdout)")
        // A series in the strip is viewed once (its thumbnail); one displayed in a viewport, once more.
        let views = entries.filter { $0["action"] as? String == "view" }.compactMap { $0["series_uid"] as? String }
        for series in [study.raw, study.jpeg, study.jpegls] {
            #expect(views.filter { $0 == series }.count >= 2, "series \(series) displayed is audited: \(views)")
        }
    }

    @Test("colour images beyond 8-bit interleaved RGB (YBR_FULL, YBR_FULL_422 uncompressed, PALETTE COLOR, RGB planar) are drawn like /rendered")
    func colour() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-colour-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixture = try ColourSeriesFixture.write(to: directory)
        let receiver = try RunningReceiver(root: web.receiver.root)
        let sent = try ExternalTool.run("storescu", ["-aec", "TANDEM", "127.0.0.1", "\(receiver.port)"] + fixture.files.map(\.path))
        #expect(receiver.stop() == 0)
        try #require(sent.status == 0, "storescu: \(sent.stderr)")
        let series = ColourSeriesFixture.Form.allCases.compactMap { fixture.series[$0] }
        let outcome = try await BrowserScenario.run("viewer_colour", against: web, parameters: [
            "study": fixture.study, "series": series.joined(separator: ","),
        ])
        #expect(outcome.passed, "\(outcome.output)")
    }
}
