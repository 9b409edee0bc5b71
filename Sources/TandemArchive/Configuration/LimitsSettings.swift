/// `[limits]`: what one connection may cost the DICOM listener, before and after association.
/// The defaults leave every real sender far from a limit while a flood of connections from one
/// host, or of silent ones, costs a few MB at most.
public struct LimitsSettings: Sendable, Equatable {
    /// Associations served at once.
    public var maxAssociations: Int
    /// Connections open without an accepted association (all addresses).
    public var maxUnassociatedConnections: Int
    /// Of those, how many one source address may hold.
    public var maxUnassociatedPerAddress: Int
    /// Bytes a connection may send before its association is accepted (its A-ASSOCIATE-RQ).
    public var maxAssociateRQBytes: Int
    /// C-STOREs one association may have outstanding (PS3.7 §D.3.3.3 asynchronous operations
    /// window): what `dcmrecv` grants a requestor that proposes a window, and what `dcmroute`
    /// proposes. 1: one at a time, no window.
    public var asyncOperationsWindow: Int
    /// Each outstanding C-STORE holds an open file and a task; more than this buys nothing.
    public static let asyncOperationsWindowRange = 1...64

    public init(maxAssociations: Int = 64, maxUnassociatedConnections: Int = 512, maxUnassociatedPerAddress: Int = 32,
                maxAssociateRQBytes: Int = 64 * 1024, asyncOperationsWindow: Int = 16) {
        self.maxAssociations = maxAssociations
        self.maxUnassociatedConnections = maxUnassociatedConnections
        self.maxUnassociatedPerAddress = maxUnassociatedPerAddress
        self.maxAssociateRQBytes = maxAssociateRQBytes
        self.asyncOperationsWindow = asyncOperationsWindow
    }
}

extension TandemConfiguration {
    static func readLimits(_ reader: TableReader) throws -> LimitsSettings {
        var limits = LimitsSettings()
        func positive(_ key: String, minimum: Int = 1) throws -> Int? {
            guard let value = try reader.int(key) else { return nil }
            guard value >= minimum else { throw reader.invalid(key, "must be at least \(minimum)") }
            return value
        }
        if let value = try positive("max_associations") { limits.maxAssociations = value }
        if let value = try positive("max_unassociated_connections") { limits.maxUnassociatedConnections = value }
        if let value = try positive("max_unassociated_per_address") { limits.maxUnassociatedPerAddress = value }
        // An A-ASSOCIATE-RQ with one presentation context and user information is over 200 bytes.
        if let value = try positive("max_associate_rq_bytes", minimum: 1024) { limits.maxAssociateRQBytes = value }
        if let value = try reader.int("async_operations_window") {
            let range = LimitsSettings.asyncOperationsWindowRange
            guard range.contains(value) else {
                throw reader.invalid("async_operations_window", "must be from \(range.lowerBound) to \(range.upperBound)")
            }
            limits.asyncOperationsWindow = value
        }
        try reader.finish()
        return limits
    }
}
