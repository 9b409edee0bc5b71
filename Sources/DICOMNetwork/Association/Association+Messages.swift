import DICOMCore
import NIOCore

extension Association {
    /// Largest PDV data per P-DATA-TF: the peer's maximum length less the PDV item header
    /// (4-byte length, context ID, control header; PS3.8 §9.3.5). A peer announcing "no limit"
    /// still gets fragments of our own receive size.
    var fragmentCapacity: Int {
        let limit = peerMaximumPDULength == 0 ? connection.configuration.maximumReceivePDULength : peerMaximumPDULength
        return max(Int(limit) - 6, 1)
    }

    // MARK: Sending

    /// Data bytes gathered into one socket write: several P-DATA-TF PDUs of the peer's size go
    /// out together, instead of one awaited write per 16 KB fragment. At most 1,024 fragments
    /// (IOV_MAX, the gaps one read fills), whatever small PDUs the peer asks for.
    var writeBatchCapacity: Int {
        min(max(1, (256 * 1024) / fragmentCapacity), PDataFramer.maximumFragmentsPerRead) * fragmentCapacity
    }

    /// Sends a DIMSE message: the command set, then the data set if any, fragmented to the
    /// peer's maximum PDU length (PS3.8 Annex E). The command travels in the same socket write
    /// as the first batch of its data set; a file data set is read one batch at a time, into the
    /// buffer the batch is written from. Tasks sending on the same association at once each send
    /// their whole message in turn.
    public func send(command: [UInt8], presentationContextID: UInt8, dataSet: DataSetSource? = nil) async throws {
        guard acceptedContexts[presentationContextID] != nil else {
            throw AssociationError.presentationContextNotAccepted(presentationContextID)
        }
        let framer = PDataFramer(fragmentCapacity: fragmentCapacity, presentationContextID: presentationContextID)
        let batchCapacity = writeBatchCapacity
        try await sendLock.withLock {
            var batch = ByteBuffer()
            framer.append(command[...], isCommand: true, endsMessage: true, to: &batch)
            switch dataSet {
            case nil:
                break
            case .bytes(let bytes):
                var start = 0
                repeat {
                    let end = min(start + batchCapacity, bytes.count)
                    framer.append(bytes[start..<end], isCommand: false, endsMessage: end == bytes.count, to: &batch)
                    start = end
                    if start < bytes.count { try await sendBatch(&batch) }
                } while start < bytes.count
            case .file(let path, let offset, let length):
                let file = try OutgoingFile(path: path)
                var position = Int(offset)
                let end = Int(offset + length)
                repeat {
                    let count = min(batchCapacity, end - position)
                    try framer.append(file, offset: position, count: count, endsMessage: position + count == end, to: &batch)
                    position += count
                    if position < end { try await sendBatch(&batch) }
                } while position < end
            }
            try await sendBatch(&batch)
        }
    }

    /// Hands a batch of framed P-DATA-TF PDUs to the state machine as one P-DATA request event
    /// (one socket write), leaving `batch` empty for the next.
    private func sendBatch(_ batch: inout ByteBuffer) async throws {
        try connection.checkOpen()
        let pdus = batch
        batch = ByteBuffer()
        try await connection.handle(.pData(pdus))
    }

    // MARK: Receiving

    /// The next DIMSE message, or nil once the peer released the association (this side has
    /// then answered A-RELEASE-RP). An unread data set of the previous message is skipped.
    public func receive() async throws -> IncomingMessage? {
        while dataSetInProgress != nil { _ = try await nextDataSetFragment() }
        var command: [UInt8] = []
        var contextID: UInt8?
        while true {
            guard let value = try await nextPDV() else { return nil }
            guard value.isCommand, contextID == nil || contextID == value.presentationContextID else {
                throw await connection.abortForViolation(.unexpectedPDUParameter, "data PDV where a command fragment was due")
            }
            contextID = value.presentationContextID
            guard command.count + value.data.count <= connection.configuration.maximumCommandLength else {
                throw await connection.abortForViolation(.invalidPDUParameterValue, "command set longer than allowed")
            }
            command += value.data
            if value.isLastFragment { break }
        }
        guard let contextID, let context = acceptedContexts[contextID],
              let elements = try? CommandSet.decode(command), let hasDataSet = CommandSet.announcesDataSet(elements) else {
            throw await connection.abortForViolation(.invalidPDUParameterValue, "command set without Command Data Set Type")
        }
        if hasDataSet { dataSetInProgress = contextID }
        // A command missing a required field throws here; the message framing is intact.
        return IncomingMessage(presentationContext: context, command: try DIMSECommand(elements),
                               dataSet: hasDataSet ? DataSetFragments(association: self) : nil)
    }

    /// The next fragment of the data set being received; nil after its last fragment.
    func nextDataSetFragment() async throws -> [UInt8]? {
        guard let contextID = dataSetInProgress else { return nil }
        guard let value = try await nextPDV() else {
            throw AssociationError.protocolViolation(.unexpectedPDU, "released during a data set")
        }
        guard !value.isCommand, value.presentationContextID == contextID else {
            throw await connection.abortForViolation(.unexpectedPDUParameter, "PDV does not continue the data set")
        }
        if value.isLastFragment { dataSetInProgress = nil }
        return value.data
    }

    /// The next PDV from the peer, reading P-DATA-TF PDUs as needed; nil after the peer's release.
    private func nextPDV() async throws -> PresentationDataValue? {
        while pendingValues.isEmpty {
            guard let pdu = try await connection.readPDU() else { return nil }
            for step in try await connection.handleReceived(pdu) {
                switch step {
                case .indicatePData(let data):
                    // PS3.8 §9.3.5: PDVs only on presentation contexts this association accepted.
                    if let stray = data.values.first(where: { acceptedContexts[$0.presentationContextID] == nil }) {
                        throw await connection.abortForViolation(
                            .invalidPDUParameterValue, "PDV on presentation context \(stray.presentationContextID), not accepted")
                    }
                    pendingValues = data.values[...]
                case .indicateReleaseRequest:  // AR-2: the peer releases; this side answers (AR-4)
                    // The releasing peer sends no more P-DATA (Sta7, PS3.8 Table 9-10): a request of
                    // this side still awaiting its response (an N-EVENT-REPORT, a C-GET's C-STORE)
                    // fails now rather than when the transport closes, which a peer may delay.
                    responseWaiters.end(AssociationError.releasedByPeer)
                    // Operations still being performed send their responses first (AR-7, Sta8).
                    await operationsBeingPerformed.drained()
                    try await connection.handle(.releaseResponse)
                    try await connection.awaitTransportClose()
                    return nil
                default:
                    break
                }
            }
        }
        return pendingValues.popFirst()
    }
}
