import Foundation
import DICOMCore

/// One key's matching, parsed from its value after PS3.4 C.2.2.2. Values arrive decoded to
/// Unicode (the caller applied the request's Specific Character Set).
enum MatchingRule: Equatable, Sendable {
    /// Empty value (C.2.2.2.3), or a value of only `*` (C.2.2.2.4).
    case universal
    /// Single Value Matching (C.2.2.2.1).
    case single(String)
    /// Wild Card Matching (C.2.2.2.4): `*` any run of characters, `?` one character.
    case wildcard(String)
    /// List of UID Matching (C.2.2.2.2).
    case uidList([String])
    /// Modalities in Study given several values (`CT\MR`): a study with any of them matches,
    /// as workstations that send such lists expect.
    case anyOf([String])
    /// Range Matching (C.2.2.2.5), open at either end; for TM a single value is the range of
    /// its precision (`1015` is 10:15:00 to 10:15:59.999999).
    case range(lower: String?, upper: String?)
    /// Single Value Matching of an IS stored as an integer.
    case integer(Int)

    /// The longest UID list accepted; a list is bound as one parameter, so this bounds memory,
    /// not SQLite's variable limit.
    static let maximumUIDListCount = 20_000

    static func parse(_ value: String, for attribute: QueryAttribute) throws(QueryError) -> MatchingRule {
        let tag = attribute.tag
        try checkLength(value, attribute)
        if value.isEmpty { return .universal }
        switch attribute.matching {
        case .returnOnly:
            return .universal
        case .uid:
            let uids = value.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)
            guard uids.count <= maximumUIDListCount else {
                throw .tooManyValues(tag, count: uids.count, maximum: maximumUIDListCount)
            }
            for uid in uids where !isUID(uid) {
                throw .malformedValue(tag, "\(uid.prefix(80).debugDescription) is not a UID")
            }
            return uids.count == 1 ? .single(uids[0]) : .uidList(uids)
        case .date:
            return try range(value, tag: tag, isValid: isDate, kind: "date (YYYYMMDD)", singleIsRange: false)
        case .time:
            return try range(value, tag: tag, isValid: isTime, kind: "time (HH[MM[SS[.F…]]])", singleIsRange: true)
        case .integer:
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
                throw .malformedValue(tag, "\(value.prefix(80).debugDescription) is not an integer")
            }
            return .integer(number)
        case .modalitiesInStudy where value.contains("\\"):
            let values = value.split(separator: "\\", omittingEmptySubsequences: false).map(String.init)
            guard !values.contains(where: { $0.isEmpty || $0.contains("*") || $0.contains("?") }) else {
                throw .malformedValue(tag, "a list of modalities holds neither empty values nor wildcards")
            }
            return .anyOf(values)
        case .text, .personName, .modalitiesInStudy:
            guard !value.contains("\\") else {
                throw .malformedValue(tag, "several values (backslash) are matched only for UIDs")
            }
            if value.allSatisfy({ $0 == "*" }) { return .universal }
            return value.contains(where: { $0 == "*" || $0 == "?" }) ? .wildcard(value) : .single(value)
        }
    }

    private static func range(_ value: String, tag: Tag, isValid: (Substring) -> Bool, kind: String,
                              singleIsRange: Bool) throws(QueryError) -> MatchingRule {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard isValid(parts[0]) else { throw .malformedValue(tag, "\(value.debugDescription) is not a \(kind)") }
            return singleIsRange ? .range(lower: value, upper: value) : .single(value)
        case 2 where !(parts[0].isEmpty && parts[1].isEmpty):
            for part in parts where !part.isEmpty && !isValid(part) {
                throw .malformedValue(tag, "\(String(part).debugDescription) is not a \(kind)")
            }
            return .range(lower: parts[0].isEmpty ? nil : String(parts[0]),
                          upper: parts[1].isEmpty ? nil : String(parts[1]))
        default:
            throw .malformedValue(tag, "\(value.prefix(80).debugDescription) is not a value or a range of them")
        }
    }

    /// Bounds the work a hostile value can cause before any parsing (PS3.5 Table 6.2-1 lengths;
    /// a range holds two values and a hyphen, a UID list many UIDs).
    private static func checkLength(_ value: String, _ attribute: QueryAttribute) throws(QueryError) {
        let single = maximumLength(attribute.vr)
        let maximum: Int = switch attribute.matching {
        case .uid: (single + 1) * maximumUIDListCount
        case .date, .time: 2 * single + 1
        default: single
        }
        let length = value.unicodeScalars.count
        guard length <= maximum else { throw .valueTooLong(attribute.tag, length: length, maximum: maximum) }
    }

    static func maximumLength(_ vr: VR) -> Int {
        switch vr {
        case .AE, .CS, .SH: 16
        case .DA: 8
        case .TM: 13
        case .IS: 12
        case .LO, .UI: 64
        // 64 characters in each of the three component groups, with their `=` separators.
        case .PN: 3 * 64 + 2
        default: 1024
        }
    }

    static func isUID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// `YYYYMMDD` with a month 01–12 and a day 01–31.
    static func isDate(_ text: Substring) -> Bool {
        let digits = Array(text.utf8)
        guard digits.count == 8, digits.allSatisfy(isDigit) else { return false }
        let month = number(digits[4...5]), day = number(digits[6...7])
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// `HH`, `HHMM`, `HHMMSS` or `HHMMSS.F` to `HHMMSS.FFFFFF` (PS3.5 Table 6.2-1, TM).
    static func isTime(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let clock = Array(parts[0].utf8)
        guard [2, 4, 6].contains(clock.count), clock.allSatisfy(isDigit), number(clock[0...1]) <= 23 else { return false }
        if clock.count >= 4, number(clock[2...3]) > 59 { return false }
        if clock.count == 6, number(clock[4...5]) > 60 { return false }
        guard parts.count > 1 else { return true }
        let fraction = parts[1].utf8
        return parts.count == 2 && clock.count == 6 && (1...6).contains(fraction.count) && fraction.allSatisfy(isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
