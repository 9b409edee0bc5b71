import Foundation
import GRDB
import TandemArchive

/// One row of the worklist: a study as the reading room shows it.
struct WorklistStudy: Codable, Equatable, Sendable {
    struct Centre: Codable, Equatable, Sendable {
        /// The calling AE title the study came from.
        var ae: String
        /// Its `[[peer]] name`, when configured.
        var name: String?
    }

    var studyInstanceUID: String
    var patientName: String
    var patientID: String
    var birthDate: String?
    var sex: String?
    var modalities: [String]
    var description: String?
    var studyDate: String?
    var studyTime: String?
    var centre: Centre
    var series: Int
    var instances: Int
    var firstReceived: Date
    var lastReceived: Date
    /// Still receiving: an instance came less than `[web] study_stable_after` seconds ago.
    var arriving: Bool
    var status: ReadingStatus
}

/// A page of the worklist and how many studies the filter matches in all.
struct WorklistPage: Codable, Equatable, Sendable {
    var total: Int
    var offset: Int
    var limit: Int
    var studies: [WorklistStudy]
    var serverTime: Date
}

/// The previous and next study of the worklist's order around one study (the viewer's
/// previous/next study); nil at either end, or both nil when the filter does not match it.
struct WorklistNeighbours: Codable, Equatable, Sendable {
    var position: Int?
    var total: Int
    var previous: String?
    var next: String?
}

/// What the filters can choose from: the centres studies came from and the modalities present.
struct WorklistChoices: Codable, Equatable, Sendable {
    var centres: [WorklistStudy.Centre]
    var modalities: [String]
}

/// The worklist's reads over the index: SQL over indexed columns of `study` and `patient`, one
/// page at a time (docs/reading-room.md, "Worklist").
struct Worklist: Sendable {
    let index: ArchiveIndex
    let settings: WebSettings
    /// `[[peer]] name` by AE title.
    let centreNames: [String: String]

    init(index: ArchiveIndex, configuration: TandemConfiguration) {
        self.index = index
        settings = configuration.web
        centreNames = Dictionary(configuration.peers.compactMap { peer in peer.name.map { (peer.aeTitle, $0) } }) { first, _ in first }
    }

    private static let columns = """
        s.study_uid, s.study_date, s.study_time, s.description, s.modalities_in_study, s.number_of_series,
        s.number_of_instances, s.calling_ae, s.first_received_at, s.last_received_at, s.reading_user, s.reading_since,
        s.reading_heartbeat_at, \(ReadingState.sqlExpression) AS effective_state,
        p.patient_name, p.patient_id, p.birth_date, p.sex
        """

    func page(_ query: WorklistQuery, now: Date = Date()) throws -> WorklistPage {
        let (whereClause, arguments) = query.filter(readingExpiry: readingExpiry(now))
        return try index.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) \(WorklistQuery.from) \(whereClause)",
                                         arguments: arguments) ?? 0
            var pageArguments = arguments
            pageArguments += ["limit": query.limit, "offset": query.offset]
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.columns) \(WorklistQuery.from) \(whereClause) \(query.orderBy) LIMIT :limit OFFSET :offset
                """, arguments: pageArguments)
            return WorklistPage(total: total, offset: query.offset, limit: query.limit,
                                studies: rows.map { study(from: $0, now: now) }, serverTime: now)
        }
    }

    /// The studies before and after `studyUID` in the order `query` sorts and filters.
    func neighbours(of studyUID: String, in query: WorklistQuery, now: Date = Date()) throws -> WorklistNeighbours {
        let (whereClause, arguments) = query.filter(readingExpiry: readingExpiry(now))
        var allArguments = arguments
        allArguments += ["study": studyUID]
        return try index.read { db in
            let rows = try Row.fetchAll(db, sql: """
                WITH ordered AS (
                    SELECT s.study_uid AS uid, row_number() OVER (\(query.orderBy)) AS n, count(*) OVER () AS total
                    \(WorklistQuery.from) \(whereClause)
                ), me AS (SELECT n FROM ordered WHERE uid = :study)
                SELECT uid, n, total, (SELECT n FROM me) AS mine FROM ordered
                WHERE n BETWEEN (SELECT n FROM me) - 1 AND (SELECT n FROM me) + 1
                """, arguments: allArguments)
            guard let mine: Int = rows.first?["mine"] else {
                let total = try Int.fetchOne(db, sql: "SELECT count(*) \(WorklistQuery.from) \(whereClause)",
                                             arguments: arguments) ?? 0
                return WorklistNeighbours(position: nil, total: total)
            }
            let byPosition = Dictionary(rows.map { (($0["n"] as Int), ($0["uid"] as String)) }) { first, _ in first }
            return WorklistNeighbours(position: mine, total: rows[0]["total"], previous: byPosition[mine - 1],
                                      next: byPosition[mine + 1])
        }
    }

    func choices() throws -> WorklistChoices {
        try index.read { db in
            let aes = try String.fetchAll(db, sql: "SELECT DISTINCT calling_ae FROM study WHERE calling_ae <> '' ORDER BY calling_ae")
            let modalities = try String.fetchAll(db, sql: "SELECT DISTINCT modality FROM series WHERE modality <> '' ORDER BY modality")
            return WorklistChoices(centres: aes.map { .init(ae: $0, name: centreNames[$0]) }, modalities: modalities)
        }
    }

    func readingExpiry(_ now: Date) -> Date {
        now.addingTimeInterval(-TimeInterval(settings.readingTimeoutSeconds))
    }

    private func study(from row: Row, now: Date) -> WorklistStudy {
        let lastReceived: Date = row["last_received_at"]
        let modalities: String = row["modalities_in_study"]
        let ae: String = row["calling_ae"]
        let state = ReadingState(rawValue: row["effective_state"]) ?? .unread
        return WorklistStudy(
            studyInstanceUID: row["study_uid"], patientName: row["patient_name"], patientID: row["patient_id"],
            birthDate: row["birth_date"], sex: row["sex"],
            modalities: modalities.split(separator: "\\").map(String.init), description: row["description"],
            studyDate: row["study_date"], studyTime: row["study_time"], centre: .init(ae: ae, name: centreNames[ae]),
            series: row["number_of_series"], instances: row["number_of_instances"],
            firstReceived: row["first_received_at"] ?? lastReceived, lastReceived: lastReceived,
            arriving: now.timeIntervalSince(lastReceived) < TimeInterval(settings.studyStableAfterSeconds),
            status: ReadingStatus(state: state, user: state == .unread ? nil : row["reading_user"],
                                  since: state == .unread ? nil : row["reading_since"],
                                  heartbeat: state == .inProgress ? row["reading_heartbeat_at"] : nil))
    }
}
