import DICOMCore
import DICOMImaging
import DICOMSynthetic
import Foundation
import Testing

/// dcmweb streams: a large STOW-RS body goes to disk and a large WADO-RS study comes from disk,
/// a compressed multi-frame instance is transcoded a frame at a time; dcmweb's peak RSS
/// (/proc/PID/status VmHWM) stays within a bound above its idle peak. scripts/bench/web-memory.sh
/// measures the same at 2 GB with a release build.
@Suite("dcmweb memory", .serialized)
struct WebMemoryTests {
    /// Peak resident set of a running process, in bytes.
    static func peakResident(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else {
            throw ExternalTool.Failure("no VmHWM in /proc/\(pid)/status")
        }
        return kilobytes << 10
    }

    /// A STOW-RS body holding `files`, written to `body` a chunk at a time.
    static func writeMultipart(_ files: [URL], boundary: String, to body: URL) throws {
        _ = FileManager.default.createFile(atPath: body.path, contents: nil)
        let out = try FileHandle(forWritingTo: body)
        defer { try? out.close() }
        for file in files {
            try out.write(contentsOf: Data("--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n".utf8))
            let input = try FileHandle(forReadingFrom: file)
            while let chunk = try input.read(upToCount: 8 << 20), !chunk.isEmpty { try out.write(contentsOf: chunk) }
            try input.close()
            try out.write(contentsOf: Data("\r\n".utf8))
        }
        try out.write(contentsOf: Data("--\(boundary)--\r\n".utf8))
    }

    static func stow(_ body: URL, boundary: String, to web: RunningWeb) async throws -> HTTPExchange {
        // -T streams the file (--data-binary would read it whole into curl first).
        try await HTTPExchange.curl(WebTests.basic("tech") + [
            "-X", "POST", "-T", body.path, "--max-time", "600",
            "-H", "Content-Type: multipart/related; type=\"application/dicom\"; boundary=\(boundary)",
            web.url + "/dicomweb/studies"])
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-web-memory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("STOW-RS of a 1 GiB study (16 x 64 MiB) and its WADO-RS retrieve leave dcmweb's peak RSS under 100 MiB above idle")
    func largeStudy() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let instances = 16, instanceSize = 64 << 20
        let body = directory.appendingPathComponent("stow.body")
        let (study, studyBytes) = try await BlockingWork.run { () throws -> (String, Int) in
            let files = try SyntheticStudy(StudySpecification(modality: .CT, seriesCount: 1, instancesPerSeries: instances,
                                                              instanceSize: instanceSize, patientID: "BIG-1"))
                .write(to: directory.appendingPathComponent("study"))
            try Self.writeMultipart(files, boundary: "bigstudy", to: body)
            let uid = try DICOMFile(path: files[0].path, options: .headerOnly).dataSet.string(.studyInstanceUID) ?? ""
            let bytes = try files.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int ?? 0) }
            try FileManager.default.removeItem(at: directory.appendingPathComponent("study"))
            return (uid, bytes)
        }
        let pid = web.process.processIdentifier
        #expect(try await HTTPExchange.curl(WebTests.basic("tech") + [web.url + "/dicomweb/studies"]).status == 200)
        let idle = try Self.peakResident(pid)

        let stored = try await Self.stow(body, boundary: "bigstudy", to: web)
        #expect(stored.status == 200, "\(stored.text.prefix(500))")
        let afterStow = try Self.peakResident(pid)
        try FileManager.default.removeItem(at: body)

        let retrieved = directory.appendingPathComponent("retrieved")
        let run = try await ExternalTool.runOffPool("curl", WebTests.basic("tech") + [
            "-s", "-S", "--max-time", "600", "-o", retrieved.path, "-w", "%{http_code} %{size_download}",
            "-H", "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=*",
            web.url + "/dicomweb/studies/\(study)"])
        let fields = run.stdout.split(separator: " ")
        #expect(fields.first == "200", "\(run.stdout) \(run.stderr)")
        let downloaded = Int(fields.last ?? "") ?? 0
        let afterRetrieve = try Self.peakResident(pid)
        print("dcmweb peak RSS: idle \(idle >> 20) MiB, after STOW-RS of \(studyBytes >> 20) MiB "
              + "\(afterStow >> 20) MiB, after WADO-RS of \(downloaded >> 20) MiB \(afterRetrieve >> 20) MiB")
        #expect(downloaded > studyBytes)
        #expect(afterStow - idle < 100 << 20, "STOW-RS: \(idle >> 20) -> \(afterStow >> 20) MiB")
        #expect(afterRetrieve - idle < 100 << 20, "WADO-RS: \(idle >> 20) -> \(afterRetrieve >> 20) MiB")
        #expect(web.stop() == 0)
    }

    @Test("WADO-RS of a 3,000-frame JPEG-LS MR as Explicit VR Little Endian (375 MiB decoded) streams frame by frame: peak RSS under 64 MiB above idle")
    func transcodedInstance() async throws {
        let web = try RunningWeb()
        defer { web.remove() }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let frames = TranscodeMemoryTests.frames
        let compressed = try await TranscodeMemoryTests.jpegLSMR(in: directory)
        let body = directory.appendingPathComponent("stow.body")
        try Self.writeMultipart([compressed], boundary: "jls", to: body)
        #expect(try await Self.stow(body, boundary: "jls", to: web).status == 200)
        let header = try DICOMFile(path: compressed.path, options: .headerOnly).dataSet
        let path = ["studies", header.string(.studyInstanceUID), "series", header.string(.seriesInstanceUID),
                    "instances", header.string(.sopInstanceUID)].map { $0 ?? "" }.joined(separator: "/")

        let pid = web.process.processIdentifier
        let idle = try Self.peakResident(pid)
        let retrieved = directory.appendingPathComponent("retrieved")
        let run = try await ExternalTool.runOffPool("curl", WebTests.basic("tech") + [
            "-s", "-S", "--max-time", "600", "-o", retrieved.path, "-w", "%{http_code}",
            "-H", "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=\(TransferSyntax.explicitVRLittleEndian.uid)",
            web.url + "/dicomweb/" + path])
        #expect(run.stdout == "200", "\(run.stdout) \(run.stderr)")
        let peak = try Self.peakResident(pid)
        print("dcmweb peak RSS: idle \(idle >> 20) MiB, after transcoding 3,000 JPEG-LS frames over WADO-RS \(peak >> 20) MiB")
        #expect(peak - idle < 64 << 20, "\(idle >> 20) -> \(peak >> 20) MiB")

        // The one part, cut out of the multipart body, is the instance in Explicit VR Little Endian with every frame.
        let response = try Data(contentsOf: retrieved)
        let headEnd = try #require(response.firstRange(of: Data("\r\n\r\n".utf8)))
        let closing = try #require(response.range(of: Data("\r\n--".utf8), options: .backwards))
        let part = directory.appendingPathComponent("part.dcm")
        try response[headEnd.upperBound..<closing.lowerBound].write(to: part)
        #expect(String(decoding: response[..<headEnd.lowerBound], as: UTF8.self).contains(TransferSyntax.explicitVRLittleEndian.uid))
        let ours = try DICOMImage(path: part.path), stored = try DICOMImage(path: compressed.path)
        #expect(ours.file.transferSyntax == .explicitVRLittleEndian)
        #expect(ours.frameCount == frames)
        for index in [0, frames - 1] {
            #expect(try ours.decodedFrame(index).bytes == stored.decodedFrame(index).bytes, "frame \(index + 1)")
        }
        #expect(web.stop() == 0)
    }
}
