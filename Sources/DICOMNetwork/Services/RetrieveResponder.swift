import DICOMCore

/// Sends the pending responses of one C-GET or C-MOVE (PS3.4 C.4.2, C.4.3), runs a C-GET's
/// C-STORE sub-operations on the same association, and tells the provider when the requestor
/// cancelled. Used by the provider's task while the router reads the association.
public struct RetrieveResponder: Sendable {
    /// The C-GET-RQ or C-MOVE-RQ.
    public let request: DIMSECommand
    public let context: DIMSERequestContext
    let operation: RunningOperation

    /// Whether a C-CANCEL-RQ for this operation arrived (PS3.7 §9.3.2.3).
    public var isCancelled: Bool { operation.isCancelled }

    /// A pending response (FF00H) with the sub-operation counts so far.
    public func pending(_ counts: SubOperationCounts) async throws {
        guard let response = request.response(DIMSEResult(.pending), subOperations: counts) else { return }
        try await context.association.send(command: response.encode(), presentationContextID: context.presentationContext.id)
    }

    /// One C-STORE sub-operation of a C-GET on this association (PS3.4 C.4.3.3): on an accepted
    /// context for the SOP class whose transfer syntax is the data set's, where the requestor
    /// took the SCP role by role selection (PS3.7 §D.3.3.4). Returns the requestor's response.
    public func store(sopClassUID: String, sopInstanceUID: String, transferSyntax: String,
                      dataSet: DataSetSource, priority: DIMSEPriority = .medium) async throws -> CStoreResponse {
        let association = context.association
        guard association.answer.userInformation.roleSelections.contains(where: { $0.sopClassUID == sopClassUID && $0.scpRole }) else {
            throw RetrieveError.noStorageRole(sopClassUID: sopClassUID)
        }
        guard let storage = association.acceptedContexts.values.sorted(by: { $0.id < $1.id }).first(where: {
            $0.abstractSyntax == sopClassUID && $0.transferSyntax == transferSyntax
        }) else {
            throw RetrieveError.noStorageContext(sopClassUID: sopClassUID, transferSyntax: transferSyntax)
        }
        let answer = try await context.request(presentationContextID: storage.id, dataSet: dataSet) { messageID in
            .cStoreRQ(CStoreRequest(messageID: messageID, priority: priority, affectedSOPClassUID: sopClassUID,
                                    affectedSOPInstanceUID: sopInstanceUID))
        }
        guard case .cStoreRSP(let response) = answer else { throw DIMSEServiceError.unexpected(answer) }
        return response
    }
}

/// What a C-GET or C-MOVE ends with: the final status, the sub-operation counts, and the
/// instances that failed (the final response's Failed SOP Instance UID List, PS3.4 C.4.2.1.4).
public struct RetrieveResult: Hashable, Sendable {
    public var result: DIMSEResult
    public var subOperations: SubOperationCounts
    public var failedSOPInstanceUIDs: [String]

    public init(_ result: DIMSEResult, subOperations: SubOperationCounts = SubOperationCounts(),
                failedSOPInstanceUIDs: [String] = []) {
        self.result = result
        self.subOperations = subOperations
        self.failedSOPInstanceUIDs = failedSOPInstanceUIDs
    }
}

/// A C-GET sub-operation that cannot go out on this association.
public enum RetrieveError: Error, Hashable, Sendable {
    /// The requestor did not take the SCP role for the SOP class (PS3.4 C.4.3.3).
    case noStorageRole(sopClassUID: String)
    /// No accepted presentation context for the SOP class in the data set's transfer syntax.
    case noStorageContext(sopClassUID: String, transferSyntax: String)
}
