/// A configuration file that cannot be used. Tools report it and exit 78 (docs/design.md, "Configuration"):
/// nothing starts half-configured.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The configuration file's path, as the operator will look for it.
    public let file: String
    /// 1-based line of the offending key, when it can be located.
    public let line: Int?
    /// Dotted key, e.g. `node.dicom_port` or `peer[2].ae_title` (1-based, as an operator counts).
    public let key: String?
    public let reason: String

    public init(file: String, line: Int?, key: String?, reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    /// `FILE:LINE: KEY: REASON`, the shape compilers use, so editors can jump to it.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + reason
    }
}
