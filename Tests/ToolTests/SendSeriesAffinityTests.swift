import DICOMCore
import DICOMSynthetic
import Foundation
import Testing

/// `dcmsend -j N` keeps each series on one association, in walk order, however the walk
/// interleaves the series.
@Suite struct SendSeriesAffinityTests {
    /// What the peer stored, line by line: association number, Series and SOP Instance UIDs.
    struct Stored {
        let association: Substring
        let seriesInstanceUID: Substring
        let sopInstanceUID: String
    }

    struct Outcome {
        let run: ToolRun
        /// dcmsend's result lines: path to (status, SOP Instance UID).
        let results: [String: (status: String, sopInstanceUID: String?)]
        let stored: [Stored]
        let abortedAssociations: [Substring]

        var associationsBySeries: [Substring: Set<Substring>] {
            stored.reduce(into: [:]) { $0[$1.seriesInstanceUID, default: []].insert($1.association) }
        }
    }

    /// Four series of six written as S00n/I0000m.dcm, moved to one folder as I0000m-S00n.dcm:
    /// the walk (name order) meets instance 1 of every series, then instance 2 of every series,
    /// and so on. Sent by `dcmsend -j 3` to a pynetdicom peer that records the associations.
    func sendInterleavedSeries(abortingAt: Int = 0) async throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("send-affinity-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outbox = scratch.appendingPathComponent("outbox")
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        let study = scratch.appendingPathComponent("study")
        for file in try SyntheticStudy(StudySpecification(seriesCount: 4, instancesPerSeries: 6, instanceSize: 8 * 1024))
            .write(to: study) {
            let series = file.deletingLastPathComponent().lastPathComponent
            let name = file.deletingPathExtension().lastPathComponent + "-" + series + ".dcm"
            try FileManager.default.moveItem(at: file, to: outbox.appendingPathComponent(name))
        }
        let record = scratch.appendingPathComponent("stored.txt")
        let peer = try PeerProcess.pynetdicomRecordingAssociations(into: record, abortingAt: abortingAt)
        defer { peer.stop() }
        let arguments = ["--json", "-j", "3", "127.0.0.1", "\(peer.port)", outbox.path]
        let run = try await BlockingWork.run { try ToolRunner.run("dcmsend", arguments) }

        var results: [String: (status: String, sopInstanceUID: String?)] = [:]
        for line in run.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let path = object["path"] as? String else { continue }
            #expect(results[path] == nil, "\(path) reported twice")
            results[path] = (object["status"] as? String ?? "", object["sopInstanceUID"] as? String)
        }
        let lines = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.allSatisfy { $0.count == 3 }, "\(lines)")
        let stored = lines.filter { $0.count == 3 && $0[1] != "aborted" }
            .map { Stored(association: $0[0], seriesInstanceUID: $0[1], sopInstanceUID: String($0[2])) }
        let aborted = lines.filter { $0.count == 3 && $0[1] == "aborted" }.map { $0[0] }
        return Outcome(run: run, results: results, stored: stored, abortedAssociations: aborted)
    }

    @Test func interleavedSeriesEachGoOnOneAssociationInWalkOrder() async throws {
        let outcome = try await sendInterleavedSeries()
        #expect(outcome.run.status == 0, "\(outcome.run.stderr)")
        #expect(outcome.results.count == 24 && outcome.results.values.allSatisfy { $0.status == "sent" }, "\(outcome.run.stdout)")
        #expect(outcome.stored.count == 24)
        let associationsBySeries = outcome.associationsBySeries
        #expect(associationsBySeries.count == 4)
        for (series, associations) in associationsBySeries {
            #expect(associations.count == 1, "series \(series) came on associations \(associations.sorted())")
        }
        print("dcmsend -j 3, four interleaved series: associations \(associationsBySeries.values.map { $0.sorted() })")

        // Each series arrived in walk order: its files' SOP Instance UIDs by the files' names.
        let arrived = Dictionary(grouping: outcome.stored, by: \.seriesInstanceUID).values.map { $0.map(\.sopInstanceUID) }
        for series in ["S001", "S002", "S003", "S004"] {
            let walked = outcome.results.keys.filter { $0.hasSuffix("-\(series).dcm") }.sorted()
                .compactMap { outcome.results[$0]?.sopInstanceUID }
            #expect(walked.count == 6)
            #expect(arrived.contains(walked), "\(series) did not arrive in walk order")
        }
    }

    /// The peer aborts the association bringing a series' third instance: the files that
    /// association had outstanding fail, the rest of its series goes on one other association
    /// (or fails, had the other lanes already finished), and no file is lost or sent twice.
    @Test func aSeriesWhoseAssociationIsAbortedGoesOnOnOneOtherAndNoFileIsLost() async throws {
        let outcome = try await sendInterleavedSeries(abortingAt: 3)
        #expect(outcome.run.status == 76, "\(outcome.run.stderr)")  // an abort ranks over failed files
        #expect(outcome.results.count == 24, "\(outcome.run.stdout)")
        #expect(outcome.results.values.allSatisfy { ["sent", "failed"].contains($0.status) }, "\(outcome.run.stdout)")
        #expect(outcome.results.values.contains { $0.status == "failed" })
        let storedInstances = Set(outcome.stored.map(\.sopInstanceUID))
        #expect(storedInstances.count == outcome.stored.count, "an instance was stored twice")
        for (path, result) in outcome.results {
            if result.status == "sent" { #expect(storedInstances.contains(result.sopInstanceUID ?? ""), "\(path)") }
        }
        let aborted = try #require(outcome.abortedAssociations.first)
        #expect(outcome.abortedAssociations.count == 1)
        for (series, associations) in outcome.associationsBySeries {
            let limit = associations.contains(aborted) ? 2 : 1
            #expect(associations.count <= limit, "series \(series) came on associations \(associations.sorted())")
        }
        print("dcmsend -j 3, association \(aborted) aborted: associations \(outcome.associationsBySeries.values.map { $0.sorted() }), "
              + "\(outcome.results.values.filter { $0.status == "failed" }.count) files failed")
    }
}
