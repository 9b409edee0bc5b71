import DICOMCore
import DICOMNetwork
import TandemArchive

/// Who may use a SOP class the receiver serves.
public enum ServiceAccess: Hashable, Sendable {
    /// Any admitted caller (Verification).
    case anyCaller
    /// With `require_known_callers`, only a `[[peer]]` whose `services` list this one.
    case requires(PeerService)

    /// The service's requests carry identifiers this side decodes (queries, retrieves), so its
    /// contexts take an uncompressed transfer syntax; storage keeps whatever was proposed.
    var carriesIdentifiers: Bool {
        switch self {
        case .anyCaller, .requires(.store): false
        case .requires: true
        }
    }
}

/// The abstract syntaxes the receiver accepts, each with the `[[peer]] services` entry that gates
/// it (docs/configuration.md). A service joins the receiver by adding its SOP classes here and
/// its provider to `StorageServiceHandler.router`.
public enum ServedSOPClasses {
    /// Query/Retrieve FIND SOP classes and their information models (PS3.4 C.6).
    public static let findModels: [String: QueryInformationModel] = [
        "1.2.840.10008.5.1.4.1.2.1.1": .patientRoot,
        "1.2.840.10008.5.1.4.1.2.2.1": .studyRoot,
    ]

    /// Query/Retrieve MOVE and GET SOP classes and their information models (PS3.4 C.6).
    public static let moveModels: [String: QueryInformationModel] = [
        "1.2.840.10008.5.1.4.1.2.1.2": .patientRoot,
        "1.2.840.10008.5.1.4.1.2.2.2": .studyRoot,
    ]
    public static let getModels: [String: QueryInformationModel] = [
        "1.2.840.10008.5.1.4.1.2.1.3": .patientRoot,
        "1.2.840.10008.5.1.4.1.2.2.3": .studyRoot,
    ]

    /// Nil for an abstract syntax the receiver does not serve. Storage commitment goes with
    /// "store": a peer that may store may ask what was stored.
    public static func access(to abstractSyntax: String) -> ServiceAccess? {
        if abstractSyntax == CEchoRequest.verificationSOPClassUID { return .anyCaller }
        if UIDDictionary.isStorageSOPClass(abstractSyntax) { return .requires(.store) }
        if findModels[abstractSyntax] != nil { return .requires(.find) }
        if moveModels[abstractSyntax] != nil { return .requires(.move) }
        if getModels[abstractSyntax] != nil { return .requires(.get) }
        if abstractSyntax == StorageCommitmentProvider.sopClassUID { return .requires(.store) }
        return nil
    }
}
