import DICOMCore

/// Query/Retrieve Level (0008,0052) of a C-FIND identifier or a QIDO-RS resource (PS3.4 C.6).
public enum QueryLevel: String, Sendable, CaseIterable, Comparable {
    case patient = "PATIENT"
    case study = "STUDY"
    case series = "SERIES"
    case image = "IMAGE"

    /// The level's place in the hierarchy, PATIENT first.
    var depth: Int {
        switch self {
        case .patient: 0
        case .study: 1
        case .series: 2
        case .image: 3
        }
    }

    public static func < (lhs: QueryLevel, rhs: QueryLevel) -> Bool { lhs.depth < rhs.depth }

    /// The Unique Key of the level (PS3.4 C.6.1.1 and C.6.2.1).
    public var uniqueKey: Tag {
        switch self {
        case .patient: .patientID
        case .study: .studyInstanceUID
        case .series: .seriesInstanceUID
        case .image: .sopInstanceUID
        }
    }

    /// The index table holding the level's entities.
    var entity: IndexEntity {
        switch self {
        case .patient: .patient
        case .study: .study
        case .series: .series
        case .image: .instance
        }
    }
}

/// The Query/Retrieve Information Model (PS3.4 C.6): which levels exist and where patient
/// attributes live. The Study Root model has no PATIENT level; its STUDY level carries the
/// patient's attributes.
public enum QueryInformationModel: String, Sendable, CaseIterable {
    /// Patient Root (PS3.4 C.6.1).
    case patientRoot
    /// Study Root (PS3.4 C.6.2).
    case studyRoot

    public var levels: [QueryLevel] {
        switch self {
        case .patientRoot: [.patient, .study, .series, .image]
        case .studyRoot: [.study, .series, .image]
        }
    }

    /// The level at which an entity's attributes are keys in this model.
    func level(of entity: IndexEntity) -> QueryLevel {
        switch entity {
        case .patient: self == .patientRoot ? .patient : .study
        case .study: .study
        case .series: .series
        case .instance: .image
        }
    }
}

/// The four catalogue tables, with the alias every query uses for them.
enum IndexEntity: Int, Sendable, Comparable {
    case patient, study, series, instance

    var table: String {
        switch self {
        case .patient: "patient"
        case .study: "study"
        case .series: "series"
        case .instance: "instance"
        }
    }

    var alias: String {
        switch self {
        case .patient: "p"
        case .study: "s"
        case .series: "se"
        case .instance: "i"
        }
    }

    static func < (lhs: IndexEntity, rhs: IndexEntity) -> Bool { lhs.rawValue < rhs.rawValue }
}
