import DICOMCore
import DICOMImaging
import DICOMSynthetic
import Foundation
import Testing

/// Compressed studies sent to peers that accept only uncompressed syntaxes: `dcmroute` to DCMTK
/// `storescp` and a C-GET by DCMTK `getscu` get them transcoded, pixel for pixel what DCMTK's own
/// decoder makes of the stored files; an instance that cannot be decoded fails alone.
@Suite("Transcoding on route and retrieve", .serialized)
struct TranscodeRouteTests {
    static let everything = "[[route]]\nname = \"all\"\nto = [\"DEST\"]"

    /// A synthetic MR study of two-frame instances compressed with dcmcjpls (JPEG-LS lossless).
    static func jpegLSStudy(in directory: URL, count: Int) async throws -> [(file: URL, uid: String)] {
        // A multi-frame synthetic series is one instance: `count` series of one instance each.
        let originals = try SyntheticStudy(StudySpecification(modality: .MR, seriesCount: count, instancesPerSeries: 1,
                                                              instanceSize: 2 * 64 * 64 * 2, framesPerInstance: 2))
            .write(to: directory.appendingPathComponent("original"))
        let compressed = directory.appendingPathComponent("jls")
        try FileManager.default.createDirectory(at: compressed, withIntermediateDirectories: true)
        var study: [(URL, String)] = []
        for (index, original) in originals.enumerated() {
            let file = compressed.appendingPathComponent("\(index).dcm")
            let run = try await ExternalTool.runOffPool("dcmcjpls", [original.path, file.path])
            try #require(run.status == 0, "dcmcjpls: \(run.stderr)")
            study.append((file, try DICOMFile(path: file.path, options: .headerOnly).dataSet.string(.sopInstanceUID) ?? ""))
        }
        return study
    }

    /// Stores files in their JPEG-LS syntax with storescu (`-xt` proposes it).
    static func store(_ files: [URL], port: Int) async throws {
        let run = try await ExternalTool.runOffPool("storescu", ["-xt", "-aet", "SITE1", "-aec", "TANDEM", "127.0.0.1",
                                                                 "\(port)"] + files.map(\.path))
        try #require(run.status == 0, "storescu: \(run.stderr)")
    }

    /// Every file received in `directory`, by SOP Instance UID.
    static func received(in directory: URL) throws -> [String: URL] {
        var files: [String: URL] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let url = directory.appendingPathComponent(name)
            files[try DICOMFile(path: url.path, options: .headerOnly).dataSet.string(.sopInstanceUID) ?? ""] = url
        }
        return files
    }

    /// Each received file is in `syntax` as dcmdump reads it, and its frames equal dcmdjpls's
    /// decoding of the stored JPEG-LS file.
    static func expectTranscoded(_ received: [String: URL], from study: [(file: URL, uid: String)],
                                 dcmdumpSyntax syntax: String, scratch: URL) async throws {
        #expect(Set(received.keys) == Set(study.map(\.uid)))
        for (source, uid) in study {
            guard let file = received[uid] else { continue }
            let dump = try await ExternalTool.runOffPool("dcmdump", ["-q", "+P", "0002,0010", file.path]).stdout
            #expect(dump.contains(syntax), "\(uid): \(dump)")
            let reference = try await ImagingReferenceTests.referenceFrames("dcmdjpls", source, in: scratch)
            ImagingReferenceTests.expectEqual(try ImagingReferenceTests.decodedFrames(file), reference, "\(uid) vs dcmdjpls")
        }
    }

    /// `dcmroute once` with its own temporary directory, which must be empty again afterwards:
    /// every transcoded data set is removed once sent or failed.
    static func routeOnce(_ lab: RoutingLab) async throws -> ToolRun {
        let temporary = lab.directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let run = try await BlockingWork.run { [root = lab.root] in
            try ToolRunner.run("dcmroute", ["once", "--root", root.path], environment: ["TMPDIR": temporary.path])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
        return run
    }

    @Test("a JPEG-LS study routed to an uncompressed-only storescp arrives transcoded, as DCMTK decodes it",
          arguments: [("", "=LittleEndianExplicit"),
                      ("transfer_syntaxes = [\"1.2.840.10008.1.2\"]", "=LittleEndianImplicit")])
    func routedToUncompressedOnlyDestination(destinationKeys: String, dcmdumpSyntax: String) async throws {
        let lab = try RoutingLab(routes: Self.everything, destinationKeys: destinationKeys)
        defer { lab.remove() }
        let study = try await Self.jpegLSStudy(in: lab.directory, count: 3)
        try await lab.startReceiver()
        try await Self.store(study.map(\.file), port: try #require(lab.receiver).port)
        #expect(try await lab.sql("SELECT DISTINCT transfer_syntax_uid FROM instance") == TransferSyntax.jpegLSLossless.uid)
        // storescp's default: uncompressed syntaxes only.
        try await lab.startDestination()
        let run = try await Self.routeOnce(lab)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "transcoding").count - 1 == study.count, "\(run.stderr) \(run.stdout)")
        #expect(try await lab.job("state") as? String == "done", "\(run.stderr)")
        let scratch = lab.directory.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try await Self.expectTranscoded(Self.received(in: lab.directory.appendingPathComponent("received")), from: study,
                                        dcmdumpSyntax: dcmdumpSyntax, scratch: scratch)
    }

    @Test("an instance whose pixel data cannot be decoded fails alone, with the reason; the rest arrive")
    func undecodableInstanceFailsAlone() async throws {
        let lab = try RoutingLab(routes: Self.everything)
        defer { lab.remove() }
        let study = try await Self.jpegLSStudy(in: lab.directory, count: 3)
        try #require(study.count == 3)
        // The second file's JPEG-LS frame header (SOF55, FFF7) claims one more line than Rows.
        var bytes = [UInt8](try Data(contentsOf: study[1].file))
        let marker = try #require((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xF7 })
        bytes[marker + 6] &+= 1
        try Data(bytes).write(to: study[1].file)
        try await lab.startReceiver()
        try await Self.store(study.map(\.file), port: try #require(lab.receiver).port)
        try await lab.startDestination()
        _ = try await Self.routeOnce(lab)
        #expect(Set(lab.receptions().keys) == Set([study[0].uid, study[2].uid]))
        let show = try await lab.dcmroute(["show", "1"]).stdout
        let failedLine = show.split(separator: "\n").first { $0.contains(study[1].uid) }
        #expect(failedLine?.contains("failed") == true && failedLine?.contains("cannot transcode") == true, "\(show)")
    }

    @Test("getscu proposing uncompressed syntaxes only gets a JPEG-LS study transcoded on its own association")
    func getTranscodes() async throws {
        let directory = try RetrieveTests.temporaryDirectory("tandem-get-transcode")
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = try RunningReceiver.configured("")
        defer { receiver.remove() }
        let study = try await Self.jpegLSStudy(in: directory, count: 3)
        try await Self.store(study.map(\.file), port: receiver.port)
        let studyUID = try #require(try DICOMFile(path: study[0].file.path, options: .headerOnly).dataSet.string(.studyInstanceUID))
        let output = directory.appendingPathComponent("got")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        // getscu's default proposes the uncompressed syntaxes only for every storage class.
        let got = try await ExternalTool.runOffPool("getscu", [
            "-S", "-aec", "TANDEM", "-od", output.path, "-k", "QueryRetrieveLevel=STUDY",
            "-k", "StudyInstanceUID=\(studyUID)", "127.0.0.1", "\(receiver.port)"])
        #expect(got.status == 0, "\(got.stderr)")
        let logged = try await receiver.waitForLogEvents("C-GET", count: 1)
        #expect(logged.first?["status"] == "0000H" && logged.first?["completed"] == "\(study.count)", "\(logged)")
        #expect(receiver.logEvents("C-GET transcoding: the requestor accepts none of the stored syntaxes").count == study.count)
        try await Self.expectTranscoded(Self.received(in: output), from: study, dcmdumpSyntax: "=LittleEndianExplicit",
                                        scratch: directory)
    }
}
