/// A UID checked to be safe as a file-name component (docs/design.md, "Data root"): 1–64 characters
/// of `[0-9.]`, no empty component, so neither `..`, `/`, nor a leading dot can reach a path.
///
/// Leading zeros in a component (`1.2.03`) break PS3.5 §9.1 but are accepted: real modalities
/// emit them, and refusing such an image loses a patient's study for no safety gain — the
/// character set alone already makes the UID path-safe. `isStrictlyConformant` tells them apart
/// for callers that want to log the violation.
public struct ValidatedUID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(UIDError) {
        // PS3.5 pads odd-length UIDs with a NUL; a parsed value may still carry it.
        // Byte checks only: this runs for every UID of every stored instance.
        let trimmed = text.utf8.last == 0 ? String(text.dropLast()) : text
        guard !trimmed.isEmpty else { throw .empty }
        let bytes = trimmed.utf8
        guard bytes.count <= 64 else { throw .tooLong(bytes.count) }
        let dot = UInt8(ascii: "."), digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard bytes.allSatisfy({ $0 == dot || digits.contains($0) }) else { throw .invalidCharacter(trimmed) }
        var previous = dot  // a leading dot is an empty first component
        for byte in bytes {
            if byte == dot && previous == dot { throw .emptyComponent(trimmed) }
            previous = byte
        }
        guard previous != dot else { throw .emptyComponent(trimmed) }
        value = trimmed
    }

    /// True when no component has a leading zero (PS3.5 §9.1); a lone `0` is fine.
    public var isStrictlyConformant: Bool {
        !value.split(separator: ".").contains { $0.count > 1 && $0.first == "0" }
    }

    public var description: String { value }
}

/// Why a UID cannot be used to build a path.
public enum UIDError: Error, Equatable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case invalidCharacter(String)
    case emptyComponent(String)

    public var description: String {
        switch self {
        case .empty: "empty UID"
        case let .tooLong(length): "UID of \(length) characters (at most 64)"
        case let .invalidCharacter(text): "UID \(text.debugDescription) has characters other than digits and dots"
        case let .emptyComponent(text): "UID \(text.debugDescription) has an empty component"
        }
    }
}
