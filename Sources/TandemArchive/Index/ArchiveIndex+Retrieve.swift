import GRDB

extension ArchiveIndex {
    /// The indexed instances of a study, optionally narrowed to one series and one SOP instance, in
    /// series then instance order: what a retrieve (WADO-RS, C-GET, C-MOVE) sends. A row whose
    /// file is still being flushed is not one of them (`UnflushedObjectSchema.settled`). The UIDs must
    /// match together (an instance of another series is not found), so a path cannot mix entities.
    public func instances(studyInstanceUID: String, seriesInstanceUID: String? = nil,
                          sopInstanceUID: String? = nil) throws -> [IndexedInstance] {
        let query = Self.retrieveQuery(studyInstanceUID: studyInstanceUID, seriesInstanceUID: seriesInstanceUID,
                                       sopInstanceUID: sopInstanceUID, presentOnly: false)
        return try read { db in
            try Row.fetchAll(db, sql: query.sql, arguments: query.arguments).map(IndexedInstance.init(row:))
        }
    }

    /// The SQL of a retrieve's instances (`select` rows, by default `IndexedInstance.selectSQL`):
    /// the study, optionally one series and one SOP instance, in retrieve order; `presentOnly`
    /// leaves out instances whose file is missing.
    static func retrieveQuery(studyInstanceUID: String, seriesInstanceUID: String?, sopInstanceUID: String?,
                              presentOnly: Bool, select: String = IndexedInstance.selectSQL)
        -> (sql: String, arguments: StatementArguments) {
        var sql = select + " WHERE study.study_uid = ? AND " + UnflushedObjectSchema.settled("instance")
        var arguments: StatementArguments = [studyInstanceUID]
        if presentOnly {
            sql += " AND instance.missing_since IS NULL"
        }
        if let seriesInstanceUID {
            sql += " AND series.series_uid = ?"
            arguments += [seriesInstanceUID]
        }
        if let sopInstanceUID {
            sql += " AND instance.sop_instance_uid = ?"
            arguments += [sopInstanceUID]
        }
        sql += " ORDER BY series.series_number, series.id, instance.instance_number, instance.id"
        return (sql, arguments)
    }
}
