import Foundation
import GRDB
import TandemArchive

/// A worklist request (`GET /api/worklist`, docs/reading-room.md) read from its query parameters:
/// filters, sort, page. Pure: a malformed or unknown parameter is a `Failure` (400) before the
/// index is read, and every value reaches SQL as a bound argument, never as text.
struct WorklistQuery: Equatable, Sendable {
    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The columns the list can be sorted by, with the SQL they sort on.
    enum SortKey: String, CaseIterable, Sendable {
        case patientName, patientID, birthDate, sex, modality, description, studyDate, centre, series, instances,
             arrival, status

        var expressions: [String] {
            switch self {
            case .patientName: ["p.patient_name"]
            case .patientID: ["p.patient_id"]
            case .birthDate: ["p.birth_date"]
            case .sex: ["p.sex"]
            case .modality: ["s.modalities_in_study"]
            case .description: ["s.description"]
            case .studyDate: ["s.study_date", "s.study_time"]
            case .centre: ["s.calling_ae"]
            case .series: ["s.number_of_series"]
            case .instances: ["s.number_of_instances"]
            case .arrival: ["s.first_received_at"]
            case .status: [ReadingState.sqlExpression]
            }
        }
    }

    /// Matched against the patient's name (any part, case and accents folded) or a Patient ID prefix.
    var text: String?
    /// Study Date range, inclusive, as `YYYYMMDD`.
    var dateFrom: String?
    var dateTo: String?
    var modality: String?
    /// A calling AE title.
    var centre: String?
    /// Any of these reading states (empty: all).
    var states: Set<ReadingState> = []
    var sort: SortKey = .arrival
    var descending = true
    var offset = 0
    var limit = Self.defaultLimit

    static let defaultLimit = 50
    static let maximumLimit = 500
    static let maximumParameters = 32
    static let maximumValueLength = 256

    init() {}

    /// - Parameter ignoring: parameters that belong to the caller, not to the filter (e.g. `study`).
    init(parameters: [(key: String, value: String)], ignoring: Set<String> = []) throws(Failure) {
        guard parameters.count <= Self.maximumParameters else { throw Failure("too many query parameters") }
        var seen: Set<String> = []
        for (name, value) in parameters where !ignoring.contains(name) {
            guard seen.insert(name).inserted else { throw Failure("\(name.prefix(32)) is given twice") }
            guard value.utf8.count <= Self.maximumValueLength else { throw Failure("the value of \(name.prefix(32)) is too long") }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            switch name {
            case "q": text = trimmed.isEmpty ? nil : trimmed
            case "from": dateFrom = try Self.date(trimmed, name)
            case "to": dateTo = try Self.date(trimmed, name)
            case "modality":
                guard trimmed.isEmpty || trimmed.utf8.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }),
                      trimmed.utf8.count <= 16 else { throw Failure("modality must be a code such as MR") }
                modality = trimmed.isEmpty ? nil : trimmed
            case "centre":
                guard trimmed.utf8.count <= 16 else { throw Failure("centre must be an AE title") }
                centre = trimmed.isEmpty ? nil : trimmed
            case "status":
                for word in trimmed.split(separator: ",") {
                    guard let state = ReadingState(rawValue: String(word)) else {
                        throw Failure("status must be unread, in-progress or read")
                    }
                    states.insert(state)
                }
            case "sort":
                guard let key = SortKey(rawValue: trimmed) else {
                    throw Failure("sort must be one of \(SortKey.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sort = key
            case "order":
                guard trimmed == "asc" || trimmed == "desc" else { throw Failure("order must be asc or desc") }
                descending = trimmed == "desc"
            case "offset":
                guard let number = Int(trimmed), number >= 0, number <= 10_000_000 else { throw Failure("offset must be 0 or more") }
                offset = number
            case "limit":
                guard let number = Int(trimmed), (1...Self.maximumLimit).contains(number) else {
                    throw Failure("limit must be 1...\(Self.maximumLimit)")
                }
                limit = number
            default:
                throw Failure("unknown parameter \(name.prefix(32))")
            }
        }
    }

    private static func date(_ text: String, _ name: String) throws(Failure) -> String? {
        if text.isEmpty { return nil }
        guard text.utf8.count == 8, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw Failure("\(name) must be a date YYYYMMDD")
        }
        return text
    }

    /// The tables every worklist statement reads.
    static let from = "FROM study s JOIN patient p ON p.id = s.patient_ref"

    /// The WHERE clause and its arguments. `readingExpiry` is the oldest heartbeat that still holds
    /// a study in progress.
    func filter(readingExpiry: Date) -> (sql: String, arguments: StatementArguments) {
        var terms: [String] = [], arguments: StatementArguments = ["expiry": readingExpiry]
        if let text {
            // Contains on the folded name (Family^Given, any part), prefix on the ID.
            terms.append("(p.patient_name_folded LIKE :name ESCAPE '\\' OR p.patient_id LIKE :id ESCAPE '\\')")
            arguments += ["name": Self.namePattern(text), "id": Self.escapeLike(text) + "%"]
        }
        if let dateFrom { terms.append("s.study_date >= :from"); arguments += ["from": dateFrom] }
        if let dateTo { terms.append("s.study_date <= :to"); arguments += ["to": dateTo] }
        if let modality {
            terms.append("instr('\\' || s.modalities_in_study || '\\', :modality) > 0")
            arguments += ["modality": "\\" + modality + "\\"]
        }
        if let centre { terms.append("s.calling_ae = :centre"); arguments += ["centre": centre] }
        if !states.isEmpty, states.count < ReadingState.allCases.count {
            terms.append("(" + states.sorted { $0.rawValue < $1.rawValue }.map(\.sqlCondition).joined(separator: " OR ") + ")")
        }
        return (terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND "), arguments)
    }

    /// ORDER BY for the sort, with the row id last so that equal keys keep a stable order.
    var orderBy: String {
        let direction = descending ? "DESC" : "ASC"
        return "ORDER BY " + (sort.expressions + ["s.id"]).map { "\($0) \(direction)" }.joined(separator: ", ")
    }

    /// LIKE pattern for any part of a folded name (the typed text's wildcards are literal).
    static func namePattern(_ text: String) -> String {
        "%" + escapeLike(NameFolding.fold(text)) + "%"
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

/// A study's reading status (docs/reading-room.md, "Reading status"). An in-progress study whose
/// reader has sent no heartbeat since `:expiry` is unread again, in every query and transition.
enum ReadingState: String, CaseIterable, Codable, Sendable {
    case unread, inProgress = "in-progress", read

    /// The effective state of study row `s`, as SQL (needs the `:expiry` argument).
    static let sqlExpression = """
        (CASE WHEN s.reading_state = 'in-progress' AND s.reading_heartbeat_at < :expiry THEN 'unread' \
        ELSE s.reading_state END)
        """

    /// Rows of study `s` in this effective state, as SQL the indices serve (needs `:expiry`).
    var sqlCondition: String {
        switch self {
        case .unread: "s.reading_state = 'unread' OR (s.reading_state = 'in-progress' AND s.reading_heartbeat_at < :expiry)"
        case .inProgress: "(s.reading_state = 'in-progress' AND s.reading_heartbeat_at >= :expiry)"
        case .read: "s.reading_state = 'read'"
        }
    }
}
