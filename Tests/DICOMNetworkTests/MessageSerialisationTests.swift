import DICOMCore
import NIOCore
import NIOEmbedded
import Testing
@testable import DICOMNetwork

/// Two tasks sending on one association at once (a C-GET's C-STORE sub-operation and a pending
/// response, a storage commitment N-EVENT-REPORT and a C-STORE-RSP): each message's PDVs go out
/// together, never interleaved with another message's (PS3.8 §9.3.5: a message's fragments are
/// contiguous on one presentation context).
@Suite("Whole DIMSE messages per association")
struct MessageSerialisationTests {
    @Test func concurrentLargeMessagesDoNotInterleave() async throws {
        let channel = NIOAsyncTestingChannel()
        let configuration = AssociationConfiguration(aeTitle: try AETitle("TANDEM"))
        let (asyncChannel, timer) = try await channel.eventLoop.submit {
            try UpperLayerConnection.configure(channel, configuration: configuration)
        }.get()
        let contexts = [RoutedAssociation.ctStorage, RoutedAssociation.studyRootGet]
        let request = AAssociateRQ(
            calledAETitle: try AETitle("TANDEM"), callingAETitle: try AETitle("SCU"), presentationContexts: contexts,
            userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3"))
        let answer = AAssociateAC(
            calledAETitle: request.calledAETitle, callingAETitle: request.callingAETitle,
            presentationContexts: contexts.map { PresentationContextAC(id: $0.id, result: .acceptance, transferSyntax: $0.transferSyntaxes[0]) },
            userInformation: configuration.userInformation(roleSelections: []))
        // Each message spans several socket writes (a write carries at most 256 KB of PDV data).
        let messages = 6
        let dataSetLength = 1 << 20
        try await asyncChannel.executeThenClose { inbound, outbound in
            let connection = UpperLayerConnection(
                machine: AssociationStateMachine(state: .sta6, role: .acceptor), configuration: configuration,
                channel: channel, timer: timer, inbound: inbound, outbound: outbound)
            let association = Association(request: request, answer: answer, connection: connection)
            try await withThrowingTaskGroup { group in
                for index in 0..<messages {
                    let contextID = contexts[index % 2].id
                    group.addTask {
                        let command = CStoreRequest(messageID: UInt16(index + 1), affectedSOPClassUID: StoreCollector.ctImageStorage,
                                                    affectedSOPInstanceUID: "1.2.3.\(index)")
                        try await association.send(command: try command.encode(), presentationContextID: contextID,
                                                   dataSet: .bytes([UInt8](repeating: UInt8(index), count: dataSetLength)))
                    }
                }
                try await group.waitForAll()
            }
        }
        var bytes: [UInt8] = []
        while var buffer = try await channel.readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        // Walk the PDVs: a message is a command (last fragment) then data fragments up to the
        // last one, all on one context and, here, all of one fill byte.
        var current: (context: UInt8, fill: UInt8?)?
        var completed = 0
        var start = 0
        while start + PDU.headerLength <= bytes.count {
            let length = Int(bytes[start + 2]) << 24 | Int(bytes[start + 3]) << 16 | Int(bytes[start + 4]) << 8 | Int(bytes[start + 5])
            let pdu = try PDU.decode(bytes: Array(bytes[start..<(start + PDU.headerLength + length)]))
            start += PDU.headerLength + length
            guard case .dataTF(let data) = pdu else { throw HarnessError("a PDU other than P-DATA-TF") }
            for value in data.values {
                guard let message = current else {
                    #expect(value.isCommand && value.isLastFragment)
                    current = (value.presentationContextID, nil)
                    continue
                }
                #expect(value.presentationContextID == message.context && !value.isCommand,
                        "a PDV of another message inside message \(completed + 1)")
                let fill = message.fill ?? value.data.first
                #expect(value.data.allSatisfy { $0 == fill }, "data of another message inside message \(completed + 1)")
                current = value.isLastFragment ? nil : (message.context, fill)
                if value.isLastFragment { completed += 1 }
            }
        }
        #expect(start == bytes.count)
        #expect(completed == messages)
    }
}
