import NIOConcurrencyHelpers

/// What an acceptor lets a connection cost before and after its association is accepted.
///
/// A connection that has not yet been granted an association (PS3.8 Sta2/Sta3) only holds an
/// unassociated place, counted per source address: it cannot take an association slot, and it
/// may send no more than one small PDU, the A-ASSOCIATE-RQ. Association slots are taken when an
/// association is accepted.
public struct ConnectionLimits: Sendable, Equatable {
    /// Associations served at once; a request beyond is rejected as transient "local limit
    /// exceeded" (PS3.8 Table 9-21).
    public var maximumAssociations: Int
    /// Connections open without an association yet; connections beyond are closed at accept.
    public var maximumUnassociatedConnections: Int
    /// Of those, how many one source address may hold, so one host cannot take them all.
    public var maximumUnassociatedPerAddress: Int
    /// Bytes a connection may send before its association is accepted (the A-ASSOCIATE-RQ, a few
    /// KB in practice); more is answered with A-ABORT.
    public var maximumAssociateRQBytes: Int
    /// When set, connections from any other address are closed at accept, before anything is read.
    public var allowedAddresses: Set<String>?

    public init(maximumAssociations: Int = 64, maximumUnassociatedConnections: Int = 512,
                maximumUnassociatedPerAddress: Int = 32, maximumAssociateRQBytes: Int = 64 * 1024,
                allowedAddresses: Set<String>? = nil) {
        self.maximumAssociations = maximumAssociations
        self.maximumUnassociatedConnections = maximumUnassociatedConnections
        self.maximumUnassociatedPerAddress = maximumUnassociatedPerAddress
        self.maximumAssociateRQBytes = maximumAssociateRQBytes
        self.allowedAddresses = allowedAddresses
    }
}

/// Why a connection was closed at accept.
public enum ConnectionRefusal: Error, Hashable, Sendable {
    case addressNotAllowed
    case tooManyUnassociated
    case tooManyFromAddress
}

/// The acceptor's books: unassociated connections in total and per address, and associations.
/// A pure value; `ConnectionAdmission` shares it between event loops.
struct AdmissionLedger: Sendable {
    let limits: ConnectionLimits
    private(set) var unassociated = 0
    private(set) var unassociatedByAddress: [String: Int] = [:]
    private(set) var associations = 0

    init(limits: ConnectionLimits) { self.limits = limits }

    /// Takes an unassociated place for a new connection from `address` (nil: not an IP socket).
    mutating func admit(from address: String?) -> ConnectionRefusal? {
        let key = address ?? ""
        if let allowed = limits.allowedAddresses, !allowed.contains(key) { return .addressNotAllowed }
        guard unassociated < limits.maximumUnassociatedConnections else { return .tooManyUnassociated }
        let fromAddress = unassociatedByAddress[key, default: 0]
        guard fromAddress < limits.maximumUnassociatedPerAddress else { return .tooManyFromAddress }
        unassociated += 1
        unassociatedByAddress[key] = fromAddress + 1
        return nil
    }

    /// Gives back an unassociated place: the connection closed, or its association was accepted.
    mutating func release(from address: String?) {
        let key = address ?? ""
        unassociated -= 1
        let remaining = unassociatedByAddress[key, default: 1] - 1
        unassociatedByAddress[key] = remaining > 0 ? remaining : nil
    }

    /// Takes an association slot if one is free.
    mutating func beginAssociation() -> Bool {
        guard associations < limits.maximumAssociations else { return false }
        associations += 1
        return true
    }

    mutating func endAssociation() { associations -= 1 }
}

/// The ledger of one acceptor, shared by its connections on any event loop.
final class ConnectionAdmission: Sendable {
    private let ledger: NIOLockedValueBox<AdmissionLedger>
    let limits: ConnectionLimits

    init(limits: ConnectionLimits) {
        self.limits = limits
        ledger = NIOLockedValueBox(AdmissionLedger(limits: limits))
    }

    /// A ticket for a new connection, or why it must be closed at once.
    func admit(from address: String?) -> Result<AdmissionTicket, ConnectionRefusal> {
        if let refusal = ledger.withLockedValue({ $0.admit(from: address) }) { return .failure(refusal) }
        return .success(AdmissionTicket(admission: self, address: address))
    }

    func release(from address: String?) { ledger.withLockedValue { $0.release(from: address) } }
    func beginAssociation() -> Bool { ledger.withLockedValue { $0.beginAssociation() } }
    func endAssociation() { ledger.withLockedValue { $0.endAssociation() } }

    var snapshot: AdmissionLedger { ledger.withLockedValue { $0 } }
}

/// One admitted connection's unassociated place, given back exactly once: when its association
/// is accepted or when it closes, whichever comes first.
final class AdmissionTicket: Sendable {
    private let admission: ConnectionAdmission
    private let address: String?
    private let held = NIOLockedValueBox(true)

    init(admission: ConnectionAdmission, address: String?) {
        self.admission = admission
        self.address = address
    }

    /// Whether the connection still counts as unassociated (its bytes are still bounded).
    var isUnassociated: Bool { held.withLockedValue { $0 } }

    func release() {
        let wasHeld = held.withLockedValue { held in
            defer { held = false }
            return held
        }
        if wasHeld { admission.release(from: address) }
    }
}
