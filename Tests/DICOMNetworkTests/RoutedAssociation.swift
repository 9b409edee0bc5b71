import DICOMCore
import NIOCore
import NIOEmbedded
@testable import DICOMNetwork

/// An established association on a `NIOAsyncTestingChannel`, served by a router through the
/// state machine, with the test as the requestor: PDUs in, PDUs out, no socket.
final class RoutedAssociation {
    static let verification = PresentationContextRQ(id: 1, abstractSyntax: CEchoRequest.verificationSOPClassUID,
                                                    transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid])
    static let ctStorage = PresentationContextRQ(id: 3, abstractSyntax: StoreCollector.ctImageStorage,
                                                 transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid])
    static let studyRootFind = PresentationContextRQ(id: 5, abstractSyntax: "1.2.840.10008.5.1.4.1.2.2.1",
                                                     transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid])

    static let studyRootGet = PresentationContextRQ(id: 7, abstractSyntax: "1.2.840.10008.5.1.4.1.2.2.3",
                                                    transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid])

    static let storageCommitment = PresentationContextRQ(id: 9, abstractSyntax: "1.2.840.10008.1.20.1",
                                                         transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid])
    static let studyRootMove = PresentationContextRQ(id: 11, abstractSyntax: "1.2.840.10008.5.1.4.1.2.2.2",
                                                     transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid])

    let channel: NIOAsyncTestingChannel
    private var unread: [UInt8] = []
    private var values: [PresentationDataValue] = []

    private init(channel: NIOAsyncTestingChannel) { self.channel = channel }

    /// Serves an association on `router` while `body` plays the requestor, then releases it
    /// (unless `body` released it itself) and closes the transport.
    /// The requestor proposes the SCP role for CT storage (for C-GET); the acceptor grants it
    /// unless told otherwise.
    static func serve(_ router: DIMSEServiceRouter, grantingStorageSCPRole: Bool = true, bodyReleases: Bool = false,
                      _ body: (RoutedAssociation) async throws -> Void) async throws {
        let channel = NIOAsyncTestingChannel()
        let configuration = AssociationConfiguration(aeTitle: try AETitle("TANDEM"))
        let (asyncChannel, timer) = try await channel.eventLoop.submit {
            try UpperLayerConnection.configure(channel, configuration: configuration)
        }.get()
        let contexts = [verification, ctStorage, studyRootFind, studyRootGet, storageCommitment, studyRootMove]
        let request = AAssociateRQ(
            calledAETitle: try AETitle("TANDEM"), callingAETitle: try AETitle("SCU"), presentationContexts: contexts,
            userInformation: UserInformation(
                maximumLength: 16384, implementationClassUID: "1.2.3",
                roleSelections: [RoleSelection(sopClassUID: ctStorage.abstractSyntax, scuRole: true, scpRole: true)]))
        let answer = AAssociateAC(
            calledAETitle: request.calledAETitle, callingAETitle: request.callingAETitle,
            presentationContexts: contexts.map { PresentationContextAC(id: $0.id, result: .acceptance, transferSyntax: $0.transferSyntaxes[0]) },
            userInformation: configuration.userInformation(roleSelections: [
                RoleSelection(sopClassUID: ctStorage.abstractSyntax, scuRole: true, scpRole: grantingStorageSCPRole),
            ]))
        try await asyncChannel.executeThenClose { inbound, outbound in
            let connection = UpperLayerConnection(
                machine: AssociationStateMachine(state: .sta6, role: .acceptor), configuration: configuration,
                channel: channel, timer: timer, inbound: inbound, outbound: outbound)
            let association = Association(request: request, answer: answer, connection: connection)
            let serving = Task { try await router.serve(association) }
            let peer = RoutedAssociation(channel: channel)
            do {
                try await body(peer)
                if !bodyReleases { try await peer.release() }
                try await channel.close()
                try await serving.value
            } catch {
                serving.cancel()
                try? await channel.close()
                throw error
            }
        }
    }

    /// Sends A-RELEASE-RQ and reads the acceptor's A-RELEASE-RP; the transport stays open.
    func release() async throws {
        try await write(.releaseRQ)
        guard try await nextPDU() == .releaseRP else { throw HarnessError("no A-RELEASE-RP") }
    }

    func write(_ pdu: PDU) async throws {
        try await channel.writeInbound(ByteBuffer(bytes: try pdu.encode()))
    }

    /// Sends a DIMSE message, its data set in fragments of at most `fragment` bytes.
    func send(_ command: DIMSECommand, contextID: UInt8, dataSet: [UInt8]? = nil, fragment: Int = 1000) async throws {
        try await write(.dataTF(PDataTF(values: [
            PresentationDataValue(presentationContextID: contextID, isCommand: true, isLastFragment: true, data: command.encode()),
        ])))
        guard let dataSet else { return }
        var start = 0
        repeat {
            let end = min(start + fragment, dataSet.count)
            try await write(.dataTF(PDataTF(values: [
                PresentationDataValue(presentationContextID: contextID, isCommand: false, isLastFragment: end == dataSet.count,
                                      data: Array(dataSet[start..<end])),
            ])))
            start = end
        } while start < dataSet.count
    }

    /// The next PDU the acceptor wrote (several may share one write).
    func nextPDU() async throws -> PDU {
        while true {
            if unread.count >= PDU.headerLength {
                let length = Int(unread[2]) << 24 | Int(unread[3]) << 16 | Int(unread[4]) << 8 | Int(unread[5])
                if unread.count >= PDU.headerLength + length {
                    let pdu = try PDU.decode(bytes: Array(unread.prefix(PDU.headerLength + length)))
                    unread.removeFirst(PDU.headerLength + length)
                    return pdu
                }
            }
            var buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            unread += buffer.readBytes(length: buffer.readableBytes) ?? []
        }
    }

    /// The next DIMSE message the acceptor sent: its command and data set bytes.
    func nextMessage() async throws -> (command: DIMSECommand, dataSet: [UInt8]?) {
        let command = try DIMSECommand(decoding: try await fragments(command: true))
        return (command, command.hasDataSet ? try await fragments(command: false) : nil)
    }

    private func fragments(command: Bool) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            while values.isEmpty {
                guard case .dataTF(let data) = try await nextPDU() else { throw HarnessError("a PDU other than P-DATA-TF") }
                values = data.values
            }
            let value = values.removeFirst()
            guard value.isCommand == command else { throw HarnessError("a fragment of the wrong kind") }
            bytes += value.data
            if value.isLastFragment { return bytes }
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
