import DICOMCore

/// Sends the pending responses of one C-FIND (PS3.4 C.4.1.2) and tells the provider when the
/// requestor cancelled it. Used by the provider's task while the router reads the association.
public struct CFindResponder: Sendable {
    public let request: CFindRequest
    public let context: DIMSERequestContext
    let operation: RunningOperation

    /// Whether a C-CANCEL-RQ for this operation arrived (PS3.7 §9.3.2.3).
    public var isCancelled: Bool { operation.isCancelled }

    /// Sends one match as a pending response: FF00H, or FF01H when some optional keys were not
    /// supported. Returns false, having sent nothing, once the operation is cancelled.
    @discardableResult
    public func pending(_ identifier: DataSet, status: DIMSEStatus = .pending) async throws -> Bool {
        guard !isCancelled else { return false }
        let bytes = try DataSetWriter.encode(identifier, transferSyntax: context.transferSyntax)
        let response = CFindResponse(messageIDBeingRespondedTo: request.messageID, affectedSOPClassUID: request.affectedSOPClassUID,
                                     status: status, hasIdentifier: true)
        try await context.association.send(command: response.encode(), presentationContextID: context.presentationContext.id,
                                           dataSet: .bytes(bytes))
        return true
    }
}
