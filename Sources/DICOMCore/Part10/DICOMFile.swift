/// A DICOM file (PS3.10 §7): preamble, File Meta Information and the data set.
public struct DICOMFile: Sendable {
    /// The 128 bytes before "DICM", kept as read; nil for a file that had none.
    public var preamble: [UInt8]?
    /// The group 0002 elements as read (the group length is recomputed on write). Empty for a
    /// bare data set read without meta information.
    public var fileMetaInformation: DataSet
    public var dataSet: DataSet
    /// The syntax of `dataSet`: from (0002,0010), or sniffed for a bare data set.
    public var transferSyntax: TransferSyntax
    /// Offset in the input at which the data set starts.
    public var dataSetOffset: Int
    /// Set when reading stopped at `ReadOptions.stopBeforeTag`: that tag and its offset in the
    /// input (for a deflated data set, in the inflated stream).
    public var stoppedBefore: (tag: Tag, offset: Int)?

    /// A new file for a data set: the meta information names the data set's SOP Class and
    /// Instance UIDs (0008,0016), (0008,0018), which must be present.
    public init(dataSet: DataSet, transferSyntax: TransferSyntax, sourceApplicationEntityTitle: String? = nil) throws {
        guard let sopClass = dataSet.string(.sopClassUID), let sopInstance = dataSet.string(.sopInstanceUID) else {
            throw DICOMError(.invalidFileMetaInformation("the data set has no SOP Class UID or SOP Instance UID"))
        }
        fileMetaInformation = try .fileMetaInformation(sopClassUID: sopClass, sopInstanceUID: sopInstance,
                                                       transferSyntax: transferSyntax,
                                                       sourceApplicationEntityTitle: sourceApplicationEntityTitle)
        self.dataSet = dataSet
        self.transferSyntax = transferSyntax
        preamble = nil
        dataSetOffset = 0
    }

    /// A file whose meta information and data set were read apart: a receiver that wrote the
    /// meta information itself and read the data set as it arrived (`ArrivingDataSet`).
    public init(fileMetaInformation: DataSet, dataSet: DataSet, transferSyntax: TransferSyntax, dataSetOffset: Int) {
        self.init(preamble: nil, fileMetaInformation: fileMetaInformation, dataSet: dataSet,
                  transferSyntax: transferSyntax, dataSetOffset: dataSetOffset, stoppedBefore: nil)
    }

    init(preamble: [UInt8]?, fileMetaInformation: DataSet, dataSet: DataSet, transferSyntax: TransferSyntax,
         dataSetOffset: Int, stoppedBefore: (tag: Tag, offset: Int)?) {
        self.preamble = preamble
        self.fileMetaInformation = fileMetaInformation
        self.dataSet = dataSet
        self.transferSyntax = transferSyntax
        self.dataSetOffset = dataSetOffset
        self.stoppedBefore = stoppedBefore
    }

    public var mediaStorageSOPClassUID: String? { fileMetaInformation.string(.mediaStorageSOPClassUID) }
    public var mediaStorageSOPInstanceUID: String? { fileMetaInformation.string(.mediaStorageSOPInstanceUID) }
    public var sourceApplicationEntityTitle: String? { fileMetaInformation.string(.sourceApplicationEntityTitle) }

    /// The file's bytes. The meta information's Transfer Syntax UID is set to `transferSyntax`,
    /// the data set is encoded (and deflated) in it. A bare data set gains a preamble and meta
    /// information, which is why it needs the SOP Class and Instance UIDs.
    public func encoded() throws -> [UInt8] {
        var meta = fileMetaInformation
        if meta.isEmpty {
            meta = try DICOMFile(dataSet: dataSet, transferSyntax: transferSyntax).fileMetaInformation
        }
        if meta.string(.transferSyntaxUID) != transferSyntax.uid {
            try meta.set(.transferSyntaxUID, vr: .UI, string: transferSyntax.uid)
        }
        return try FileMetaInformationEncoder.encode(meta, preamble: preamble)
            + DataSetWriter.encode(dataSet, transferSyntax: transferSyntax)
    }

    /// What a receiver writes before the data set bytes it received, unchanged, to make a Part 10
    /// file without re-encoding: preamble, "DICM" and File Meta Information (PS3.10 §7.1).
    public static func metaHeader(sopClassUID: String, sopInstanceUID: String, transferSyntax: TransferSyntax,
                                  sourceApplicationEntityTitle: String?) throws -> [UInt8] {
        try metaHeader(DataSet.fileMetaInformation(sopClassUID: sopClassUID, sopInstanceUID: sopInstanceUID,
                                                   transferSyntax: transferSyntax,
                                                   sourceApplicationEntityTitle: sourceApplicationEntityTitle))
    }

    /// The same for meta information already built (`DataSet.fileMetaInformation`).
    public static func metaHeader(_ fileMetaInformation: DataSet) throws -> [UInt8] {
        try FileMetaInformationEncoder.encode(fileMetaInformation, preamble: nil)
    }
}
