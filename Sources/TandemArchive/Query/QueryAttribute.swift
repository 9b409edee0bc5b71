import DICOMCore

/// An attribute the index can match on or return, and where its value lives. The table is the
/// union of the keys of PS3.4 C.6.1.1 and C.6.2.1 that the index keeps, plus QIDO-RS's
/// defaults (PS3.18 §10.6.3.3) where they are indexed.
struct QueryAttribute: Sendable {
    /// How query values are matched (PS3.4 C.2.2.2), derived from the VR and the storage.
    enum Matching: Sendable {
        /// Single value, `*`/`?` wildcards, universal (AE, CS, LO, SH…).
        case text
        /// As text, plus the case-insensitive option and `patient_name_folded` when indexed.
        case personName(foldedColumn: String?)
        /// Single value, UID list, universal.
        case uid
        /// Single value, range, universal (DA).
        case date
        /// Single value (to its precision), range, universal (TM).
        case time
        /// Single value, universal (IS stored as INTEGER).
        case integer
        /// CS of a study matched against the modality of any of its series.
        case modalitiesInStudy
        /// Computed or multi-valued: returned, never matched (a value is treated as universal,
        /// as PS3.4 C.2.2.1.2 allows for optional keys an SCP does not match on).
        case returnOnly
    }

    let tag: Tag
    let vr: VR
    let entity: IndexEntity
    /// SQL expression of the value over the query's aliases (`p`, `s`, `se`, `i`).
    let expression: String
    let matching: Matching
    /// Stored as a backslash-separated list (Modalities in Study, SOP Classes in Study).
    var isMultiValued = false
    /// The WHERE clause of the partial index on the column: repeated beside every non-universal
    /// match (which implies it), since SQLite uses a partial index only when the query states it.
    var partialIndexCondition: String?

    static let all: [QueryAttribute] = [
        // Patient (PS3.4 Table C.6-1; at STUDY level in Study Root, Table C.6-5).
        .init(tag: .patientName, vr: .PN, entity: .patient, expression: "p.patient_name",
              matching: .personName(foldedColumn: "p.patient_name_folded")),
        .init(tag: .patientID, vr: .LO, entity: .patient, expression: "p.patient_id", matching: .text,
              partialIndexCondition: "p.patient_id <> ''"),
        .init(tag: .issuerOfPatientID, vr: .LO, entity: .patient, expression: "p.issuer_of_patient_id", matching: .text),
        .init(tag: .patientBirthDate, vr: .DA, entity: .patient, expression: "p.birth_date", matching: .date),
        .init(tag: .patientSex, vr: .CS, entity: .patient, expression: "p.sex", matching: .text),
        .init(tag: .numberOfPatientRelatedStudies, vr: .IS, entity: .patient,
              expression: "(SELECT count(*) FROM study WHERE patient_ref = p.id)", matching: .returnOnly),
        .init(tag: .numberOfPatientRelatedSeries, vr: .IS, entity: .patient,
              expression: "(SELECT coalesce(sum(number_of_series), 0) FROM study WHERE patient_ref = p.id)", matching: .returnOnly),
        .init(tag: .numberOfPatientRelatedInstances, vr: .IS, entity: .patient,
              expression: "(SELECT coalesce(sum(number_of_instances), 0) FROM study WHERE patient_ref = p.id)",
              matching: .returnOnly),
        // Study (Table C.6-2 and C.6-5).
        .init(tag: .studyInstanceUID, vr: .UI, entity: .study, expression: "s.study_uid", matching: .uid),
        .init(tag: .studyDate, vr: .DA, entity: .study, expression: "s.study_date", matching: .date),
        .init(tag: .studyTime, vr: .TM, entity: .study, expression: "s.study_time", matching: .time),
        .init(tag: .accessionNumber, vr: .SH, entity: .study, expression: "s.accession_number", matching: .text),
        .init(tag: .studyID, vr: .SH, entity: .study, expression: "s.study_id", matching: .text),
        .init(tag: .studyDescription, vr: .LO, entity: .study, expression: "s.description", matching: .text),
        .init(tag: .referringPhysicianName, vr: .PN, entity: .study, expression: "s.referring_physician",
              matching: .personName(foldedColumn: nil)),
        .init(tag: .modalitiesInStudy, vr: .CS, entity: .study, expression: "s.modalities_in_study",
              matching: .modalitiesInStudy, isMultiValued: true),
        .init(tag: .sopClassesInStudy, vr: .UI, entity: .study, expression: "s.sop_classes_in_study",
              matching: .returnOnly, isMultiValued: true),
        .init(tag: .numberOfStudyRelatedSeries, vr: .IS, entity: .study, expression: "s.number_of_series",
              matching: .returnOnly),
        .init(tag: .numberOfStudyRelatedInstances, vr: .IS, entity: .study, expression: "s.number_of_instances",
              matching: .returnOnly),
        // Series (Table C.6-3).
        .init(tag: .seriesInstanceUID, vr: .UI, entity: .series, expression: "se.series_uid", matching: .uid),
        .init(tag: .modality, vr: .CS, entity: .series, expression: "se.modality", matching: .text),
        .init(tag: .seriesNumber, vr: .IS, entity: .series, expression: "se.series_number", matching: .integer),
        .init(tag: .seriesDescription, vr: .LO, entity: .series, expression: "se.description", matching: .text),
        .init(tag: .bodyPartExamined, vr: .CS, entity: .series, expression: "se.body_part", matching: .text),
        .init(tag: .numberOfSeriesRelatedInstances, vr: .IS, entity: .series, expression: "se.number_of_instances",
              matching: .returnOnly),
        // Composite object instance (Table C.6-4).
        .init(tag: .sopInstanceUID, vr: .UI, entity: .instance, expression: "i.sop_instance_uid", matching: .uid),
        .init(tag: .sopClassUID, vr: .UI, entity: .instance, expression: "i.sop_class_uid", matching: .uid),
        .init(tag: .instanceNumber, vr: .IS, entity: .instance, expression: "i.instance_number", matching: .integer),
        .init(tag: .availableTransferSyntaxUID, vr: .UI, entity: .instance, expression: "i.transfer_syntax_uid",
              matching: .uid),
    ]

    static let byTag: [Tag: QueryAttribute] = Dictionary(uniqueKeysWithValues: all.map { ($0.tag, $0) })

    /// Tags that steer the query rather than match (PS3.4 C.4.1.1.3): not keys.
    static let controlTags: Set<Tag> = [.specificCharacterSet, .queryRetrieveLevel]
}

/// The attributes an information model offers at a level, for QIDO-RS `includefield=all` and
/// for documenting what C-FIND answers: every indexed attribute of that level and the levels above.
public enum QueryAttributes {
    public static func supported(at level: QueryLevel, in model: QueryInformationModel) -> [Tag] {
        QueryAttribute.all.filter { model.level(of: $0.entity) <= level }.map(\.tag)
    }

    /// The index's attributes for exactly this level.
    public static func keys(of level: QueryLevel, in model: QueryInformationModel) -> [Tag] {
        QueryAttribute.all.filter { model.level(of: $0.entity) == level }.map(\.tag)
    }

    /// The VR the index returns an attribute with, nil for an attribute it does not keep.
    public static func vr(of tag: Tag) -> VR? {
        QueryAttribute.byTag[tag]?.vr
    }
}
