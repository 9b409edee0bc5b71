import Foundation
import GRDB

/// An indexed instance: the record as stored, plus whether its file has gone missing.
public struct IndexedInstance: Sendable, Equatable {
    public var record: InstanceRecord
    /// Set by start-up recovery when the file was not found; nil while it is present.
    public var missingSince: Date?

    public init(record: InstanceRecord, missingSince: Date? = nil) {
        self.record = record
        self.missingSince = missingSince
    }

    static let selectSQL = """
        SELECT instance.*, series.series_uid, series.modality, series.series_number,
               series.description AS series_description, series.body_part,
               study.study_uid, study.study_date, study.study_time, study.accession_number,
               study.description AS study_description, study.referring_physician,
               patient.patient_id, patient.issuer_of_patient_id, patient.patient_name, patient.birth_date, patient.sex
        FROM instance JOIN series ON series.id = instance.series_ref JOIN study ON study.id = series.study_ref
        JOIN patient ON patient.id = study.patient_ref
        """

    init(row: Row) {
        record = InstanceRecord(
            patient: PatientAttributes(patientID: row["patient_id"], issuerOfPatientID: row["issuer_of_patient_id"],
                                       name: row["patient_name"], birthDate: row["birth_date"], sex: row["sex"]),
            study: StudyAttributes(studyInstanceUID: row["study_uid"], date: row["study_date"], time: row["study_time"],
                                   accessionNumber: row["accession_number"], description: row["study_description"],
                                   referringPhysician: row["referring_physician"]),
            series: SeriesAttributes(seriesInstanceUID: row["series_uid"], modality: row["modality"],
                                     number: row["series_number"], description: row["series_description"],
                                     bodyPart: row["body_part"]),
            sopInstanceUID: row["sop_instance_uid"], sopClassUID: row["sop_class_uid"],
            instanceNumber: row["instance_number"], transferSyntaxUID: row["transfer_syntax_uid"],
            filePath: row["file_path"], fileSize: row["file_size"], dataSetOffset: row["data_set_offset"],
            receivedAt: row["received_at"],
            callingAE: row["calling_ae"], calledAE: row["called_ae"])
        missingSince = row["missing_since"]
    }
}

/// A study with its maintained counts.
public struct StudySummary: Sendable, Equatable {
    public var attributes: StudyAttributes
    public var patientID: String
    public var patientName: String
    /// Sorted distinct modalities of its series (DICOM Modalities in Study).
    public var modalitiesInStudy: [String]
    public var numberOfSeries: Int
    public var numberOfInstances: Int
    /// When its latest instance arrived (routing's on-stable trigger).
    public var lastReceivedAt: Date

    static let selectSQL = """
        SELECT study.*, patient.patient_id, patient.patient_name
        FROM study JOIN patient ON patient.id = study.patient_ref
        """

    init(row: Row) {
        attributes = StudyAttributes(studyInstanceUID: row["study_uid"], date: row["study_date"],
                                     time: row["study_time"], accessionNumber: row["accession_number"],
                                     description: row["description"], referringPhysician: row["referring_physician"])
        patientID = row["patient_id"]
        patientName = row["patient_name"]
        let modalities: String = row["modalities_in_study"]
        modalitiesInStudy = modalities.split(separator: "\\").map(String.init)
        numberOfSeries = row["number_of_series"]
        numberOfInstances = row["number_of_instances"]
        lastReceivedAt = row["last_received_at"]
    }
}

/// A series with its maintained instance count.
public struct SeriesSummary: Sendable, Equatable {
    public var attributes: SeriesAttributes
    public var numberOfInstances: Int

    static let selectSQL = "SELECT * FROM series"

    init(row: Row) {
        attributes = SeriesAttributes(seriesInstanceUID: row["series_uid"], modality: row["modality"],
                                      number: row["series_number"], description: row["description"],
                                      bodyPart: row["body_part"])
        numberOfInstances = row["number_of_instances"]
    }
}
