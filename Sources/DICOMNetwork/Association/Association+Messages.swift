import DICOMCore
import Foundation
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

    /// Bytes of PDV data gathered into one socket write: several P-DATA-TF PDUs of the peer's
    /// size go out together, instead of one awaited write per 16 KB fragment.
    var writeBatchCapacity: Int {
        max(1, (256 * 1024) / fragmentCapacity) * fragmentCapacity
    }

    /// Sends a DIMSE message: the command set, then the data set if any, fragmented to the
    /// peer's maximum PDU length (PS3.8 Annex E). A file data set is read one batch at a time.
    /// Tasks sending on the same association at once each send their whole message in turn.
    public func send(command: [UInt8], presentationContextID: UInt8, dataSet: DataSetSource? = nil) async throws {
        guard acceptedContexts[presentationContextID] != nil else {
            throw AssociationError.presentationContextNotAccepted(presentationContextID)
        }
        try await sendLock.withLock {
            try await sendFragments(of: command, contextID: presentationContextID, isCommand: true)
            switch dataSet {
            case nil: return
            case .bytes(let bytes): try await sendFragments(of: bytes, contextID: presentationContextID, isCommand: false)
            case .file(let path, let offset, let length):
                try await sendFile(path, offset: offset, length: length, contextID: presentationContextID)
            }
        }
    }

    private func sendFragments(of bytes: [UInt8], contextID: UInt8, isCommand: Bool) async throws {
        var start = 0
        repeat {
            let end = min(start + writeBatchCapacity, bytes.count)
            try await sendPDVs(bytes[start..<end], contextID: contextID, isCommand: isCommand, endsMessage: end == bytes.count)
            start = end
        } while start < bytes.count
    }

    private func sendFile(_ path: String, offset: UInt64, length: UInt64, contextID: UInt8) async throws {
        guard let file = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? file.close() }
        try file.seek(toOffset: offset)
        var remaining = length
        repeat {
            let count = Int(min(UInt64(writeBatchCapacity), remaining))
            let chunk = try file.read(upToCount: count) ?? Data()
            guard chunk.count == count else { throw CocoaError(.fileReadCorruptFile) }  // file shorter than announced
            remaining -= UInt64(count)
            try await sendPDVs(chunk, contextID: contextID, isCommand: false, endsMessage: remaining == 0)
        } while remaining > 0
    }

    /// `data` as P-DATA-TF PDUs of one PDV each, at most `fragmentCapacity` bytes apiece, framed
    /// by the codec and handed to the state machine as one P-DATA request event (one socket write).
    private func sendPDVs<Bytes: RandomAccessCollection<UInt8>>(
        _ data: Bytes, contextID: UInt8, isCommand: Bool, endsMessage: Bool
    ) async throws where Bytes.Index == Int {
        let capacity = fragmentCapacity
        var buffer = ByteBuffer()
        buffer.reserveCapacity(data.count + 12 * (data.count / capacity + 1))
        var start = data.startIndex
        repeat {
            let end = min(start + capacity, data.endIndex)
            buffer.writeBytes(PDataTF.header(dataLength: end - start, presentationContextID: contextID, isCommand: isCommand,
                                             isLastFragment: endsMessage && end == data.endIndex))
            buffer.writeBytes(data[start..<end])
            start = end
        } while start < data.endIndex
        try connection.checkOpen()
        try await connection.handle(.pData(buffer))
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
                    // C-STOREs still being performed send their responses first (AR-7, Sta8).
                    await storesInFlight.drained()
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
