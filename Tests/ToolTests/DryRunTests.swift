import DICOMCore
import DICOMSynthetic
import Foundation
import TandemSend
import Testing

/// `dcmsend --dry-run`: the technician's "what is in this folder?" tool.
@Suite struct DryRunTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dryrun-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func listsSendableAndSkippedFiles() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let study = SyntheticStudy(StudySpecification(instancesPerSeries: 3, instanceSize: 12 * 1024))
        let files = try study.write(to: folder.appendingPathComponent("study"))
        try Data("not an image\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        // A copy cut short inside its pixel data.
        let whole = try Data(contentsOf: files[0])
        try whole.prefix(whole.count - 100).write(to: folder.appendingPathComponent("cut.dcm"))

        let run = try ToolRunner.run("dcmsend", ["--dry-run", "--json", folder.path])
        #expect(run.status == 1)
        let lines = try jsonLines(run.stdout)
        #expect(lines.count == 5)
        let sendable = lines.filter { $0["status"] as? String == "sendable" }
        #expect(sendable.count == 3)
        #expect(Set(sendable.compactMap { $0["studyInstanceUID"] as? String }) == [study.studyInstanceUID])
        #expect(sendable.allSatisfy { $0["transferSyntaxUID"] as? String == "1.2.840.10008.1.2.1" })
        let skipped = Dictionary(uniqueKeysWithValues: lines.filter { $0["status"] as? String == "skipped" }
            .map { (URL(fileURLWithPath: $0["path"] as! String).lastPathComponent, $0["reason"] as! String) })
        #expect(skipped.keys.sorted() == ["cut.dcm", "notes.txt"])
        #expect(skipped["notes.txt"]?.hasPrefix("not a DICOM file") == true)
        #expect(skipped["cut.dcm"]?.contains("offset") == true)
    }

    @Test func everyFileSendableExitsZeroWithTextLines() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try SyntheticStudy(StudySpecification(instancesPerSeries: 2, instanceSize: 12 * 1024)).write(to: folder)
        let run = try ToolRunner.run("dcmsend", ["--dry-run", folder.path])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix("OK") && $0.contains("CT Image Storage") })
        #expect(run.stderr.contains("2 sendable, 0 skipped"))
    }

    @Test func onlyFilesThatAreNotDICOMExit65() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not an image\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try Data(repeating: 0, count: 200).write(to: folder.appendingPathComponent("zeros.bin"))
        let dryRun = try ToolRunner.run("dcmsend", ["--dry-run", folder.path])
        #expect(dryRun.status == 65)
        #expect(dryRun.stderr.contains("0 sendable, 2 skipped"))
        // Sending: refused as bad input before any association (nothing listens on port 9 here).
        let send = try ToolRunner.run("dcmsend", ["127.0.0.1", "9", folder.path])
        #expect(send.status == 65)
    }

    @Test func missingPathExits66() throws {
        let run = try ToolRunner.run("dcmsend", ["--dry-run", "/nonexistent/\(UUID().uuidString)"])
        #expect(run.status == 66)
        #expect(run.stderr.contains("no such file"))
    }

    /// Files pydicom reads only by guessing past an encoding error, which we (like DCMTK) report.
    static let knownMalformed = [
        // Its meta header names an explicit syntax, but the data set is in implicit VR.
        "SC_rgb_jpeg.dcm": "invalid VR",
    ]

    /// pydicom's own test files: real-world encodings, and some broken on purpose. Every file
    /// pydicom reads with a SOP Instance UID must be listed with the same UID, unless it is cut short.
    @Test func pydicomTestFilesAgreeWithPydicom() throws {
        let folder = try pydicomTestFiles()
        let run = try ToolRunner.run("dcmsend", ["--dry-run", "--json", folder])
        #expect(run.status == 1)
        let ours = Dictionary(uniqueKeysWithValues: try jsonLines(run.stdout).map { ($0["path"] as! String, $0) })
        let paths = try FileInventory.files(under: [folder])
        #expect(Set(ours.keys) == Set(paths))
        let oracle = try pydicomView(of: paths)
        for path in paths {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let line = try #require(ours[path])
            if name.contains("truncated") {
                #expect(line["status"] as? String == "skipped", "\(name) is cut short")
            } else if let reason = Self.knownMalformed[name] {
                #expect((line["reason"] as? String)?.contains(reason) == true, "\(name)")
            } else if let expected = oracle[path] as? [String: String] {
                #expect(line["status"] as? String == "sendable", "\(name): \(line["reason"] ?? "")")
                #expect(line["sopInstanceUID"] as? String == expected["sopInstanceUID"], "\(name)")
            }
        }
        for name in ["README.txt", "crayons.icc", "test1.json"] {
            #expect(ours[folder + "/" + name]?["status"] as? String == "skipped", "\(name)")
        }
    }

    func pydicomTestFiles() throws -> String {
        let locate = try ToolRunner.capture(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import pydicom, os; print(os.path.dirname(pydicom.__file__))"])
        let base = locate.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return base + "/data/test_files"
    }

    func pydicomView(of paths: [String]) throws -> [String: Any] {
        let script = ToolRunner.repositoryDirectory.appendingPathComponent("scripts/interop/pydicom-inventory.py")
        let run = try ToolRunner.capture(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path] + paths)
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
    }
}
