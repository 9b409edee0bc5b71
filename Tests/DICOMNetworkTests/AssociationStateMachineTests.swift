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

    @Test func tableCoversEveryStateAndEvent() {
        #expect(Self.cells.count == AssociationEvent.allCases.count * AssociationState.allCases.count)
    }

    @Test func everyCellMatchesTheStandard() {
        for cell in Self.cells {
            for role in [AssociationStateMachine.Role.requestor, .acceptor] {
                var machine = AssociationStateMachine(state: cell.state, role: role)
                let context = "\(cell.event) in \(cell.state)"
                guard let expected = cell.action else {
                    #expect(throws: AssociationStateMachine.UnexpectedEvent(state: cell.state, event: cell.event), "\(context)") {
                        try machine.handle(cell.event)
                    }
                    #expect(machine.state == cell.state, "\(context) must not change the state")
                    continue
                }
                guard let transition = try? machine.handle(cell.event) else {
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
        let transition = try machine.handle(.evt6, requestAcceptable: false)
        #expect(transition.action == .ae6)
        #expect(transition.steps == [.stopARTIM, .sendAssociateRJ, .startARTIM])
        #expect(machine.state == .sta13)
    }

    @Test func acceptorLifecycle() throws {
        var machine = AssociationStateMachine()
        #expect(try machine.handle(.evt5).steps == [.startARTIM])
        #expect(try machine.handle(.evt6).steps == [.stopARTIM, .indicateAssociateRequest])
        #expect(try machine.handle(.evt7).steps == [.sendAssociateAC])
        #expect(try machine.handle(.evt10).steps == [.indicatePData])
        #expect(try machine.handle(.evt9).steps == [.sendPData])
        #expect(try machine.handle(.evt12).steps == [.indicateReleaseRequest])
        #expect(try machine.handle(.evt14).steps == [.sendReleaseRP, .startARTIM])
        #expect(try machine.handle(.evt17).steps == [.stopARTIM])
        #expect(machine.state == .sta1)
    }

    @Test func requestorLifecycle() throws {
        var machine = AssociationStateMachine()
        #expect(try machine.handle(.evt1).steps == [.openTransport])
        #expect(try machine.handle(.evt2).steps == [.sendAssociateRQ])
        #expect(try machine.handle(.evt3).steps == [.confirmAssociateAccepted])
        #expect(try machine.handle(.evt11).steps == [.sendReleaseRQ])
        #expect(try machine.handle(.evt10).steps == [.indicatePData])  // AR-6: data still arriving
        #expect(try machine.handle(.evt13).steps == [.confirmRelease, .closeTransport])
        #expect(machine.state == .sta1)
    }

    /// Both sides send A-RELEASE-RQ at once (PS3.8 §7.2.2, release collision).
    @Test func releaseCollisionOnBothSides() throws {
        var requestor = AssociationStateMachine(state: .sta6, role: .requestor)
        var acceptor = AssociationStateMachine(state: .sta6, role: .acceptor)
        _ = try requestor.handle(.evt11)
        _ = try acceptor.handle(.evt11)
        #expect(try requestor.handle(.evt12).nextState == .sta9)
        #expect(try acceptor.handle(.evt12).nextState == .sta10)
        #expect(try requestor.handle(.evt14).steps == [.sendReleaseRP])          // AR-9 → Sta11
        #expect(try acceptor.handle(.evt13).steps == [.confirmRelease])           // AR-10 → Sta12
        #expect(try acceptor.handle(.evt14).steps == [.sendReleaseRP, .startARTIM])  // AR-4 → Sta13
        #expect(try requestor.handle(.evt13).steps == [.confirmRelease, .closeTransport])  // AR-3 → Sta1
        #expect(requestor.state == .sta1)
        #expect(acceptor.state == .sta13)
    }

    @Test func abortReasons() throws {
        var machine = AssociationStateMachine(state: .sta6, role: .acceptor)
        #expect(try machine.handle(.evt19, invalidPDUReason: .invalidPDUParameterValue).steps == [
            .sendAbort(source: .serviceProvider, reason: .invalidPDUParameterValue), .indicateProviderAbort, .startARTIM,
        ])
        machine = AssociationStateMachine(state: .sta6, role: .acceptor)
        #expect(try machine.handle(.evt6).steps.first == .sendAbort(source: .serviceProvider, reason: .unexpectedPDU))
        machine = AssociationStateMachine(state: .sta6, role: .acceptor)
        #expect(try machine.handle(.evt15).steps == [.sendAbort(source: .serviceUser, reason: .notSpecified), .startARTIM])
        #expect(try machine.handle(.evt18).steps == [.stopARTIM, .closeTransport])
    }

    @Test func roleIsLearnedFromTheFirstEvent() throws {
        var requestor = AssociationStateMachine()
        _ = try requestor.handle(.evt1)
        #expect(requestor.role == .requestor)
        var acceptor = AssociationStateMachine()
        _ = try acceptor.handle(.evt5)
        #expect(acceptor.role == .acceptor)
    }
}
