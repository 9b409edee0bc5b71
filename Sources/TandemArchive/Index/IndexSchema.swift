import Foundation
import GRDB

/// The index schema, one named migration per step. Migrations only ever get appended:
/// a deployed database replays the ones it has not seen.
enum IndexSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("catalogue") { db in
            try createCatalogue(db)
        }
        migrator.registerMigration("cluster-state") { db in
            try db.create(table: "cluster_state") { table in
                // A single row: the table exists to be read and bumped inside transactions.
                table.primaryKey("id", .integer).check { $0 == 1 }
                table.column("epoch", .integer).notNull()
                table.column("holder", .text)
                table.column("updated_at", .datetime).notNull()
            }
            try db.execute(sql: "INSERT INTO cluster_state (id, epoch, holder, updated_at) VALUES (1, 1, NULL, ?)",
                           arguments: [Date()])
        }
        migrator.registerMigration("instance-missing-since") { db in
            try db.alter(table: "instance") { table in
                table.add(column: "missing_since", .datetime)
            }
            try db.create(indexOn: "instance", columns: ["missing_since"])
        }
        migrator.registerMigration("routing-queue") { db in
            try RoutingSchema.create(db)
        }
        migrator.registerMigration("route-claim-id") { db in
            try RoutingSchema.addClaimID(db)
        }
        migrator.registerMigration("patient-without-id") { db in
            try allowPatientsWithoutID(db)
        }
        migrator.registerMigration("instance-data-set-offset") { db in
            // Filled at ingest from now on; existing rows stay NULL and senders read their file.
            try db.alter(table: "instance") { table in
                table.add(column: "data_set_offset", .integer)
            }
        }
        migrator.registerMigration("query-keys") { db in
            try QuerySchema.addQueryKeys(db)
        }
        migrator.registerMigration("cluster-holder-token") { db in
            try db.alter(table: "cluster_state") { table in
                table.add(column: "holder_token", .text)
            }
        }
        migrator.registerMigration("web-access") { db in
            try AccessSchema.create(db)
        }
        migrator.registerMigration("web-audit") { db in
            try AccessSchema.createAudit(db)
        }
        migrator.registerMigration("instance-metadata-cache") { db in
            try MetadataCacheSchema.create(db)
        }
        migrator.registerMigration("commitment-reports") { db in
            try CommitmentSchema.create(db)
        }
        migrator.registerMigration("reading-room") { db in
            try ReadingSchema.create(db)
        }
        migrator.registerMigration("web-audit-series") { db in
            try AccessSchema.addAuditSeries(db)
        }
        migrator.registerMigration("unflushed-object") { db in
            try UnflushedObjectSchema.create(db)
        }
        migrator.registerMigration("sequence-keys") { db in
            try SequenceIndex.createSchema(db)
        }
        return migrator
    }

    /// A study without Patient ID (0010,0020) names no one the archive can recognise again: each
    /// such study gets its own patient row. The unique key (patient_id, issuer) becomes a partial
    /// index over non-empty IDs, which SQLite can only do by rebuilding the table (foreign keys
    /// are checked after the migration, GRDB's default). Rows shared before this migration stay
    /// shared: which study brought which name is in the files, not in the index.
    private static func allowPatientsWithoutID(_ db: Database) throws {
        try db.create(table: "patient_rebuilt") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("patient_id", .text).notNull()
            table.column("issuer_of_patient_id", .text).notNull().defaults(to: "")
            table.column("patient_name", .text).notNull().defaults(to: "").collate(.nocase)
            table.column("birth_date", .text)
            table.column("sex", .text)
        }
        try db.execute(sql: """
            INSERT INTO patient_rebuilt (id, patient_id, issuer_of_patient_id, patient_name, birth_date, sex)
            SELECT id, patient_id, issuer_of_patient_id, patient_name, birth_date, sex FROM patient
            """)
        try db.drop(table: "patient")
        try db.rename(table: "patient_rebuilt", to: "patient")
        try db.create(index: "patient_on_patient_name", on: "patient", columns: ["patient_name"])
        try db.execute(sql: """
            CREATE UNIQUE INDEX patient_identity ON patient (patient_id, issuer_of_patient_id) WHERE patient_id <> ''
            """)
    }

    private static func createCatalogue(_ db: Database) throws {
        try db.create(table: "patient") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("patient_id", .text).notNull()
            table.column("issuer_of_patient_id", .text).notNull().defaults(to: "")
            // NOCASE: worklist searches by name are case-insensitive, and LIKE 'SMI%' can use the index.
            table.column("patient_name", .text).notNull().defaults(to: "").collate(.nocase).indexed()
            table.column("birth_date", .text)
            table.column("sex", .text)
            table.uniqueKey(["patient_id", "issuer_of_patient_id"])
        }
        try db.create(table: "study") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("study_uid", .text).notNull().unique()
            table.column("patient_ref", .integer).notNull().indexed().references("patient")
            table.column("study_date", .text).indexed()
            table.column("study_time", .text)
            table.column("accession_number", .text).indexed()
            table.column("description", .text)
            table.column("referring_physician", .text)
            table.column("modalities_in_study", .text).notNull().defaults(to: "")
            table.column("number_of_series", .integer).notNull().defaults(to: 0)
            table.column("number_of_instances", .integer).notNull().defaults(to: 0)
            // Routing's on-stable trigger waits for this to stop moving.
            table.column("last_received_at", .datetime).notNull().indexed()
        }
        try db.create(table: "series") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("series_uid", .text).notNull().unique()
            table.column("study_ref", .integer).notNull().indexed().references("study")
            table.column("modality", .text).notNull().indexed()
            table.column("series_number", .integer)
            table.column("description", .text)
            table.column("body_part", .text)
            table.column("number_of_instances", .integer).notNull().defaults(to: 0)
        }
        try db.create(table: "instance") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("sop_instance_uid", .text).notNull().unique()
            table.column("series_ref", .integer).notNull().indexed().references("series")
            table.column("sop_class_uid", .text).notNull()
            table.column("instance_number", .integer)
            table.column("transfer_syntax_uid", .text).notNull()
            table.column("file_path", .text).notNull().unique()
            table.column("file_size", .integer).notNull()
            table.column("received_at", .datetime).notNull().indexed()
            table.column("calling_ae", .text).notNull()
            table.column("called_ae", .text).notNull()
        }
    }
}
