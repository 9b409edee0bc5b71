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
            let total = try count(db, whereClause, arguments, query: query)
            var pageArguments = arguments
            pageArguments += ["limit": query.limit, "offset": query.offset]
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.columns) \(WorklistQuery.from) \(whereClause) \(query.orderBy) LIMIT :limit OFFSET :offset
                """, arguments: pageArguments)
            return WorklistPage(total: total, offset: query.offset, limit: query.limit,
                                studies: rows.map { study(from: $0, now: now) }, serverTime: now)
        }
    }

    /// The studies before and after `studyUID` in the order `query` sorts and filters: its sort
    /// key is read, then the nearest row on either side is found by comparing keys (an index
    /// walk with LIMIT 1, not a numbering of every matching study).
    func neighbours(of studyUID: String, in query: WorklistQuery, now: Date = Date()) throws -> WorklistNeighbours {
        let (whereClause, arguments) = query.filter(readingExpiry: readingExpiry(now))
        let keys = query.sort.expressions + ["s.id"]
        return try index.read { db in
            let total = try count(db, whereClause, arguments, query: query)
            var keyArguments = arguments
            keyArguments += ["study": studyUID]
            let selectKeys = keys.enumerated().map { "\($1) AS k\($0)" }.joined(separator: ", ")
            guard let keyRow = try Row.fetchOne(db, sql: """
                SELECT \(selectKeys) \(WorklistQuery.from) \(Self.and(whereClause, "s.study_uid = :study"))
                """, arguments: keyArguments) else {
                return WorklistNeighbours(position: nil, total: total)
            }
            let values: [DatabaseValue] = keys.indices.map { keyRow["k\($0)"] }
            var bound = arguments
            for (index, value) in values.enumerated() { bound += ["k\(index)": value] }
            // In a descending list the next study has the smaller key.
            let later = Self.comparison(keys, values, greater: !query.descending)
            let earlier = Self.comparison(keys, values, greater: query.descending)
            var reversed = query
            reversed.descending.toggle()
            let next = try String.fetchOne(db, sql: """
                SELECT s.study_uid \(WorklistQuery.from) \(Self.and(whereClause, later)) \(query.orderBy) LIMIT 1
                """, arguments: bound)
            let previous = try String.fetchOne(db, sql: """
                SELECT s.study_uid \(WorklistQuery.from) \(Self.and(whereClause, earlier)) \(reversed.orderBy) LIMIT 1
                """, arguments: bound)
            let before = try Int.fetchOne(db, sql: """
                SELECT count(*) \(WorklistQuery.from) \(Self.and(whereClause, earlier))
                """, arguments: bound) ?? 0
            return WorklistNeighbours(position: before + 1, total: total, previous: previous, next: next)
        }
    }

    /// Rows whose key tuple sorts after (`greater`) or before the bound values `:k0`, `:k1`…,
    /// lexicographically, with NULL lowest as SQLite sorts it.
    static func comparison(_ keys: [String], _ values: [DatabaseValue], greater: Bool) -> String {
        func strictly(_ index: Int) -> String {
            let (expression, isNull) = (keys[index], values[index].isNull)
            if greater { return isNull ? "\(expression) IS NOT NULL" : "\(expression) > :k\(index)" }
            return isNull ? "0" : "(\(expression) IS NULL OR \(expression) < :k\(index))"
        }
        var condition = strictly(keys.count - 1)
        for index in stride(from: keys.count - 2, through: 0, by: -1) {
            condition = "(\(strictly(index)) OR (\(keys[index]) IS :k\(index) AND \(condition)))"
        }
        return condition
    }

    static func and(_ whereClause: String, _ condition: String) -> String {
        whereClause.isEmpty ? "WHERE \(condition)" : "\(whereClause) AND \(condition)"
    }

    /// The number of studies the filter matches; the patient table is joined only when the
    /// filter reads it (every study has exactly one patient row).
    private func count(_ db: Database, _ whereClause: String, _ arguments: StatementArguments,
                       query: WorklistQuery) throws -> Int {
        let from = query.text == nil ? "FROM study s" : WorklistQuery.from
        return try Int.fetchOne(db, sql: "SELECT count(*) \(from) \(whereClause)", arguments: arguments) ?? 0
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
