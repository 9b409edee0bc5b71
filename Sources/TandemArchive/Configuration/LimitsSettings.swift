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

    public init(maxAssociations: Int = 64, maxUnassociatedConnections: Int = 512, maxUnassociatedPerAddress: Int = 32,
                maxAssociateRQBytes: Int = 64 * 1024) {
        self.maxAssociations = maxAssociations
        self.maxUnassociatedConnections = maxUnassociatedConnections
        self.maxUnassociatedPerAddress = maxUnassociatedPerAddress
        self.maxAssociateRQBytes = maxAssociateRQBytes
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
        try reader.finish()
        return limits
    }
}
