/// What a user may do (docs/dicomweb.md, "Roles"). Every route names the roles it admits.
public enum WebRole: String, Sendable, CaseIterable, Codable {
    /// Reads (search, view, download) and sets reading status.
    case radiologist
    /// Reads and stores (STOW-RS).
    case technician
    /// Everything, including users and the audit trail.
    case admin
}
