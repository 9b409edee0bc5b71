import Foundation
import GRDB

/// An instance a job still has to deliver, with what a sender needs of its archived file, read
/// from the index row: no file is parsed to build a send list.
public struct QueuedInstance: Sendable, Equatable {
    public var sopInstanceUID: String
    /// Nil when the instance is no longer indexed or its file is marked missing.
    public var file: ArchivedFile?

    init(row: Row) {
        sopInstanceUID = row["sop_instance_uid"]
        guard let path: String = row["file_path"], row["missing_since"] as Date? == nil else { return }
        file = ArchivedFile(filePath: path, sopClassUID: row["sop_class_uid"], transferSyntaxUID: row["transfer_syntax_uid"],
                            fileSize: row["file_size"], dataSetOffset: row["data_set_offset"])
    }

    static let selectSQL = """
        SELECT route_item.sop_instance_uid, instance.file_path, instance.missing_since, instance.sop_class_uid,
               instance.transfer_syntax_uid, instance.file_size, instance.data_set_offset
        FROM route_item LEFT JOIN instance ON instance.sop_instance_uid = route_item.sop_instance_uid
        """
}

/// An archived Part 10 file as the index knows it.
public struct ArchivedFile: Sendable, Equatable {
    /// Relative to the data root.
    public var filePath: String
    public var sopClassUID: String
    public var transferSyntaxUID: String
    public var fileSize: Int64
    /// Where the data set starts; nil for rows indexed before the index kept it.
    public var dataSetOffset: Int64?
}
