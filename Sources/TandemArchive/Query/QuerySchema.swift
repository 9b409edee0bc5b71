import GRDB

/// The index's columns for query keys the catalogue did not keep (migration "query-keys"):
/// a folded copy of Patient Name for indexed case-insensitive matching, Study ID (a required
/// C-FIND key) and SOP Classes in Study, kept up to date by `CatalogueWriter`.
enum QuerySchema {
    static func addQueryKeys(_ db: Database) throws {
        try db.alter(table: "patient") { table in
            table.add(column: "patient_name_folded", .text).notNull().defaults(to: "")
        }
        try db.alter(table: "study") { table in
            // Not backfilled: the index never kept it; studies archived before stay without one.
            table.add(column: "study_id", .text)
            table.add(column: "sop_classes_in_study", .text).notNull().defaults(to: "")
        }
        let update = try db.makeStatement(sql: "UPDATE patient SET patient_name_folded = ? WHERE id = ?")
        let patients = try Row.fetchCursor(db, sql: "SELECT id, patient_name FROM patient WHERE patient_name <> ''")
        while let patient = try patients.next() {
            try update.execute(arguments: [NameFolding.fold(patient["patient_name"]), patient["id"]])
        }
        try db.execute(sql: "UPDATE study SET sop_classes_in_study = \(sopClassesInStudy)")
        try db.create(index: "patient_on_patient_name_folded", on: "patient", columns: ["patient_name_folded"])
    }

    /// SOP Classes in Study (0008,0062) of the row `study`, backslash-separated in order of first arrival.
    static let sopClassesInStudy = """
        coalesce((SELECT group_concat(sop_class_uid, '\\') FROM (
            SELECT instance.sop_class_uid FROM instance JOIN series ON series.id = instance.series_ref
            WHERE series.study_ref = study.id GROUP BY instance.sop_class_uid ORDER BY min(instance.id))), '')
        """
}
