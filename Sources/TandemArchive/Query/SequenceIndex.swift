import DICOMCore
import GRDB

/// The sequences the index keeps for Sequence Matching (PS3.4 C.2.2.2.6): those that
/// workstations and reporting systems send as query keys, each owned by the entity whose module
/// holds it. Their items' text attributes are rows of `sequence_attribute` (migration
/// "sequence-keys"), written at ingest in the instance's own transaction.
enum SequenceIndex {
    /// Each indexed sequence and the entity it belongs to (the first instance's items are kept,
    /// as for the entity's other attributes).
    static let owners: [Tag: IndexEntity] = [
        .referencedPatientSequence: .patient,                  // Patient module
        .referencedStudySequence: .study,                      // General Study module
        .procedureCodeSequence: .study,
        .requestAttributesSequence: .series,                   // General Series module
        .referencedPerformedProcedureStepSequence: .series,
        .performedProtocolCodeSequence: .series,
        .anatomicRegionSequence: .instance,                    // General Anatomy macros
        .conceptNameCodeSequence: .instance,                   // SR Document Content
    ]

    /// Items kept per sequence, and the longest value kept: enough for every real sequence of
    /// this list, a bound for hostile ones (`ReadOptions` already bounds what is parsed).
    static let maximumItems = 32
    static let maximumValueLength = 1024

    static func sequenceTags(of entity: IndexEntity) -> [Tag] {
        owners.filter { $0.value == entity }.map(\.key).sorted()
    }

    /// How an item attribute of this VR is matched; nil for VRs the index does not keep
    /// (binary values, nested sequences, and the unlimited-text VRs LT, ST, UT, UR).
    static func matching(of vr: VR) -> QueryAttribute.Matching? {
        switch vr {
        case .UI: .uid
        case .DA: .date
        case .TM: .time
        case .PN: .personName(foldedColumn: nil)
        case let vr where vr.allowsMultipleTextValues: .text
        default: nil
        }
    }

    /// The indexed sequences of a data set: each item's text attributes, decoded to Unicode.
    static func sequences(of dataSet: DataSet) -> [SequenceAttributes] {
        owners.keys.sorted().compactMap { tag in
            guard let items = dataSet.items(tag), !items.isEmpty else { return nil }
            let kept = items.prefix(maximumItems).map { item in
                var attributes: [Tag: String] = [:]
                // Private attributes are never query keys (`QueryError.unknownAttribute`).
                for element in item where matching(of: element.vr) != nil && !element.tag.isGroupLength
                    && !element.tag.isPrivate {
                    guard let text = item.string(element.tag), !text.isEmpty,
                          text.unicodeScalars.count <= maximumValueLength else { continue }
                    attributes[element.tag] = text
                }
                return attributes
            }
            return SequenceAttributes(tag: tag, items: kept)
        }
    }

    static func createSchema(_ db: Database) throws {
        // Keyed for the two reads: an owner's items (return keys, matched items) by the primary
        // key, the owners of a value (matching) by the value index.
        try db.execute(sql: """
            CREATE TABLE sequence_attribute (
                sequence_tag INTEGER NOT NULL,
                owner_ref INTEGER NOT NULL,
                item INTEGER NOT NULL,
                tag INTEGER NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (sequence_tag, owner_ref, item, tag)
            ) WITHOUT ROWID;
            CREATE INDEX sequence_attribute_on_value ON sequence_attribute (sequence_tag, tag, value);
            """)
        // Instances indexed before this migration: `ArchiveIndex.fillSequenceKeys` reads their
        // files after start-up, in id order, and removes the row when it is done.
        try db.execute(sql: """
            CREATE TABLE sequence_backfill (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                next_instance_ref INTEGER NOT NULL,
                last_instance_ref INTEGER NOT NULL
            );
            INSERT INTO sequence_backfill (id, next_instance_ref, last_instance_ref)
                SELECT 1, min(id), max(id) FROM instance HAVING count(*) > 0;
            """)
    }

    /// Writes the record's sequences for their owners, unless the owner already has that
    /// sequence (an earlier instance of the study or series brought it).
    static func insert(_ sequences: [SequenceAttributes], owners ownerIDs: [IndexEntity: Int64], _ db: Database) throws {
        for sequence in sequences {
            guard let entity = owners[sequence.tag], let ownerID = ownerIDs[entity] else { continue }
            let tag = Int64(sequence.tag.value)
            if entity != .instance, try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM sequence_attribute WHERE sequence_tag = ? AND owner_ref = ?)
                """), arguments: [tag, ownerID]) == true {
                continue
            }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO sequence_attribute (sequence_tag, owner_ref, item, tag, value) VALUES (?, ?, ?, ?, ?)
                """)
            for (index, item) in sequence.items.enumerated() {
                for (attribute, value) in item {
                    try insert.execute(arguments: [tag, ownerID, index, Int64(attribute.value), value])
                }
            }
        }
    }

    /// Removes the sequences of an entity row that was deleted.
    static func remove(_ entity: IndexEntity, id: Int64, _ db: Database) throws {
        let tags = sequenceTags(of: entity).map { String($0.value) }.joined(separator: ", ")
        try db.execute(sql: "DELETE FROM sequence_attribute WHERE sequence_tag IN (\(tags)) AND owner_ref = ?",
                       arguments: [id])
    }
}

/// An indexed sequence of an instance (`SequenceIndex.owners`): each item's text attributes,
/// decoded to Unicode, a multi-valued one as its backslash-separated text.
public struct SequenceAttributes: Sendable, Equatable {
    public var tag: Tag
    public var items: [[Tag: String]]

    public init(tag: Tag, items: [[Tag: String]]) {
        self.tag = tag
        self.items = items
    }
}
