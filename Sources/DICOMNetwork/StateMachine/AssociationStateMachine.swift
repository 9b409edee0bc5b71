/// The DICOM upper layer protocol machine (PS3.8 §9.2): a pure value that turns events, with
/// what they carry, into actions (the PDUs to write, the timers to arm, the indications to give)
/// and a next state. It does no I/O; `UpperLayerConnection` performs the returned steps.
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
    /// The A-ASSOCIATE-RQ of Evt1, sent once the transport connects (AE-2).
    private var request: AAssociateRQ?

    public init(state: AssociationState = .sta1, role: Role? = nil) {
        self.state = state
        self.role = role
    }

    /// Applies one event.
    public mutating func handle(_ input: AssociationInput) throws(UnexpectedEvent) -> AssociationTransition {
        let event = input.event
        guard let action = Self.action(for: event, in: state) else { throw UnexpectedEvent(state: state, event: event) }
        if case .associateRequest(let request) = input {
            self.request = request
            role = .requestor
        }
        if event == .evt5 { role = .acceptor }
        let (steps, next) = effect(of: action, input: input)
        state = next
        return AssociationTransition(action: action, steps: steps, nextState: next)
    }

    /// Whether Table 9-10 has an entry for `event` now.
    public func allows(_ event: AssociationEvent) -> Bool {
        Self.action(for: event, in: state) != nil
    }

    /// The timer that runs while this side awaits a PDU (PS3.8 §9.1.5): ARTIM around the
    /// association's life, the association timer while a peer's A-ASSOCIATE or A-RELEASE answer
    /// is due, and the idle timer on an established association.
    public var timerAwaitingPDU: UpperLayerTimeout {
        switch state {
        case .sta2, .sta13: .artim
        case .sta5, .sta7, .sta9, .sta10, .sta11, .sta12: .association
        default: .idle
        }
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
    private func effect(of action: AssociationAction, input: AssociationInput) -> ([AssociationStep], AssociationState) {
        // A PDU that should not arrive now is "unexpected"; one that cannot be parsed says why.
        var providerReason = AAbort.Reason.unexpectedPDU
        if case .invalidPDU(let reason) = input { providerReason = reason }
        let providerAbort = AssociationStep.send(.abort(AAbort(source: .serviceProvider, reason: providerReason)))
        switch (action, input) {
        case (.ae1, _): return ([.openTransport], .sta4)
        case (.ae2, _): return (request.map { [.send(.associateRQ($0))] } ?? [], .sta5)
        case (.ae3, .received(.associateAC(let answer))): return ([.confirmAssociateAccepted(answer)], .sta6)
        case (.ae4, .received(.associateRJ(let rejection))): return ([.confirmAssociateRejected(rejection), .closeTransport], .sta1)
        case (.ae5, _): return ([.startARTIM], .sta2)
        case (.ae6, .received(.associateRQ(let request))):
            // Acceptable to the provider (protocol version, application context) or rejected here.
            guard let rejection = AssociationNegotiation.providerRejection(of: request) else {
                return ([.stopARTIM, .indicateAssociateRequest(request)], .sta3)
            }
            return ([.stopARTIM, .send(.associateRJ(rejection)), .startARTIM], .sta13)
        case (.ae7, .associateAccept(let answer)): return ([.send(.associateAC(answer))], .sta6)
        case (.ae8, .associateReject(let rejection)): return ([.send(.associateRJ(rejection)), .startARTIM], .sta13)
        case (.dt1, .pData(let pdus)): return ([.sendPData(pdus)], .sta6)
        case (.dt2, .received(.dataTF(let data))): return ([.indicatePData(data)], .sta6)
        case (.ar1, _): return ([.send(.releaseRQ)], .sta7)
        case (.ar2, _): return ([.indicateReleaseRequest], .sta8)
        case (.ar3, _): return ([.confirmRelease, .closeTransport], .sta1)
        case (.ar4, _): return ([.send(.releaseRP), .startARTIM], .sta13)
        case (.ar5, _): return ([.stopARTIM], .sta1)
        case (.ar6, .received(.dataTF(let data))): return ([.indicatePData(data)], .sta7)
        case (.ar7, .pData(let pdus)): return ([.sendPData(pdus)], .sta8)
        case (.ar8, _): return ([.indicateReleaseRequest], role == .requestor ? .sta9 : .sta10)
        case (.ar9, _): return ([.send(.releaseRP)], .sta11)
        case (.ar10, _): return ([.confirmRelease], .sta12)
        case (.aa1, _): return ([.send(.abort(AAbort(source: .serviceUser, reason: .notSpecified))), .startARTIM], .sta13)
        case (.aa2, _): return ([.stopARTIM, .closeTransport], .sta1)
        case (.aa3, .received(.abort(let abort))): return ([.indicateAbort(abort), .closeTransport], .sta1)
        case (.aa4, _): return ([.indicateProviderAbort], .sta1)
        case (.aa5, _): return ([.stopARTIM], .sta1)
        case (.aa6, _): return ([.ignorePDU], .sta13)
        case (.aa7, _): return ([providerAbort], .sta13)
        case (.aa8, _): return ([providerAbort, .indicateProviderAbort, .startARTIM], .sta13)
        // Table 9-10 pairs each action above with the events that carry its payload.
        case (.ae3, _), (.ae4, _), (.ae6, _), (.ae7, _), (.ae8, _), (.dt1, _), (.dt2, _), (.ar6, _), (.ar7, _), (.aa3, _):
            preconditionFailure("\(action) for \(input.event)")
        }
    }
}
