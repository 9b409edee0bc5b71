/// Why reading, writing or building DICOM data failed. Parsing errors carry the byte offset
/// in the input where the problem was found, so a bad file can be inspected with a hex dump.
public struct DICOMError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The input ended in the middle of an element, item or sequence.
        case truncated
        /// A value length claims more bytes than the input holds.
        case lengthBeyondInput(claimed: UInt64)
        /// Undefined length (FFFFFFFFH) on an element that may not have it (PS3.5 §7.1.1).
        case undefinedLengthNotAllowed(Tag)
        /// A VR field that is not two upper-case letters.
        case invalidVR(UInt8, UInt8)
        /// Sequences nested deeper than the reader allows.
        case nestingTooDeep(limit: Int)
        /// A tag that may not appear where it was found (e.g. an item delimiter at top level).
        case unexpectedTag(Tag)
        /// An item's or fragment's length runs past the end of its enclosing sequence.
        case itemOverrunsSequence(Tag)
        /// The Part 10 file meta information is missing or unusable (PS3.10 §7.1).
        case invalidFileMetaInformation(String)
        /// The deflated stream is corrupt (PS3.5 §A.5).
        case inflateFailed(String)
        /// Inflating would produce more bytes than the configured limit (a deflate bomb).
        case inflatedSizeLimitExceeded(limit: Int)
        /// Compressing for the deflated transfer syntax failed.
        case deflateFailed(String)
        /// A value cannot be encoded: wrong VR for the setter, out of range, too long, or not
        /// representable in the data set's character set.
        case invalidValue(Tag, String)
        /// A value left in the file by a bulk-data read cannot be written without loading it.
        case bulkDataNotLoaded(Tag)
        /// The operating system reported an error reading or writing a file.
        case io(String)
        /// The data set holds more elements, items (or fragments), or loaded value bytes than the
        /// reader accepts (`ReadOptions`): a structure no real object has, built to exhaust memory.
        case structureLimitExceeded(String, limit: Int)
    }

    public let reason: Reason
    /// Byte offset in the input (for a Part 10 file: from the start of the file; for a deflated
    /// data set: in the inflated stream). Nil for errors that are not about a position.
    public let offset: Int?

    public init(_ reason: Reason, offset: Int? = nil) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let at = offset.map { " at byte offset \($0)" } ?? ""
        switch reason {
        case .truncated: return "input ends inside a data element\(at)"
        case .lengthBeyondInput(let claimed): return "value length \(claimed) exceeds the remaining input\(at)"
        case .undefinedLengthNotAllowed(let tag): return "undefined length not allowed for \(tag)\(at)"
        case .invalidVR(let a, let b): return "invalid VR bytes \(hex2(a)) \(hex2(b))\(at)"
        case .nestingTooDeep(let limit): return "sequences nested deeper than \(limit)\(at)"
        case .unexpectedTag(let tag): return "unexpected \(tag)\(at)"
        case .itemOverrunsSequence(let tag): return "item runs past the end of sequence \(tag)\(at)"
        case .invalidFileMetaInformation(let why): return "invalid file meta information: \(why)\(at)"
        case .inflateFailed(let why): return "deflated data set is corrupt: \(why)\(at)"
        case .inflatedSizeLimitExceeded(let limit): return "inflated data set exceeds \(limit) bytes\(at)"
        case .deflateFailed(let why): return "deflate failed: \(why)"
        case .invalidValue(let tag, let why): return "invalid value for \(tag): \(why)"
        case .bulkDataNotLoaded(let tag): return "bulk data of \(tag) was not loaded"
        case .io(let why): return "I/O error: \(why)"
        case let .structureLimitExceeded(what, limit): return "more than \(limit) \(what) in the data set\(at)"
        }
    }
}

private func hex2(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits + "H" : digits + "H"
}
