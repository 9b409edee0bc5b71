import Foundation
import NIOCore
import NIOEmbedded
import Testing
@testable import DICOMNetwork

/// A C-STORE whose data set comes from a file: the file's bytes are read into the socket
/// buffers between the P-DATA-TF headers, the command shares the first socket write with the
/// first batch of the data set, and later writes carry at most one batch each.
@Suite("Sending a data set from a file")
struct FileDataSetSendingTests {
    /// The socket writes of one C-STORE of `length` bytes from `offset` of a file, to a peer
    /// whose maximum PDU length is `peerMaximumPDU`.
    func writes(ofFileWith contents: [UInt8], offset: Int, length: Int, peerMaximumPDU: UInt32) async throws -> [[UInt8]] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("framing-\(UUID().uuidString)").path
        try Data(contents).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let channel = NIOAsyncTestingChannel()
        let configuration = AssociationConfiguration(aeTitle: try AETitle("SCU"))
        let (asyncChannel, timer) = try await channel.eventLoop.submit {
            try UpperLayerConnection.configure(channel, configuration: configuration)
        }.get()
        let context = RoutedAssociation.ctStorage
        let request = AAssociateRQ(
            calledAETitle: try AETitle("TANDEM"), callingAETitle: try AETitle("SCU"), presentationContexts: [context],
            userInformation: configuration.userInformation(roleSelections: []))
        let answer = AAssociateAC(
            calledAETitle: request.calledAETitle, callingAETitle: request.callingAETitle,
            presentationContexts: [PresentationContextAC(id: context.id, result: .acceptance, transferSyntax: context.transferSyntaxes[0])],
            userInformation: UserInformation(maximumLength: peerMaximumPDU, implementationClassUID: "1.2.3"))
        try await asyncChannel.executeThenClose { inbound, outbound in
            let connection = UpperLayerConnection(
                machine: AssociationStateMachine(state: .sta6, role: .requestor), configuration: configuration,
                channel: channel, timer: timer, inbound: inbound, outbound: outbound)
            let association = Association(request: request, answer: answer, connection: connection)
            let command = CStoreRequest(messageID: 1, affectedSOPClassUID: StoreCollector.ctImageStorage,
                                        affectedSOPInstanceUID: "1.2.3.4")
            try await association.send(command: try command.encode(), presentationContextID: context.id,
                                       dataSet: .file(path: path, offset: UInt64(offset), length: UInt64(length)))
        }
        var writes: [[UInt8]] = []
        while var buffer = try await channel.readOutbound(as: ByteBuffer.self) {
            writes.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        }
        return writes
    }

    /// The PDVs of one socket write, decoded by the PDU codec.
    func values(in write: [UInt8]) throws -> [PresentationDataValue] {
        var values: [PresentationDataValue] = []
        var start = 0
        while start < write.count {
            let length = Int(write[start + 2]) << 24 | Int(write[start + 3]) << 16 | Int(write[start + 4]) << 8 | Int(write[start + 5])
            guard case .dataTF(let data) = try PDU.decode(bytes: Array(write[start..<(start + PDU.headerLength + length)])) else {
                throw HarnessError("a PDU other than P-DATA-TF")
            }
            values += data.values
            start += PDU.headerLength + length
        }
        return values
    }

    @Test func theFileRangeArrivesInFragmentsOfThePeersSizeAfterTheCommandInTheFirstWrite() async throws {
        let contents = (0..<700_001).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let (offset, length) = (333, 700_001 - 333 - 1_000)
        let writes = try await writes(ofFileWith: contents, offset: offset, length: length, peerMaximumPDU: 16_384)
        let perWrite = try writes.map(values(in:))
        // 16,378 data bytes per PDV; 256 KiB batches hold 16 of them.
        #expect(writes.count == 3)
        #expect(perWrite[0].first?.isCommand == true && perWrite[0].first?.isLastFragment == true)
        let data = perWrite.flatMap { $0 }.filter { !$0.isCommand }
        #expect(perWrite.map { $0.filter { !$0.isCommand }.count } == [16, 16, 11])
        #expect(data.dropLast().allSatisfy { $0.data.count == 16_378 && !$0.isLastFragment })
        #expect(data.last?.isLastFragment == true)
        #expect(data.flatMap(\.data) == Array(contents[offset..<(offset + length)]))
    }

    @Test func anEmptyDataSetIsOneEmptyLastFragment() async throws {
        let writes = try await writes(ofFileWith: [1, 2, 3, 4], offset: 4, length: 0, peerMaximumPDU: 16_384)
        let values = try values(in: try #require(writes.first))
        #expect(writes.count == 1)
        #expect(values.count == 2 && values[1].data.isEmpty && values[1].isLastFragment && !values[1].isCommand)
    }
}
