/// Why bytes are not a valid PDU. Each maps to an A-ABORT reason (PS3.8 §9.3.8, Table 9-26).
public enum PDUDecodingError: Error, Hashable, Sendable {
    /// A field or item claims more bytes than the PDU holds.
    case truncated
    /// The PDU type byte is not one of PS3.8 Table 9-11.
    case unrecognizedPDUType(UInt8)
    /// A field holds a value the standard does not allow (wrong protocol version, PDV length < 2…).
    case invalidParameterValue(String)
    /// A required item is missing (e.g. no application context item).
    case missingItem(String)

    /// The A-ABORT reason/diag a provider sends for this error (PS3.8 Table 9-26).
    public var abortReason: AAbort.Reason {
        switch self {
        case .unrecognizedPDUType: .unrecognizedPDU
        case .truncated, .invalidParameterValue, .missingItem: .invalidPDUParameterValue
        }
    }
}

/// Why a PDU cannot be encoded: a field exceeds the width of its length field.
public enum PDUEncodingError: Error, Hashable, Sendable {
    case fieldTooLong(Int)
}
