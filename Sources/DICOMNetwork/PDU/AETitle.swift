/// An application entity title (PS3.5 §6.2 VR "AE"): 1 to 16 characters of the default
/// repertoire without backslash or control characters; leading and trailing spaces are not
/// significant. In A-ASSOCIATE PDUs it fills a 16-byte field padded with spaces (PS3.8 §9.3.2).
public struct AETitle: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public enum ValidationError: Error, Hashable, Sendable {
        case empty
        case tooLong(String)
        case invalidCharacter(String)
    }

    /// Validates a title given by a user or a configuration file.
    public init(_ text: String) throws(ValidationError) {
        let trimmed = AETitle.trimSpaces(Array(text.utf8)[...])
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.count <= 16 else { throw .tooLong(text) }
        guard trimmed.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }) else {
            throw .invalidCharacter(text)
        }
        value = String(decoding: trimmed, as: UTF8.self)
    }

    /// A title as received: kept as sent (minus padding), so the acceptor can answer
    /// "called/calling AE title not recognized" instead of failing to decode.
    /// Bytes outside the default repertoire become "?" so the title stays 16 bytes of text.
    init(received field: ArraySlice<UInt8>) {
        let text = AETitle.trimSpaces(field.prefix { $0 != 0 }).map { $0 >= 0x20 && $0 < 0x7F ? $0 : 0x3F }
        value = String(decoding: text, as: UTF8.self)
    }

    /// The 16-byte space-padded field.
    var field: [UInt8] {
        let text = Array(value.utf8.prefix(16))
        return text + [UInt8](repeating: 0x20, count: 16 - text.count)
    }

    public var description: String { value }

    private static func trimSpaces(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while slice.first == 0x20 { slice.removeFirst() }
        while slice.last == 0x20 { slice.removeLast() }
        return slice
    }
}
