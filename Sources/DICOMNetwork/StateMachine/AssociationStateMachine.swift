/// The DICOM upper layer protocol machine (PS3.8 §9.2): a pure value that turns events into
/// actions and a next state. It does no I/O; the caller performs the returned steps.
public struct AssociationStateMachine: Hashable, Sendable {
    /// Whether this side requested the association; decides AR-8's next state (PS3.8 Table 9-9).
    public enum Role: Hashable, Sendable { case requestor, acceptor }

    /// An event for which Table 9-10 has no entry in the current state (a local-user misuse:
    /// every PDU and transport event has an entry wherever a connection exists).
    public struct UnexpectedEvent: Error, Hashable, Sendable {
        public let state: AssociationState
        public let event: AssociationEvent
    }

    public private(set) var state: AssociationState
    public private(set) var role: Role?

    public init(state: AssociationState = .sta1, role: Role? = nil) {
        self.state = state
        self.role = role
    }

    /// Applies one event.
    /// - Parameters:
    ///   - requestAcceptable: for Evt6 (AE-6), whether the provider can accept the A-ASSOCIATE-RQ
    ///     (e.g. protocol version, application context).
    ///   - invalidPDUReason: A-ABORT reason sent when the event is Evt19.
    public mutating func handle(
        _ event: AssociationEvent, requestAcceptable: Bool = true,
        invalidPDUReason: AAbort.Reason = .unrecognizedPDU
    ) throws(UnexpectedEvent) -> AssociationTransition {
        guard let action = Self.action(for: event, in: state) else { throw UnexpectedEvent(state: state, event: event) }
        if event == .evt1 { role = .requestor }
        if event == .evt5 { role = .acceptor }
        // A PDU that should not arrive now is "unexpected"; one that cannot be parsed is reported as such.
        let providerReason: AAbort.Reason = event == .evt19 ? invalidPDUReason : .unexpectedPDU
        let (steps, next) = Self.effect(of: action, requestAcceptable: requestAcceptable,
                                        providerReason: providerReason, role: role)
        state = next
        return AssociationTransition(action: action, steps: steps, nextState: next)
    }

    /// PS3.8 Table 9-10: the action for an event in a state, or nil where the table is blank.
    public static func action(for event: AssociationEvent, in state: AssociationState) -> AssociationAction? {
        let connected: Set<AssociationState> = [.sta2, .sta3, .sta5, .sta6, .sta7, .sta8, .sta9, .sta10, .sta11, .sta12, .sta13]
        // Receiving a PDU: the specific cells first, then the common pattern of its row.
        func receivedPDU(_ specific: [AssociationState: AssociationAction]) -> AssociationAction? {
            if let action = specific[state] { return action }
            switch state {
            case .sta2: return .aa1
            case .sta13: return .aa6
            case _ where connected.contains(state): return .aa8
            default: return nil
            }
        }
        switch event {
        case .evt1: return state == .sta1 ? .ae1 : nil
        case .evt2: return state == .sta4 ? .ae2 : nil
        case .evt3: return receivedPDU([.sta5: .ae3])
        case .evt4: return receivedPDU([.sta5: .ae4])
        case .evt5: return state == .sta1 ? .ae5 : nil
        case .evt6: return receivedPDU([.sta2: .ae6, .sta13: .aa7])
        case .evt7: return state == .sta3 ? .ae7 : nil
        case .evt8: return state == .sta3 ? .ae8 : nil
        case .evt9: return [.sta6: .dt1, .sta8: .ar7][state]
        case .evt10: return receivedPDU([.sta6: .dt2, .sta7: .ar6])
        case .evt11: return state == .sta6 ? .ar1 : nil
        case .evt12: return receivedPDU([.sta6: .ar2, .sta7: .ar8])
        case .evt13: return receivedPDU([.sta7: .ar3, .sta10: .ar10, .sta11: .ar3])
        case .evt14: return [.sta8: .ar4, .sta9: .ar9, .sta12: .ar4][state]
        case .evt15:
            if state == .sta4 { return .aa2 }
            return connected.subtracting([.sta2, .sta13]).contains(state) ? .aa1 : nil
        case .evt16:
            switch state {
            case .sta1, .sta4: return nil
            case .sta2, .sta13: return .aa2
            default: return .aa3
            }
        case .evt17:
            switch state {
            case .sta1: return nil
            case .sta2: return .aa5
            case .sta13: return .ar5
            default: return .aa4
            }
        case .evt18: return state == .sta2 || state == .sta13 ? .aa2 : nil
        case .evt19: return receivedPDU([.sta13: .aa7])
        }
    }

    /// PS3.8 Table 9-9: what an action does and the state it leads to.
    static func effect(
        of action: AssociationAction, requestAcceptable: Bool, providerReason: AAbort.Reason, role: Role?
    ) -> ([AssociationStep], AssociationState) {
        let providerAbort = AssociationStep.sendAbort(source: .serviceProvider, reason: providerReason)
        switch action {
        case .ae1: return ([.openTransport], .sta4)
        case .ae2: return ([.sendAssociateRQ], .sta5)
        case .ae3: return ([.confirmAssociateAccepted], .sta6)
        case .ae4: return ([.confirmAssociateRejected, .closeTransport], .sta1)
        case .ae5: return ([.startARTIM], .sta2)
        case .ae6:
            return requestAcceptable
                ? ([.stopARTIM, .indicateAssociateRequest], .sta3)
                : ([.stopARTIM, .sendAssociateRJ, .startARTIM], .sta13)
        case .ae7: return ([.sendAssociateAC], .sta6)
        case .ae8: return ([.sendAssociateRJ, .startARTIM], .sta13)
        case .dt1: return ([.sendPData], .sta6)
        case .dt2: return ([.indicatePData], .sta6)
        case .ar1: return ([.sendReleaseRQ], .sta7)
        case .ar2: return ([.indicateReleaseRequest], .sta8)
        case .ar3: return ([.confirmRelease, .closeTransport], .sta1)
        case .ar4: return ([.sendReleaseRP, .startARTIM], .sta13)
        case .ar5: return ([.stopARTIM], .sta1)
        case .ar6: return ([.indicatePData], .sta7)
        case .ar7: return ([.sendPData], .sta8)
        case .ar8: return ([.indicateReleaseRequest], role == .requestor ? .sta9 : .sta10)
        case .ar9: return ([.sendReleaseRP], .sta11)
        case .ar10: return ([.confirmRelease], .sta12)
        case .aa1: return ([.sendAbort(source: .serviceUser, reason: .notSpecified), .startARTIM], .sta13)
        case .aa2: return ([.stopARTIM, .closeTransport], .sta1)
        case .aa3: return ([.indicateAbort, .closeTransport], .sta1)
        case .aa4: return ([.indicateProviderAbort], .sta1)
        case .aa5: return ([.stopARTIM], .sta1)
        case .aa6: return ([.ignorePDU], .sta13)
        case .aa7: return ([providerAbort], .sta13)
        case .aa8: return ([providerAbort, .indicateProviderAbort, .startARTIM], .sta13)
        }
    }
}
