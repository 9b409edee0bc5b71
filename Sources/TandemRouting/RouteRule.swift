import TandemArchive

/// A `[[route]]` ready to test instances: every `match` pattern must match (an empty table
/// matches everything), and a match sends the instance to each destination.
public struct RouteRule: Sendable {
    public let settings: RouteSettings
    private let patterns: [(key: RouteMatchKey, pattern: WildcardPattern)]

    public init(_ settings: RouteSettings) {
        self.settings = settings
        patterns = settings.match.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { ($0.key, WildcardPattern($0.value)) }
    }

    public func matches(_ instance: IndexedInstance) -> Bool {
        patterns.allSatisfy { $0.pattern.matches(Self.value(of: $0.key, in: instance.record)) }
    }

    /// Where a matching instance goes; on-receive jobs are due at once, on-stable ones wait.
    public var targets: [RouteTarget] {
        let stableAfter = settings.trigger == .onStable ? settings.stableAfterSeconds : 0
        return settings.destinations.map {
            RouteTarget(destination: $0, routeName: settings.name, stableAfterSeconds: stableAfter)
        }
    }

    /// The targets of every rule in `rules` that matches `instance`, one per destination: when
    /// several rules name it, the first rule's name and the shortest wait (on-receive beats on-stable).
    public static func targets(of rules: [RouteRule], for instance: IndexedInstance) -> [RouteTarget] {
        var merged: [RouteTarget] = []
        for target in rules.filter({ $0.matches(instance) }).flatMap(\.targets) {
            if let index = merged.firstIndex(where: { $0.destination == target.destination }) {
                merged[index].stableAfterSeconds = min(merged[index].stableAfterSeconds, target.stableAfterSeconds)
            } else {
                merged.append(target)
            }
        }
        return merged
    }

    static func value(of key: RouteMatchKey, in record: InstanceRecord) -> String? {
        switch key {
        case .callingAE: record.callingAE
        case .calledAE: record.calledAE
        case .patientID: record.patient.patientID
        case .patientName: record.patient.name
        case .patientBirthDate: record.patient.birthDate
        case .patientSex: record.patient.sex
        case .studyInstanceUID: record.study.studyInstanceUID
        case .studyDate: record.study.date
        case .accessionNumber: record.study.accessionNumber
        case .studyDescription: record.study.description
        case .referringPhysicianName: record.study.referringPhysician
        case .modality: record.series.modality
        case .seriesInstanceUID: record.series.seriesInstanceUID
        case .seriesDescription: record.series.description
        case .bodyPartExamined: record.series.bodyPart
        case .sopClassUID: record.sopClassUID
        }
    }
}
