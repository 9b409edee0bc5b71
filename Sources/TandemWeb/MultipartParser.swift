import Foundation

/// A streaming `multipart/related` body parser (RFC 2046 §5.1.1): fed the body in arbitrary
/// chunks, it returns what each chunk completes — a part's headers, pieces of its content, its
/// end, the end of the body. Pure (no I/O); memory is bounded by the chunk size plus the
/// delimiter and `maximumHeaderBytes`, whatever the parts' sizes.
struct MultipartParser {
    enum Event: Equatable {
        case partBegin(headers: [String: String])
        case partData([UInt8])
        case partEnd
        case end
    }

    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    private enum State {
        case preamble
        case headers
        case body
        case epilogue
    }

    static let maximumHeaderBytes = 8 * 1024
    static let maximumPreambleBytes = 64 * 1024

    private let delimiter: [UInt8]
    private var state = State.preamble
    private var pending: [UInt8] = []
    private var preambleSeen = 0

    /// - Parameter boundary: the `boundary` parameter of the Content-Type, 1…70 characters (§5.1.1).
    init(boundary: String) throws(Failure) {
        guard (1...70).contains(boundary.utf8.count) else { throw Failure(description: "boundary must be 1 to 70 characters") }
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter may open the body without a preceding CRLF.
        pending = Array("\r\n".utf8)
    }

    var isFinished: Bool {
        if case .epilogue = state { return true }
        return false
    }

    /// Feeds the next chunk of the body.
    mutating func feed(_ bytes: some Collection<UInt8>) throws(Failure) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        while true {
            switch state {
            case .preamble:
                guard let found = find(delimiter, in: pending) else {
                    preambleSeen += max(pending.count - delimiter.count, 0)
                    if preambleSeen > Self.maximumPreambleBytes { throw Failure(description: "no opening boundary") }
                    keepTail()
                    return events
                }
                guard let after = afterDelimiterLine(found) else { return events }
                if after.closing { throw Failure(description: "a multipart body without parts") }
                pending.removeFirst(after.index)
                state = .headers
            case .headers:
                // A CRLF at once is an empty header block (RFC 2046 §5.1.1: the part's content
                // follows), whatever later content holds a blank line.
                guard let end = pending.starts(with: Array("\r\n".utf8)) ? -2 : find(Array("\r\n\r\n".utf8), in: pending) else {
                    if pending.count > Self.maximumHeaderBytes { throw Failure(description: "part headers too long") }
                    return events
                }
                let headerBytes = end < 0 ? [] : Array(pending[..<end])
                guard headerBytes.count <= Self.maximumHeaderBytes else { throw Failure(description: "part headers too long") }
                pending.removeFirst(end < 0 ? 2 : end + 4)
                events.append(.partBegin(headers: try Self.headers(headerBytes)))
                state = .body
            case .body:
                guard let found = find(delimiter, in: pending) else {
                    // All but what could be the start of a delimiter is content.
                    let safe = pending.count - (delimiter.count - 1)
                    if safe > 0 {
                        events.append(.partData(Array(pending[..<safe])))
                        pending.removeFirst(safe)
                    }
                    return events
                }
                guard let after = afterDelimiterLine(found) else {
                    if found > 0 {
                        events.append(.partData(Array(pending[..<found])))
                        pending.removeFirst(found)
                    }
                    return events
                }
                if found > 0 { events.append(.partData(Array(pending[..<found]))) }
                events.append(.partEnd)
                pending.removeFirst(after.index)
                if after.closing {
                    events.append(.end)
                    state = .epilogue
                } else {
                    state = .headers
                }
            case .epilogue:
                pending.removeAll()
                return events
            }
        }
    }

    /// Call once the body has ended: throws unless the closing delimiter was seen.
    func finish() throws(Failure) {
        guard isFinished else { throw Failure(description: "the body ended before its closing boundary") }
    }

    /// After a delimiter at `index`: `--` closes the body; otherwise optional whitespace and a CRLF
    /// end the line. Nil while the line is still incomplete.
    private func afterDelimiterLine(_ index: Int) -> (index: Int, closing: Bool)? {
        var position = index + delimiter.count
        guard position + 2 <= pending.count else { return nil }
        if pending[position] == UInt8(ascii: "-"), pending[position + 1] == UInt8(ascii: "-") {
            return (position + 2, true)
        }
        while position < pending.count, pending[position] == UInt8(ascii: " ") || pending[position] == UInt8(ascii: "\t") {
            position += 1
        }
        guard position + 2 <= pending.count else { return nil }
        guard pending[position] == 13, pending[position + 1] == 10 else { return (position, false) }
        return (position + 2, false)
    }

    private mutating func keepTail() {
        let keep = delimiter.count - 1
        if pending.count > keep { pending.removeFirst(pending.count - keep) }
    }

    /// memchr for the needle's first byte, then memcmp: a STOW-RS body is hundreds of megabytes
    /// scanned for its delimiter, and a generic element-by-element search was its largest cost.
    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        let last = haystack.count - needle.count
        return haystack.withUnsafeBytes { bytes -> Int? in
            guard let base = bytes.baseAddress else { return nil }
            var index = 0
            while index <= last, let hit = memchr(base + index, Int32(first), last - index + 1) {
                let candidate = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + candidate, needle, needle.count) == 0 { return candidate }
                index = candidate + 1
            }
            return nil
        }
    }

    /// Header lines `Name: value`, names lower-cased.
    private static func headers(_ bytes: [UInt8]) throws(Failure) -> [String: String] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(description: "part headers are not text") }
        var headers: [String: String] = [:]
        for line in text.split(separator: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "malformed part header line") }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }
}
