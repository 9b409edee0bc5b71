import Foundation

/// This node's name: node-local only (docs/design.md, "Cluster model") — `--node`, else `$TANDEM_NODE`,
/// else the host name. The shared `tandem.toml` has no say: both nodes read it, and two nodes under
/// one name could not be told apart in `cluster_state`, the transition log or a job's claim.
public enum NodeIdentity {
    public static func name(option: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let option, !option.isEmpty { return option }
        if let name = environment["TANDEM_NODE"], !name.isEmpty { return name }
        return hostName()
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return host.isEmpty ? "localhost" : host
    }
}
