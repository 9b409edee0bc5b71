import DICOMCore

/// A Storage Commitment request (PS3.4 J.3.2.1): the Transaction UID and the instances whose
/// safekeeping the requestor asks us to commit to.
public struct CommitmentRequest: Sendable, Equatable {
    public struct Reference: Sendable, Equatable {
        public var sopClassUID: String
        public var sopInstanceUID: String
    }

    public var transactionUID: String
    public var references: [Reference]

    /// Reads the N-ACTION's Action Information; the reason when a required attribute is missing.
    public init(actionInformation: DataSet?) throws(CommitmentRequestError) {
        guard let information = actionInformation else { throw .missing("Action Information") }
        guard let transactionUID = information.string(.transactionUID), !transactionUID.isEmpty else {
            throw .missing("Transaction UID (0008,1195)")
        }
        guard let items = information.items(.referencedSOPSequence), !items.isEmpty else {
            throw .missing("Referenced SOP Sequence (0008,1199)")
        }
        var references: [Reference] = []
        for item in items {
            guard let sopClassUID = item.string(.referencedSOPClassUID), let sopInstanceUID = item.string(.referencedSOPInstanceUID)
            else { throw .missing("Referenced SOP Class or Instance UID in an item of Referenced SOP Sequence") }
            references.append(Reference(sopClassUID: sopClassUID, sopInstanceUID: sopInstanceUID))
        }
        self.transactionUID = transactionUID
        self.references = references
    }
}

public struct CommitmentRequestError: Error, Equatable, CustomStringConvertible {
    public let description: String
    static func missing(_ what: String) -> Self { Self(description: "missing \(what)") }
}

/// The N-EVENT-REPORT answering a commitment request (PS3.4 J.3.3.1): each reference either
/// committed or failed with its Failure Reason (PS3.4 J.3.3.1.1.2).
public struct CommitmentReport: Sendable, Equatable {
    /// Failure Reason (0008,1197) values.
    public enum FailureReason: UInt16, Sendable {
        case processingFailure = 0x0110
        case noSuchObjectInstance = 0x0112
        case classInstanceConflict = 0x0119
    }

    public struct Failure: Sendable, Equatable {
        public var reference: CommitmentRequest.Reference
        public var reason: FailureReason
    }

    public var transactionUID: String
    public var committed: [CommitmentRequest.Reference] = []
    public var failed: [Failure] = []

    /// Event Type ID 1: all committed; 2: some failed (PS3.4 Table J.3-3).
    public var eventTypeID: UInt16 { failed.isEmpty ? 1 : 2 }

    /// Decides each reference: committed only when `indexed` holds it (a durably committed
    /// index row), with the SOP class the requestor names, and `filePresent` confirms its file.
    public init(_ request: CommitmentRequest, indexed: [String: String], filePresent: (String) -> Bool) {
        transactionUID = request.transactionUID
        for reference in request.references {
            guard let sopClassUID = indexed[reference.sopInstanceUID] else {
                failed.append(Failure(reference: reference, reason: .noSuchObjectInstance))
                continue
            }
            if sopClassUID != reference.sopClassUID {
                failed.append(Failure(reference: reference, reason: .classInstanceConflict))
            } else if !filePresent(reference.sopInstanceUID) {
                failed.append(Failure(reference: reference, reason: .processingFailure))
            } else {
                committed.append(reference)
            }
        }
    }

    /// The Event Information: Transaction UID, then the committed and the failed references.
    public func eventInformation(retrieveAETitle: String) throws -> DataSet {
        var information = DataSet()
        try information.set(.transactionUID, vr: .UI, string: transactionUID)
        if !committed.isEmpty {
            try information.set(.retrieveAETitle, vr: .AE, string: retrieveAETitle)
            information.set(.referencedSOPSequence, items: try committed.map { try Self.item($0) })
        }
        if !failed.isEmpty {
            information.set(.failedSOPSequence, items: try failed.map { failure in
                var item = try Self.item(failure.reference)
                try item.set(.failureReason, vr: .US, uint16: failure.reason.rawValue)
                return item
            })
        }
        return information
    }

    private static func item(_ reference: CommitmentRequest.Reference) throws -> DataSet {
        var item = DataSet()
        try item.set(.referencedSOPClassUID, vr: .UI, string: reference.sopClassUID)
        try item.set(.referencedSOPInstanceUID, vr: .UI, string: reference.sopInstanceUID)
        return item
    }
}
