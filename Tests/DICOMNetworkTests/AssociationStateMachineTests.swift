import NIOCore
import Testing
@testable import DICOMNetwork

@Suite("Association state machine (PS3.8 §9.2)")
struct AssociationStateMachineTests {
    /// PS3.8 Table 9-10, transcribed row by row; "-" is a blank cell.
    static let table = """
        Evt   Sta1 Sta2 Sta3 Sta4 Sta5 Sta6 Sta7 Sta8 Sta9 Sta10 Sta11 Sta12 Sta13
        Evt1  AE-1 -    -    -    -    -    -    -    -    -     -     -     -
        Evt2  -    -    -    AE-2 -    -    -    -    -    -     -     -     -
        Evt3  -    AA-1 AA-8 -    AE-3 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
        Evt4  -    AA-1 AA-8 -    AE-4 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
        Evt5  AE-5 -    -    -    -    -    -    -    -    -     -     -     -
        Evt6  -    AE-6 AA-8 -    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
        Evt7  -    -    AE-7 -    -    -    -    -    -    -     -     -     -
        Evt8  -    -    AE-8 -    -    -    -    -    -    -     -     -     -
        Evt9  -    -    -    -    -    DT-1 -    AR-7 -    -     -     -     -
        Evt10 -    AA-1 AA-8 -    AA-8 DT-2 AR-6 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
        Evt11 -    -    -    -    -    AR-1 -    -    -    -     -     -     -
        Evt12 -    AA-1 AA-8 -    AA-8 AR-2 AR-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-6
        Evt13 -    AA-1 AA-8 -    AA-8 AA-8 AR-3 AA-8 AA-8 AR-10 AR-3  AA-8  AA-6
        Evt14 -    -    -    -    -    -    -    AR-4 AR-9 -     -     AR-4  -
        Evt15 -    -    AA-1 AA-2 AA-1 AA-1 AA-1 AA-1 AA-1 AA-1  AA-1  AA-1  -
        Evt16 -    AA-2 AA-3 -    AA-3 AA-3 AA-3 AA-3 AA-3 AA-3  AA-3  AA-3  AA-2
        Evt17 -    AA-5 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4  AA-4  AA-4  AR-5
        Evt18 -    AA-2 -    -    -    -    -    -    -    -     -     -     AA-2
        Evt19 -    AA-1 AA-8 -    AA-8 AA-8 AA-8 AA-8 AA-8 AA-8  AA-8  AA-8  AA-7
        """

    /// PS3.8 Table 9-9: the state each action leads to (AE-6 and AR-8 depend on context).
    static let nextState: [String: AssociationState] = [
        "AE-1": .sta4, "AE-2": .sta5, "AE-3": .sta6, "AE-4": .sta1, "AE-5": .sta2, "AE-7": .sta6, "AE-8": .sta13,
        "DT-1": .sta6, "DT-2": .sta6,
        "AR-1": .sta7, "AR-2": .sta8, "AR-3": .sta1, "AR-4": .sta13, "AR-5": .sta1, "AR-6": .sta7, "AR-7": .sta8,
        "AR-9": .sta11, "AR-10": .sta12,
        "AA-1": .sta13, "AA-2": .sta1, "AA-3": .sta1, "AA-4": .sta1, "AA-5": .sta1, "AA-6": .sta13, "AA-7": .sta13,
        "AA-8": .sta13,
    ]

    static var cells: [(event: AssociationEvent, state: AssociationState, action: String?)] {
        let rows = table.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
        return rows.flatMap { row in
            let event = AssociationEvent(rawValue: Int(row[0].dropFirst(3))!)!
            return row.dropFirst().enumerated().map { column, cell in
                (event, AssociationState(rawValue: column + 1)!, cell == "-" ? nil : cell)
            }
        }
    }

    static let request = AAssociateRQ(
        calledAETitle: try! AETitle("SCP"), callingAETitle: try! AETitle("SCU"), presentationContexts: [.verification()],
        userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3"))
    static let answer = AAssociateAC(
        calledAETitle: request.calledAETitle, callingAETitle: request.callingAETitle,
        presentationContexts: [PresentationContextAC(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2")],
        userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.4"))
    static let rejection = AAssociateRJ.user(.rejectedPermanent, .callingAETitleNotRecognized)
    static let data = PDataTF(values: [PresentationDataValue(presentationContextID: 1, isCommand: true, isLastFragment: true, data: [1, 2])])
    static let framedData = ByteBuffer(bytes: PDataTF.header(dataLength: 2, presentationContextID: 1, isCommand: true,
                                                             isLastFragment: true) + [1, 2])
    static let peerAbort = AAbort(source: .serviceUser, reason: .notSpecified)

    /// The event with a payload of the kind it carries.
    static func input(for event: AssociationEvent) -> AssociationInput {
        switch event {
        case .evt1: .associateRequest(request)
        case .evt2: .transportConnected
        case .evt3: .received(.associateAC(answer))
        case .evt4: .received(.associateRJ(rejection))
        case .evt5: .transportAccepted
        case .evt6: .received(.associateRQ(request))
        case .evt7: .associateAccept(answer)
        case .evt8: .associateReject(rejection)
        case .evt9: .pData(framedData)
        case .evt10: .received(.dataTF(data))
        case .evt11: .releaseRequest
        case .evt12: .received(.releaseRQ)
        case .evt13: .received(.releaseRP)
        case .evt14: .releaseResponse
        case .evt15: .abortRequest
        case .evt16: .received(.abort(peerAbort))
        case .evt17: .transportClosed
        case .evt18: .artimExpired
        case .evt19: .invalidPDU(.unrecognizedPDU)
        }
    }

    /// A machine in `state`; Sta4 is reached through Evt1, which gives it the request to send.
    static func machine(in state: AssociationState, role: AssociationStateMachine.Role) throws -> AssociationStateMachine {
        guard state == .sta4 else { return AssociationStateMachine(state: state, role: role) }
        var machine = AssociationStateMachine()
        _ = try machine.handle(.associateRequest(request))
        return machine
    }

    @Test func everyEventCarriesItsNumber() {
        for event in AssociationEvent.allCases { #expect(Self.input(for: event).event == event) }
    }

    @Test func tableCoversEveryStateAndEvent() {
        #expect(Self.cells.count == AssociationEvent.allCases.count * AssociationState.allCases.count)
    }

    @Test func everyCellMatchesTheStandard() {
        for cell in Self.cells {
            for role in [AssociationStateMachine.Role.requestor, .acceptor] {
                guard var machine = try? Self.machine(in: cell.state, role: role) else {
                    Issue.record("no machine in \(cell.state)")
                    continue
                }
                let input = Self.input(for: cell.event)
                let context = "\(cell.event) in \(cell.state)"
                guard let expected = cell.action else {
                    #expect(throws: AssociationStateMachine.UnexpectedEvent(state: cell.state, event: cell.event), "\(context)") {
                        try machine.handle(input)
                    }
                    #expect(machine.state == cell.state, "\(context) must not change the state")
                    continue
                }
                guard let transition = try? machine.handle(input) else {
                    Issue.record("\(context): no transition, expected \(expected)")
                    continue
                }
                #expect(transition.action.rawValue == expected, "\(context)")
                let next: AssociationState? = switch expected {
                case "AE-6": .sta3
                case "AR-8": role == .requestor ? .sta9 : .sta10
                default: Self.nextState[expected]
                }
                #expect(transition.nextState == next, "\(context)")
                #expect(machine.state == next, "\(context)")
            }
        }
    }

    @Test func unacceptableRequestIsRejectedWithARTIM() throws {
        var machine = AssociationStateMachine(state: .sta2, role: .acceptor)
        var request = Self.request
        request.applicationContextName = "1.2.3"
        let transition = try machine.handle(.received(.associateRQ(request)))
        #expect(transition.action == .ae6)
        #expect(transition.steps == [
            .stopARTIM, .send(.associateRJ(.user(.rejectedPermanent, .applicationContextNameNotSupported))), .startARTIM,
        ])
        #expect(machine.state == .sta13)
    }

    @Test func acceptorLifecycle() throws {
        var machine = AssociationStateMachine()
        #expect(try machine.handle(.transportAccepted).steps == [.startARTIM])
        #expect(machine.timerAwaitingPDU == .artim)
        #expect(try machine.handle(.received(.associateRQ(Self.request))).steps == [.stopARTIM, .indicateAssociateRequest(Self.request)])
        #expect(try machine.handle(.associateAccept(Self.answer)).steps == [.send(.associateAC(Self.answer))])
        #expect(machine.timerAwaitingPDU == .idle)
        #expect(try machine.handle(.received(.dataTF(Self.data))).steps == [.indicatePData(Self.data)])
        #expect(try machine.handle(.pData(Self.framedData)).steps == [.sendPData(Self.framedData)])
        #expect(try machine.handle(.received(.releaseRQ)).steps == [.indicateReleaseRequest])
        #expect(try machine.handle(.releaseResponse).steps == [.send(.releaseRP), .startARTIM])
        #expect(machine.timerAwaitingPDU == .artim)
        #expect(try machine.handle(.transportClosed).steps == [.stopARTIM])
        #expect(machine.state == .sta1)
    }

    @Test func requestorLifecycle() throws {
        var machine = AssociationStateMachine()
        #expect(try machine.handle(.associateRequest(Self.request)).steps == [.openTransport])
        #expect(try machine.handle(.transportConnected).steps == [.send(.associateRQ(Self.request))])
        #expect(machine.timerAwaitingPDU == .association)
        #expect(try machine.handle(.received(.associateAC(Self.answer))).steps == [.confirmAssociateAccepted(Self.answer)])
        #expect(try machine.handle(.releaseRequest).steps == [.send(.releaseRQ)])
        #expect(try machine.handle(.received(.dataTF(Self.data))).steps == [.indicatePData(Self.data)])  // AR-6: data still arriving
        #expect(try machine.handle(.received(.releaseRP)).steps == [.confirmRelease, .closeTransport])
        #expect(machine.state == .sta1)
    }

    @Test func rejectionIsConfirmed() throws {
        var machine = AssociationStateMachine()
        _ = try machine.handle(.associateRequest(Self.request))
        _ = try machine.handle(.transportConnected)
        #expect(try machine.handle(.received(.associateRJ(Self.rejection))).steps == [
            .confirmAssociateRejected(Self.rejection), .closeTransport,
        ])
    }

    /// Both sides send A-RELEASE-RQ at once (PS3.8 §7.2.2, release collision).
    @Test func releaseCollisionOnBothSides() throws {
        var requestor = AssociationStateMachine(state: .sta6, role: .requestor)
        var acceptor = AssociationStateMachine(state: .sta6, role: .acceptor)
        _ = try requestor.handle(.releaseRequest)
        _ = try acceptor.handle(.releaseRequest)
        #expect(try requestor.handle(.received(.releaseRQ)).nextState == .sta9)
        #expect(try acceptor.handle(.received(.releaseRQ)).nextState == .sta10)
        #expect(requestor.allows(.evt14) && !acceptor.allows(.evt14))  // the acceptor answers after AR-10
        #expect(try requestor.handle(.releaseResponse).steps == [.send(.releaseRP)])            // AR-9 → Sta11
        #expect(try acceptor.handle(.received(.releaseRP)).steps == [.confirmRelease])          // AR-10 → Sta12
        #expect(try acceptor.handle(.releaseResponse).steps == [.send(.releaseRP), .startARTIM])  // AR-4 → Sta13
        #expect(try requestor.handle(.received(.releaseRP)).steps == [.confirmRelease, .closeTransport])  // AR-3 → Sta1
        #expect(requestor.state == .sta1)
        #expect(acceptor.state == .sta13)
    }

    @Test func abortReasons() throws {
        var machine = AssociationStateMachine(state: .sta6, role: .acceptor)
        #expect(try machine.handle(.invalidPDU(.invalidPDUParameterValue)).steps == [
            .send(.abort(AAbort(source: .serviceProvider, reason: .invalidPDUParameterValue))), .indicateProviderAbort, .startARTIM,
        ])
        machine = AssociationStateMachine(state: .sta6, role: .acceptor)
        #expect(try machine.handle(.received(.associateRQ(Self.request))).steps.first
            == .send(.abort(AAbort(source: .serviceProvider, reason: .unexpectedPDU))))
        machine = AssociationStateMachine(state: .sta6, role: .acceptor)
        #expect(try machine.handle(.received(.abort(Self.peerAbort))).steps == [.indicateAbort(Self.peerAbort), .closeTransport])
        machine = AssociationStateMachine(state: .sta6, role: .acceptor)
        #expect(try machine.handle(.abortRequest).steps == [.send(.abort(AAbort(source: .serviceUser, reason: .notSpecified))), .startARTIM])
        #expect(try machine.handle(.artimExpired).steps == [.stopARTIM, .closeTransport])
    }

    @Test func roleIsLearnedFromTheFirstEvent() throws {
        var requestor = AssociationStateMachine()
        _ = try requestor.handle(.associateRequest(Self.request))
        #expect(requestor.role == .requestor)
        var acceptor = AssociationStateMachine()
        _ = try acceptor.handle(.transportAccepted)
        #expect(acceptor.role == .acceptor)
    }
}
