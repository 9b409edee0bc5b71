import DICOMCore
import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import TandemSend

@Suite struct SendReporterTests {
    final class Lines: Sendable {
        private let stored = NIOLockedValueBox<[String]>([])
        func append(_ line: String) { stored.withLockedValue { $0.append(line) } }
        var all: [String] { stored.withLockedValue { $0 } }
    }

    @Test func countsOutcomesAndPrintsJSONLinesWithASummary() throws {
        let lines = Lines()
        let reporter = SendReporter(json: true, showsProgress: false, totalFiles: 4, totalBytes: 3000,
                                    writeLine: lines.append)
        reporter.report(FileResult(path: "/a.dcm", sopInstanceUID: "1.1", transferSyntax: .explicitVRLittleEndian,
                                   bytes: 1000, outcome: .sent))
        reporter.report(FileResult(path: "/b.dcm", sopInstanceUID: "1.2", transferSyntax: .implicitVRLittleEndian,
                                   bytes: 2000, outcome: .sentWithWarning(status: 0xB000, comment: "coerced")))
        reporter.report(FileResult(path: "/c.dcm", sopInstanceUID: "1.3", transferSyntax: nil, bytes: 0,
                                   outcome: .failed(reason: "status A700H")))
        reporter.report(FileResult(path: "/d.txt", sopInstanceUID: nil, transferSyntax: nil, bytes: 0,
                                   outcome: .skipped(reason: "not a DICOM file")))
        let summary = reporter.finish()
        #expect(summary.sent == 2 && summary.warnings == 1 && summary.failed == 1 && summary.skipped == 1)
        #expect(summary.bytes == 3000)
        let objects = try lines.all.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["status"] as? String } == ["sent", "warning", "failed", "skipped", "summary"])
        #expect(objects[1]["dimseStatus"] as? String == "B000H")
        #expect(objects[1]["transferSyntaxUID"] as? String == "1.2.840.10008.1.2")
        #expect(objects[2]["reason"] as? String == "status A700H")
        #expect(objects[4]["sent"] as? Int == 2 && objects[4]["bytes"] as? Int == 3000)
    }

    @Test func textLinesStartWithTheOutcome() {
        let lines = Lines()
        let reporter = SendReporter(json: false, showsProgress: false, totalFiles: 2, totalBytes: 10, writeLine: lines.append)
        reporter.report(FileResult(path: "/a.dcm", sopInstanceUID: "1.1", transferSyntax: .explicitVRLittleEndian,
                                   bytes: 10, outcome: .sent))
        reporter.report(FileResult(path: "/b.dcm", sopInstanceUID: "1.2", transferSyntax: nil, bytes: 0,
                                   outcome: .failed(reason: "refused")))
        _ = reporter.finish()
        #expect(lines.all == ["SENT  /a.dcm  1.1  Explicit VR Little Endian  10 B", "FAIL  /b.dcm: refused"])
    }
}
