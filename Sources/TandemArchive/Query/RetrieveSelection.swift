import DICOMCore
import Foundation
import GRDB

/// What a C-MOVE or C-GET identifier asks for (PS3.4 C.4.2.2.1, C.4.3.2.1): the Query/Retrieve
/// Level and the Unique Keys of that level and the levels above it that the identifier gives.
/// Only Unique Keys select (a retrieve does no attribute matching); the level's own key is
/// required, a single value or a list of UIDs.
public struct RetrieveSelection: Sendable, Equatable {
    public let level: QueryLevel
    /// Each Unique Key given, with its values (one Patient ID; one UID or a UID list).
    public let uniqueKeys: [Tag: [String]]

    public init(identifier: DataSet, model: QueryInformationModel) throws(QueryError) {
        guard let levelText = identifier.string(.queryRetrieveLevel) else { throw .missingLevel }
        guard let level = QueryLevel(rawValue: levelText) else { throw .unknownLevel(levelText) }
        guard model.levels.contains(level) else { throw .levelNotInModel(level, model) }
        var keys: [Tag: [String]] = [:]
        for keyLevel in model.levels where keyLevel <= level {
            let tag = keyLevel.uniqueKey
            guard let value = identifier.string(tag), !value.isEmpty else {
                if keyLevel == level { throw .malformedValue(tag, "a retrieve at \(level.rawValue) level needs it") }
                continue
            }
            keys[tag] = try Self.values(value, of: tag)
        }
        self.level = level
        uniqueKeys = keys
    }

    private static func values(_ value: String, of tag: Tag) throws(QueryError) -> [String] {
        guard tag != .patientID else {
            guard value.count <= 64, !value.contains("\\") else {
                throw .malformedValue(tag, "a retrieve names one Patient ID")
            }
            return [value]
        }
        let uids = value.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)
        guard uids.count <= MatchingRule.maximumUIDListCount else {
            throw .tooManyValues(tag, count: uids.count, maximum: MatchingRule.maximumUIDListCount)
        }
        for uid in uids where !MatchingRule.isUID(uid) {
            throw .malformedValue(tag, "\(uid.prefix(80).debugDescription) is not a UID")
        }
        return uids
    }
}

/// An instance a retrieve sends: its UIDs and, when the index says it is present, its file.
public struct RetrievableInstance: Sendable, Equatable {
    public var sopInstanceUID: String
    public var sopClassUID: String
    /// Nil when the file is marked missing (start-up recovery did not find it).
    public var file: ArchivedFile?
}

/// What the index holds of one instance named in a storage commitment request.
public struct CommitmentCandidate: Sendable, Equatable {
    public var sopClassUID: String
    /// Nil when the file is marked missing.
    public var file: ArchivedFile?
}

extension ArchiveIndex {
    /// The instances `selection` names, series by series in arrival order, read in one snapshot.
    /// Only the rows are read: the files are opened as they are sent. A row whose file is still
    /// being flushed is left out (`UnflushedObjectSchema.settled`).
    public func instances(_ selection: RetrieveSelection) async throws -> [RetrievableInstance] {
        let columns: [Tag: String] = [.patientID: "p.patient_id", .studyInstanceUID: "s.study_uid",
                                      .seriesInstanceUID: "se.series_uid", .sopInstanceUID: "i.sop_instance_uid"]
        var terms = [UnflushedObjectSchema.settled("i")], arguments: StatementArguments = []
        for (tag, values) in selection.uniqueKeys.sorted(by: { $0.key < $1.key }) {
            guard let column = columns[tag] else { continue }
            terms.append("\(column) IN (SELECT value FROM json_each(?))")
            arguments += [MatchingRule.jsonArray(values)]
        }
        let sql = """
            SELECT i.sop_instance_uid, i.sop_class_uid, i.transfer_syntax_uid, i.file_path, i.file_size,
                   i.data_set_offset, i.missing_since
            FROM instance i JOIN series se ON se.id = i.series_ref JOIN study s ON s.id = se.study_ref
            JOIN patient p ON p.id = s.patient_ref
            WHERE \(terms.joined(separator: " AND "))
            ORDER BY se.id, i.id
            """
        let bound = arguments
        return try await database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { row in
                RetrievableInstance(sopInstanceUID: row["sop_instance_uid"], sopClassUID: row["sop_class_uid"],
                                    file: Self.archivedFile(row))
            }
        }
    }

    /// The index rows of the instances named, by SOP Instance UID; an instance the index does
    /// not hold, or whose file is still being flushed, is absent (not yet committed to keep).
    public func commitmentCandidates(_ sopInstanceUIDs: [String]) async throws -> [String: CommitmentCandidate] {
        let sql = """
            SELECT sop_instance_uid, sop_class_uid, transfer_syntax_uid, file_path, file_size, data_set_offset, missing_since
            FROM instance WHERE sop_instance_uid IN (SELECT value FROM json_each(?))
              AND \(UnflushedObjectSchema.settled("instance"))
            """
        return try await database.read { db in
            var candidates: [String: CommitmentCandidate] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: [MatchingRule.jsonArray(sopInstanceUIDs)]) {
                candidates[row["sop_instance_uid"]] = CommitmentCandidate(sopClassUID: row["sop_class_uid"],
                                                                          file: Self.archivedFile(row))
            }
            return candidates
        }
    }

    private static func archivedFile(_ row: Row) -> ArchivedFile? {
        guard row["missing_since"] as Date? == nil else { return nil }
        return ArchivedFile(filePath: row["file_path"], sopClassUID: row["sop_class_uid"],
                            transferSyntaxUID: row["transfer_syntax_uid"], fileSize: row["file_size"],
                            dataSetOffset: row["data_set_offset"])
    }
}
