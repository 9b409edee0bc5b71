import DICOMCore
import DICOMNetwork
import TandemArchive

/// Who may associate with the receiver and what it accepts (PS3.8 §7.1.1; PS3.4 Annexes A and B).
public struct AssociationPolicy: Sendable {
    /// This archive's AE title.
    public var aeTitle: String
    /// Accept any called AE title (`--any-called-aet`), as a receiver behind a gateway may need.
    public var acceptAnyCalledAE: Bool
    /// `[security] require_known_callers`: only `knownCallers` AE titles may associate.
    public var requireKnownCallers: Bool
    public var knownCallers: [PeerSettings]
    /// `[storage] prefer_uncompressed`: take an uncompressed syntax when one is proposed.
    public var preferUncompressed: Bool

    public init(aeTitle: String, acceptAnyCalledAE: Bool = false, requireKnownCallers: Bool = false,
                knownCallers: [PeerSettings] = [], preferUncompressed: Bool = false) {
        self.aeTitle = aeTitle
        self.acceptAnyCalledAE = acceptAnyCalledAE
        self.requireKnownCallers = requireKnownCallers
        self.knownCallers = knownCallers
        self.preferUncompressed = preferUncompressed
    }

    /// The rejection for this request, if any (PS3.8 Table 9-21, source "service user").
    public func rejection(of request: AAssociateRQ) -> AAssociateRJ? {
        if !acceptAnyCalledAE && request.calledAETitle.value != aeTitle {
            return .user(.rejectedPermanent, .calledAETitleNotRecognized)
        }
        if requireKnownCallers && !knownCallers.contains(where: { $0.aeTitle == request.callingAETitle.value }) {
            return .user(.rejectedPermanent, .callingAETitleNotRecognized)
        }
        return nil
    }

    /// Verification and every storage SOP class are accepted, each with the first transfer syntax
    /// the requestor proposed — or, with `preferUncompressed`, its first uncompressed one. The data
    /// set is stored exactly as received, so any syntax can be archived.
    public var presentationContexts: PresentationContextPolicy {
        let preferUncompressed = self.preferUncompressed
        return PresentationContextPolicy { proposed in
            guard Self.isServed(proposed.abstractSyntax) else {
                return PresentationContextAC(id: proposed.id, result: .abstractSyntaxNotSupported, transferSyntax: "")
            }
            let offered = proposed.transferSyntaxes.filter { !$0.isEmpty }
            let uncompressed = offered.first { TransferSyntax(uid: $0).isUncompressed }
            guard let chosen = (preferUncompressed ? uncompressed : nil) ?? offered.first else {
                return PresentationContextAC(id: proposed.id, result: .transferSyntaxesNotSupported, transferSyntax: "")
            }
            return PresentationContextAC(id: proposed.id, result: .acceptance, transferSyntax: chosen)
        }
    }

    static func isServed(_ abstractSyntax: String) -> Bool {
        abstractSyntax == CEchoRequest.verificationSOPClassUID || UIDDictionary.isStorageSOPClass(abstractSyntax)
    }
}
