/// What a `[[route]]` `match` table may test: the association's AE titles, or an attribute
/// the index stores. A key is written in snake case (`modality`) or as its DICOM keyword (`Modality`).
public enum RouteMatchKey: String, Sendable, CaseIterable, Hashable {
    case callingAE = "calling_ae"
    case calledAE = "called_ae"
    case patientID = "patient_id"
    case patientName = "patient_name"
    case patientBirthDate = "patient_birth_date"
    case patientSex = "patient_sex"
    case studyInstanceUID = "study_instance_uid"
    case studyDate = "study_date"
    case accessionNumber = "accession_number"
    case studyDescription = "study_description"
    case referringPhysicianName = "referring_physician_name"
    case modality
    case seriesInstanceUID = "series_instance_uid"
    case seriesDescription = "series_description"
    case bodyPartExamined = "body_part_examined"
    case sopClassUID = "sop_class_uid"

    /// The PS3.6 keyword; nil for the association's AE titles, which are not attributes.
    public var dicomKeyword: String? {
        switch self {
        case .callingAE, .calledAE: nil
        case .patientID: "PatientID"
        case .patientName: "PatientName"
        case .patientBirthDate: "PatientBirthDate"
        case .patientSex: "PatientSex"
        case .studyInstanceUID: "StudyInstanceUID"
        case .studyDate: "StudyDate"
        case .accessionNumber: "AccessionNumber"
        case .studyDescription: "StudyDescription"
        case .referringPhysicianName: "ReferringPhysicianName"
        case .modality: "Modality"
        case .seriesInstanceUID: "SeriesInstanceUID"
        case .seriesDescription: "SeriesDescription"
        case .bodyPartExamined: "BodyPartExamined"
        case .sopClassUID: "SOPClassUID"
        }
    }

    /// Accepts the snake-case name or the DICOM keyword.
    public init?(configurationKey: String) {
        if let key = RouteMatchKey(rawValue: configurationKey) {
            self = key
        } else if let key = RouteMatchKey.allCases.first(where: { $0.dicomKeyword == configurationKey }) {
            self = key
        } else {
            return nil
        }
    }
}
