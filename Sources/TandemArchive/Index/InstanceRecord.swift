import Foundation

/// What the index stores about one received instance, in plain Swift values so the receiver can
/// fill it from any parsed data set. Dates and times stay in their DICOM forms (DA `YYYYMMDD`,
/// TM `HHMMSS.FFFFFF`): C-FIND and QIDO-RS range matching compares those strings directly.
public struct InstanceRecord: Sendable, Equatable {
    public var patient: PatientAttributes
    public var study: StudyAttributes
    public var series: SeriesAttributes
    public var sopInstanceUID: String
    public var sopClassUID: String
    public var instanceNumber: Int?
    public var transferSyntaxUID: String
    /// Relative to the data root (`StoredObject.relativePath`).
    public var filePath: String
    public var fileSize: Int64
    /// Where the data set starts in the file, after the File Meta Information: what a sender
    /// needs to stream it without parsing. Nil for rows indexed before the index kept it.
    public var dataSetOffset: Int64?
    public var receivedAt: Date
    public var callingAE: String
    public var calledAE: String
    /// The indexed sequences it carries (`SequenceIndex.owners`), for Sequence Matching.
    public var sequences: [SequenceAttributes] = []

    public init(patient: PatientAttributes, study: StudyAttributes, series: SeriesAttributes,
                sopInstanceUID: String, sopClassUID: String, instanceNumber: Int? = nil,
                transferSyntaxUID: String, filePath: String, fileSize: Int64, dataSetOffset: Int64? = nil, receivedAt: Date = Date(),
                callingAE: String = "", calledAE: String = "") {
        self.patient = patient
        self.study = study
        self.series = series
        self.sopInstanceUID = sopInstanceUID
        self.sopClassUID = sopClassUID
        self.instanceNumber = instanceNumber
        self.transferSyntaxUID = transferSyntaxUID
        self.filePath = filePath
        self.fileSize = fileSize
        self.dataSetOffset = dataSetOffset
        self.receivedAt = receivedAt
        self.callingAE = callingAE
        self.calledAE = calledAE
    }
}

/// Patient-level attributes. A patient is identified by Patient ID within its issuer: two sites
/// may both use ID `12345` for different people.
public struct PatientAttributes: Sendable, Equatable {
    public var patientID: String
    public var issuerOfPatientID: String
    /// Decoded to Unicode (Specific Character Set applied), DICOM `^` separators kept.
    public var name: String
    public var birthDate: String?
    public var sex: String?

    public init(patientID: String, issuerOfPatientID: String = "", name: String = "", birthDate: String? = nil,
                sex: String? = nil) {
        self.patientID = patientID
        self.issuerOfPatientID = issuerOfPatientID
        self.name = name
        self.birthDate = birthDate
        self.sex = sex
    }
}

/// Study-level attributes (the first instance's values win; later instances fill blanks).
public struct StudyAttributes: Sendable, Equatable {
    public var studyInstanceUID: String
    public var date: String?
    public var time: String?
    public var accessionNumber: String?
    /// Study ID (0020,0010).
    public var studyID: String?
    public var description: String?
    public var referringPhysician: String?

    public init(studyInstanceUID: String, date: String? = nil, time: String? = nil, accessionNumber: String? = nil,
                studyID: String? = nil, description: String? = nil, referringPhysician: String? = nil) {
        self.studyInstanceUID = studyInstanceUID
        self.date = date
        self.time = time
        self.accessionNumber = accessionNumber
        self.studyID = studyID
        self.description = description
        self.referringPhysician = referringPhysician
    }
}

/// Series-level attributes.
public struct SeriesAttributes: Sendable, Equatable {
    public var seriesInstanceUID: String
    public var modality: String
    public var number: Int?
    public var description: String?
    public var bodyPart: String?

    public init(seriesInstanceUID: String, modality: String, number: Int? = nil, description: String? = nil,
                bodyPart: String? = nil) {
        self.seriesInstanceUID = seriesInstanceUID
        self.modality = modality
        self.number = number
        self.description = description
        self.bodyPart = bodyPart
    }
}

/// What `ArchiveIndex.insert` did with a record.
public enum InsertOutcome: Sendable, Equatable {
    /// A new instance, now indexed.
    case stored
    /// Already archived and the policy is keep-first: the first copy stays, the new file was removed.
    /// The receiver answers success.
    case duplicateKept
    /// Already archived and replaced (overwrite policy, or the archived copy's file had gone missing);
    /// the old file was removed.
    case overwritten
    /// Already archived and the policy is reject: nothing changed, the new file was removed.
    /// The receiver answers a failure status.
    case rejected
}
