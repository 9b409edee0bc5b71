import DICOMCore
import Foundation

/// Turns a stored Part 10 file into what the index keeps about it (`InstanceRecord`) and where
/// it belongs under `objects/` (`ObjectLocation`). Text is decoded with the data set's Specific
/// Character Set (PS3.5 §6.1.2.5), so names are indexed as Unicode.
public enum IndexAttributes {
    /// The top-level attributes the index and the verification use. The whole structure is
    /// verified, but only these are kept, bulk values are skipped by seeking, and the number of
    /// elements and items is bounded (`ReadOptions`): memory follows what is indexed, not the
    /// size or shape of the data set.
    static let retainedTags: Set<Tag> = Set<Tag>([
        .sopClassUID, .sopInstanceUID, .studyInstanceUID, .seriesInstanceUID,
        .patientID, .issuerOfPatientID, .patientName, .patientBirthDate, .patientSex,
        .studyDate, .studyTime, .accessionNumber, .studyID, .studyDescription, .referringPhysicianName,
        .modality, .seriesNumber, .seriesDescription, .bodyPartExamined, .instanceNumber,
    ]).union(SequenceIndex.owners.keys)

    /// Why a data set cannot be indexed.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The file does not parse (truncated, bad lengths, bad nesting…).
        case unreadable(String)
        /// A UID every storage IOD requires (Type 1) is absent or unusable.
        case missingOrInvalidUID(keyword: String, detail: String)

        public var description: String {
            switch self {
            case .unreadable(let reason): "unreadable data set: \(reason)"
            case let .missingOrInvalidUID(keyword, detail): "\(keyword): \(detail)"
            }
        }
    }

    /// Reads the file's structure, skipping bulk values.
    public static func readFile(at url: URL) throws(Failure) -> DICOMFile {
        try readFile(atPath: url.path)
    }

    public static func readFile(atPath path: String) throws(Failure) -> DICOMFile {
        do {
            return try DICOMFile(path: path, options: readOptions)
        } catch {
            throw .unreadable("\(error)")
        }
    }

    /// How the index reads a data set: the retained tags kept, bulk values skipped.
    public static let readOptions = ReadOptions.indexing(retaining: retainedTags)

    /// Reads a received data set from what was kept of it as it arrived, with the same result
    /// as `readFile` on the file it was written to; nil when the file must be read instead.
    public static func read(_ arrived: ArrivingFile) throws(Failure) -> DICOMFile? {
        do {
            guard let dataSet = try arrived.dataSet.read() else { return nil }
            return DICOMFile(fileMetaInformation: arrived.fileMetaInformation, dataSet: dataSet,
                             transferSyntax: arrived.dataSet.transferSyntax, dataSetOffset: arrived.dataSet.startOffset)
        } catch {
            throw .unreadable("\(error)")
        }
    }

    /// The record and location of a parsed file; `filePath` and `fileSize` are filled in by the caller
    /// once the object is committed. SOP UIDs come from the data set, else from the meta information.
    public static func record(of file: DICOMFile, callingAE: String, calledAE: String,
                              receivedAt: Date = Date()) throws(Failure) -> (InstanceRecord, ObjectLocation) {
        let dataSet = file.dataSet
        let sopClass = nonEmpty(dataSet.string(.sopClassUID)) ?? file.mediaStorageSOPClassUID ?? ""
        let sopInstance = nonEmpty(dataSet.string(.sopInstanceUID)) ?? file.mediaStorageSOPInstanceUID ?? ""
        let location: ObjectLocation
        do {
            location = try ObjectLocation(studyUID: try requiredUID(dataSet, .studyInstanceUID, "StudyInstanceUID"),
                                          seriesUID: try requiredUID(dataSet, .seriesInstanceUID, "SeriesInstanceUID"),
                                          sopInstanceUID: sopInstance)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .missingOrInvalidUID(keyword: "SOPInstanceUID", detail: "\(error)")
        }
        let patient = PatientAttributes(
            patientID: dataSet.string(.patientID) ?? "", issuerOfPatientID: dataSet.string(.issuerOfPatientID) ?? "",
            name: dataSet.string(.patientName) ?? "", birthDate: nonEmpty(dataSet.string(.patientBirthDate)),
            sex: nonEmpty(dataSet.string(.patientSex)))
        let study = StudyAttributes(
            studyInstanceUID: location.studyUID.value, date: nonEmpty(dataSet.string(.studyDate)),
            time: nonEmpty(dataSet.string(.studyTime)), accessionNumber: nonEmpty(dataSet.string(.accessionNumber)),
            studyID: nonEmpty(dataSet.string(.studyID)), description: nonEmpty(dataSet.string(.studyDescription)),
            referringPhysician: nonEmpty(dataSet.string(.referringPhysicianName)))
        let series = SeriesAttributes(
            seriesInstanceUID: location.seriesUID.value, modality: dataSet.string(.modality) ?? "",
            number: dataSet.int(.seriesNumber), description: nonEmpty(dataSet.string(.seriesDescription)),
            bodyPart: nonEmpty(dataSet.string(.bodyPartExamined)))
        var record = InstanceRecord(
            patient: patient, study: study, series: series, sopInstanceUID: location.sopInstanceUID.value,
            sopClassUID: sopClass, instanceNumber: dataSet.int(.instanceNumber),
            transferSyntaxUID: file.transferSyntax.uid, filePath: "", fileSize: 0,
            dataSetOffset: Int64(file.dataSetOffset), receivedAt: receivedAt,
            callingAE: callingAE, calledAE: calledAE)
        record.sequences = SequenceIndex.sequences(of: dataSet)
        return (record, location)
    }

    /// What start-up recovery indexes for an archived file without a row: its record, with the
    /// sender's AE title as the meta information recorded it (PS3.10 §7.1).
    static func recoveredRecord(fileAt url: URL) throws -> InstanceRecord {
        let file = try readFile(at: url)
        return try record(of: file, callingAE: file.sourceApplicationEntityTitle ?? "", calledAE: "").0
    }

    private static func requiredUID(_ dataSet: DataSet, _ tag: Tag, _ keyword: String) throws(Failure) -> String {
        guard let text = nonEmpty(dataSet.string(tag)) else {
            throw .missingOrInvalidUID(keyword: keyword, detail: "absent or empty")
        }
        do {
            return try ValidatedUID(text).value
        } catch {
            throw .missingOrInvalidUID(keyword: keyword, detail: error.description)
        }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

/// A Part 10 file being received: the meta information its receiver wrote, and its data set as
/// it arrives (read with `IndexAttributes.readOptions`).
public struct ArrivingFile: Sendable {
    public var fileMetaInformation: DataSet
    public var dataSet: ArrivingDataSet

    public init(fileMetaInformation: DataSet, dataSet: ArrivingDataSet) {
        self.fileMetaInformation = fileMetaInformation
        self.dataSet = dataSet
    }
}
