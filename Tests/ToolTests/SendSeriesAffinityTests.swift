import DICOMSynthetic
import Foundation
import Testing

/// `dcmsend -j N` keeps each series on one association, in walk order, however the walk
/// interleaves the series.
@Suite struct SendSeriesAffinityTests {
    @Test func interleavedSeriesEachGoOnOneAssociationInWalkOrder() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("send-affinity-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = scratch.appendingPathComponent("outbox")
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        // Four series written as S00n/I0000m.dcm, moved to one folder as I0000m-S00n.dcm: the walk
        // (name order) meets instance 1 of every series, then instance 2 of every series, and so on.
        let study = scratch.appendingPathComponent("study")
        for file in try SyntheticStudy(StudySpecification(seriesCount: 4, instancesPerSeries: 6, instanceSize: 8 * 1024))
            .write(to: study) {
            let series = file.deletingLastPathComponent().lastPathComponent
            let name = file.deletingPathExtension().lastPathComponent + "-" + series + ".dcm"
            try FileManager.default.moveItem(at: file, to: outbox.appendingPathComponent(name))
        }
        let record = scratch.appendingPathComponent("stored.txt")
        let peer = try PeerProcess.pynetdicomRecordingAssociations(into: record)
        defer { peer.stop() }

        let arguments = ["--json", "-j", "3", "127.0.0.1", "\(peer.port)", outbox.path]
        let run = try await offPool { try ToolRunner.run("dcmsend", arguments) }
        #expect(run.status == 0, "\(run.stderr)")
        let results = try run.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }.filter { $0["path"] != nil }
        #expect(results.count == 24 && results.allSatisfy { $0["status"] as? String == "sent" }, "\(run.stdout)")

        let stored = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(stored.count == 24, "\(stored)")
        var associationsBySeries: [Substring: Set<Substring>] = [:]
        var instancesBySeries: [Substring: [String]] = [:]
        for line in stored where line.count == 3 {
            associationsBySeries[line[1], default: []].insert(line[0])
            instancesBySeries[line[1], default: []].append(String(line[2]))
        }
        #expect(associationsBySeries.count == 4)
        for (series, associations) in associationsBySeries {
            #expect(associations.count == 1, "series \(series) came on associations \(associations.sorted())")
        }
        print("dcmsend -j 3, four interleaved series: associations \(associationsBySeries.values.map { $0.sorted() })")

        // Each series arrived in walk order: its files' SOP Instance UIDs by the files' names.
        let instanceByPath = Dictionary(uniqueKeysWithValues: results.compactMap { result -> (String, String)? in
            guard let path = result["path"] as? String, let uid = result["sopInstanceUID"] as? String else { return nil }
            return (path, uid)
        })
        for series in ["S001", "S002", "S003", "S004"] {
            let walked = instanceByPath.keys.filter { $0.hasSuffix("-\(series).dcm") }.sorted().compactMap { instanceByPath[$0] }
            #expect(walked.count == 6)
            #expect(instancesBySeries.values.contains(walked), "\(series) did not arrive in walk order")
        }
    }
}
