import DICOMCore
import DICOMNetwork
import TandemArchive

/// A `[[peer]]` as a caller: its AE title, the addresses its configured host resolved to when
/// the receiver started, and what it may ask of us.
public struct KnownCaller: Sendable, Equatable {
    public var aeTitle: String
    public var host: String
    /// Numeric addresses, in `PeerAddress.host` form; empty when the host did not resolve.
    public var addresses: Set<String>
    public var services: Set<PeerService>

    public init(aeTitle: String, host: String, addresses: Set<String>, services: Set<PeerService>) {
        self.aeTitle = aeTitle
        self.host = host
        self.addresses = addresses
        self.services = services
    }
}

/// Who may associate with the receiver and what it accepts (PS3.8 §7.1.1; PS3.4 Annexes A and B).
public struct AssociationPolicy: Sendable {
    /// This archive's AE title.
    public var aeTitle: String
    /// Accept any called AE title (`--any-called-aet`), as a receiver behind a gateway may need.
    public var acceptAnyCalledAE: Bool
    /// `[security] require_known_callers`: only `knownCallers`, each from its own host, may associate,
    /// and only those with the "store" service may store.
    public var requireKnownCallers: Bool
    public var knownCallers: [KnownCaller]
    /// `[storage] prefer_uncompressed`: take an uncompressed syntax when one is proposed.
    public var preferUncompressed: Bool

    /// Resolves each peer's host once, here (`resolve` blocks on DNS), and only when callers are
    /// checked; a host that does not resolve admits nobody (see `unresolvedCallers`).
    public init(aeTitle: String, acceptAnyCalledAE: Bool = false, requireKnownCallers: Bool = false,
                knownCallers peers: [PeerSettings] = [], preferUncompressed: Bool = false,
                resolve: (String) -> Set<String> = PeerAddress.resolve) {
        self.aeTitle = aeTitle
        self.acceptAnyCalledAE = acceptAnyCalledAE
        self.requireKnownCallers = requireKnownCallers
        self.knownCallers = requireKnownCallers ? peers.map {
            KnownCaller(aeTitle: $0.aeTitle, host: $0.host, addresses: resolve($0.host), services: $0.services)
        } : []
        self.preferUncompressed = preferUncompressed
    }

    /// With `requireKnownCallers`, the only addresses a connection may come from: any other is
    /// closed at accept, before anything is read. Nil: every address may connect.
    public var allowedAddresses: Set<String>? {
        requireKnownCallers ? knownCallers.reduce(into: []) { $0.formUnion($1.addresses) } : nil
    }

    /// Known callers whose host resolved to no address: they cannot associate (worth a warning).
    public var unresolvedCallers: [KnownCaller] { knownCallers.filter(\.addresses.isEmpty) }

    /// Rejects, or accepts with the presentation contexts this caller may use. A known caller
    /// whose every proposed context needs a service it was not granted is rejected outright
    /// (A-ASSOCIATE-RJ, rejected-permanent, no reason given): nothing would remain to serve.
    public func decision(on request: AAssociateRQ, from peer: PeerAddress?) -> AssociationDecision {
        if let rejection = rejection(of: request, from: peer) { return .reject(rejection) }
        let contexts = presentationContexts(services: grantedServices(to: request))
        let answers = request.presentationContexts.map(contexts.answer)
        if answers.contains(where: { $0.result == .userRejection }), !answers.contains(where: { $0.result == .acceptance }) {
            return .reject(.user(.rejectedPermanent, .noReasonGiven))
        }
        return .accept(contexts)
    }

    /// The services the calling AE title may use: all of them unless callers are checked.
    public func grantedServices(to request: AAssociateRQ) -> Set<PeerService> {
        guard requireKnownCallers else { return Set(PeerService.allCases) }
        return knownCallers.first { $0.aeTitle == request.callingAETitle.value }?.services ?? []
    }

    /// The proposed abstract syntaxes refused because the caller lacks their service, with that
    /// service (for the log: an administrator sees what to add to the peer's `services`).
    public func refusedForService(in request: AAssociateRQ) -> [(abstractSyntax: String, service: PeerService)] {
        let granted = grantedServices(to: request)
        return request.presentationContexts.compactMap { proposed in
            guard case .requires(let service)? = ServedSOPClasses.access(to: proposed.abstractSyntax),
                  !Self.permits(proposed.abstractSyntax, service: service, to: granted) else { return nil }
            return (proposed.abstractSyntax, service)
        }
    }

    /// The rejection for this request, if any (PS3.8 Table 9-21, source "service user"). With
    /// `requireKnownCallers`, the calling AE title must be a known caller's and the connection
    /// must come from one of that caller's addresses; otherwise reason 3, calling AE title not
    /// recognized, as DCMTK's dcmqrscp answers a peer its configuration does not list.
    public func rejection(of request: AAssociateRQ, from peer: PeerAddress?) -> AAssociateRJ? {
        if !acceptAnyCalledAE && request.calledAETitle.value != aeTitle {
            return .user(.rejectedPermanent, .calledAETitleNotRecognized)
        }
        if requireKnownCallers {
            let caller = knownCallers.first { $0.aeTitle == request.callingAETitle.value }
            guard let caller, let peer, caller.addresses.contains(peer.host) else {
                return .user(.rejectedPermanent, .callingAETitleNotRecognized)
            }
        }
        return nil
    }

    /// Whether a caller granted `services` may have a context of `abstractSyntax`, which needs
    /// `service`. A storage context also serves a C-GET, whose sub-operations come back on it
    /// (PS3.4 C.4.3.3): a caller that may "get" has it, and its C-STOREs are refused (0124H) by
    /// `StorageServiceHandler.store` unless it may also "store".
    static func permits(_ abstractSyntax: String, service: PeerService, to services: Set<PeerService>) -> Bool {
        services.contains(service) || (services.contains(.get) && UIDDictionary.isStorageSOPClass(abstractSyntax))
    }

    /// Every context served, to a caller granted every service.
    public var presentationContexts: PresentationContextPolicy { presentationContexts(services: Set(PeerService.allCases)) }

    /// The SOP classes of `ServedSOPClasses` are accepted. A storage context takes the first
    /// transfer syntax the requestor proposed — or, with `preferUncompressed`, its first
    /// uncompressed one: the data set is stored exactly as received, so any syntax can be
    /// archived. Other contexts carry identifiers this side decodes, so they take the first
    /// uncompressed syntax proposed.
    ///
    /// A context whose service (`[[peer]] services`) the caller was not granted is refused with
    /// "user-rejection" (PS3.8 §9.3.3.2), as DCMTK's dcmqrscp refuses storage contexts to a
    /// read-only peer: the association still serves what the caller may do, the refusal is known
    /// at negotiation, and a request on a refused context cannot happen (it would be a PDV on a
    /// context not accepted, answered with A-ABORT).
    public func presentationContexts(services: Set<PeerService>) -> PresentationContextPolicy {
        let preferUncompressed = self.preferUncompressed
        return PresentationContextPolicy(answer: { proposed in
            guard let access = ServedSOPClasses.access(to: proposed.abstractSyntax) else {
                return PresentationContextAC(id: proposed.id, result: .abstractSyntaxNotSupported, transferSyntax: "")
            }
            if case .requires(let service) = access, !Self.permits(proposed.abstractSyntax, service: service, to: services) {
                return PresentationContextAC(id: proposed.id, result: .userRejection, transferSyntax: "")
            }
            let offered = proposed.transferSyntaxes.filter { !$0.isEmpty }
            let uncompressed = offered.first { TransferSyntax(uid: $0).isUncompressed }
            let chosen = access.carriesIdentifiers ? uncompressed : (preferUncompressed ? uncompressed : nil) ?? offered.first
            guard let chosen else {
                return PresentationContextAC(id: proposed.id, result: .transferSyntaxesNotSupported, transferSyntax: "")
            }
            return PresentationContextAC(id: proposed.id, result: .acceptance, transferSyntax: chosen)
        }, extendedNegotiation: QueryNegotiation.answer)
    }
}
