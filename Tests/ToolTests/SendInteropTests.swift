@testable import DICOMCore
import DICOMSynthetic
import Foundation
import TandemSend
import Testing

/// `dcmsend` against DCMTK's storescp (and pynetdicom): every syntax arrives with the same
/// content, or converted or transcoded to what the peer accepts, and peer trouble maps to the documented exit codes.
@Suite(.serialized) struct SendInteropTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("send-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func directory(_ name: String) throws -> URL {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// One small synthetic CT file per syntax, written into `folder`.
    func uncompressedFiles(_ syntaxes: [TransferSyntax], in folder: URL) throws -> [URL] {
        try syntaxes.enumerated().flatMap { index, syntax in
            try SyntheticStudy(StudySpecification(instancesPerSeries: 1, instanceSize: 12 * 1024, transferSyntax: syntax))
                .write(to: folder.appendingPathComponent("u\(index)"))
        }
    }

    /// Synthetic files compressed by DCMTK: (tool, output name) pairs.
    func compressedFiles(_ tools: [String], in folder: URL) throws -> [URL] {
        let sources = try SyntheticStudy(StudySpecification(instancesPerSeries: tools.count, instanceSize: 12 * 1024))
            .write(to: try directory("sources-\(UUID().uuidString)"))
        return try zip(tools, sources).map { tool, source in
            let output = folder.appendingPathComponent("\(tool).dcm")
            try runDCMTK(tool, [source.path, output.path])
            return output
        }
    }

    /// Every received file's data set equals the one sent, element by element; `others` more
    /// files arrived, checked by the caller.
    func expectSameContent(sent: [URL], receivedIn folder: URL, others: Int = 0) throws {
        let received = try FileInventory.files(under: [folder.path]).map { try DICOMFile(path: $0) }
        let byInstance = Dictionary(received.map { ($0.dataSet.string(.sopInstanceUID) ?? "", $0) }) { first, _ in first }
        #expect(received.count == sent.count + others)
        for url in sent {
            let original = try DICOMFile(path: url.path)
            let copy = try #require(byInstance[original.dataSet.string(.sopInstanceUID) ?? ""], "\(url.lastPathComponent) arrived")
            #expect(copy.dataSet == original.dataSet, "\(url.lastPathComponent): content differs")
        }
    }

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func everySyntaxArrivesUnchangedAtAnAcceptAllPeer() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = try directory("outbox"), inbox = try directory("inbox")
        let files = try uncompressedFiles([.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian,
                                           .deflatedExplicitVRLittleEndian], in: outbox)
            + compressedFiles(["dcmcjpeg", "dcmcrle", "dcmcjpls"], in: outbox)
        let peer = try PeerProcess.storescp(["+xa", "-aet", "STORESCP", "-od", inbox.path])
        defer { peer.stop() }
        let run = try ToolRunner.run("dcmsend", ["-aet", "TESTSCU", "-aec", "STORESCP", "--json",
                                                 "127.0.0.1", "\(peer.port)", outbox.path])
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        let lines = try jsonLines(run.stdout)
        #expect(lines.filter { $0["status"] as? String == "sent" }.count == files.count)
        #expect(lines.last?["status"] as? String == "summary" && lines.last?["sent"] as? Int == files.count)
        try expectSameContent(sent: files, receivedIn: inbox)
    }

    @Test func convertsAndTranscodesToTheOnlyAcceptedSyntax() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = try directory("outbox"), inbox = try directory("inbox")
        let convertible = try uncompressedFiles([.explicitVRLittleEndian, .explicitVRBigEndian,
                                                 .deflatedExplicitVRLittleEndian], in: outbox)
        let compressed = try compressedFiles(["dcmcjpls"], in: outbox)[0]
        let peer = try PeerProcess.storescp(["+xi", "-od", inbox.path])  // Implicit VR Little Endian only
        defer { peer.stop() }
        let run = try ToolRunner.run("dcmsend", ["--aet", "TESTSCU", "--called-aet", "STORESCP", "--json",
                                                 "127.0.0.1", "\(peer.port)", outbox.path])
        #expect(run.status == 0, "\(run.stderr)")
        let sent = try jsonLines(run.stdout).filter { $0["status"] as? String == "sent" }
        #expect(sent.count == 4)
        #expect(sent.allSatisfy { $0["transferSyntaxUID"] as? String == "1.2.840.10008.1.2" })
        #expect(run.stderr.contains("transcoding"), "\(run.stderr)")
        try expectSameContent(sent: convertible, receivedIn: inbox, others: 1)
        // The JPEG-LS file arrives decoded: same pixels, same attributes but Pixel Data.
        let uid = try DICOMFile(path: compressed.path, options: .headerOnly).dataSet.string(.sopInstanceUID)
        let transcoded = try #require(try FileInventory.files(under: [inbox.path]).first {
            try DICOMFile(path: $0, options: .headerOnly).dataSet.string(.sopInstanceUID) == uid
        })
        #expect(try DICOMFile(path: transcoded, options: .headerOnly).transferSyntax == .implicitVRLittleEndian)
        ImagingReferenceTests.expectEqual(try ImagingReferenceTests.decodedFrames(URL(fileURLWithPath: transcoded)),
                                          try ImagingReferenceTests.decodedFrames(compressed), "transcoded vs stored")
    }

    @Test func parallelAssociationsDeliverEveryFile() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = try directory("outbox"), inbox = try directory("inbox")
        let files = try SyntheticStudy(StudySpecification(instancesPerSeries: 12, instanceSize: 12 * 1024)).write(to: outbox)
        let peer = try PeerProcess.storescp(["--fork", "-od", inbox.path])
        defer { peer.stop() }
        let run = try ToolRunner.run("dcmsend", ["-j", "4", "127.0.0.1", "\(peer.port)", outbox.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.split(separator: "\n").filter { $0.hasPrefix("SENT") }.count == 12)
        #expect(run.stderr.contains("12 sent (0 with warnings), 0 failed, 0 skipped"))
        try expectSameContent(sent: files, receivedIn: inbox)
    }

    @Test func echoVerifiesAPeer() throws {
        let peer = try PeerProcess.storescp(["--ignore"])
        defer { peer.stop() }
        let run = try ToolRunner.run("dcmsend", ["--echo", "-aec", "STORESCP", "127.0.0.1", "\(peer.port)"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("C-ECHO"))
    }

    @Test func aClosedPortExits75() throws {
        let port = try LoopbackPort.free()
        let echo = try ToolRunner.run("dcmsend", ["--echo", "127.0.0.1", "\(port)"])
        #expect(echo.status == 75)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = try directory("outbox")
        try SyntheticStudy(StudySpecification(instancesPerSeries: 2, instanceSize: 12 * 1024)).write(to: outbox)
        let send = try ToolRunner.run("dcmsend", ["127.0.0.1", "\(port)", outbox.path])
        #expect(send.status == 75)
        #expect(send.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }.count == 2)
        #expect(send.stderr.contains("cannot reach 127.0.0.1:\(port)"))
    }

    @Test func aRejectedAssociationExits69() throws {
        let refusing = try PeerProcess.storescp(["--refuse"])
        defer { refusing.stop() }
        let refused = try ToolRunner.run("dcmsend", ["--echo", "127.0.0.1", "\(refusing.port)"])
        #expect(refused.status == 69)
        #expect(refused.stderr.contains("association rejected"))

        let strict = try PeerProcess.pynetdicomRequiringCalledAE("ARCHIVE")
        defer { strict.stop() }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = try directory("outbox")
        try SyntheticStudy(StudySpecification(instancesPerSeries: 1, instanceSize: 12 * 1024)).write(to: outbox)
        let wrongAE = try ToolRunner.run("dcmsend", ["-aec", "NOTARCHIVE", "127.0.0.1", "\(strict.port)", outbox.path])
        #expect(wrongAE.status == 69)
        #expect(wrongAE.stderr.contains("called AE title not recognized"), "\(wrongAE.stderr)")
    }
}
