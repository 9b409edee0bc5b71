/// A data set seen once, as its bytes arrive (a C-STORE's PDVs, a STOW-RS part), so that what a
/// receiver needs from it can be read without reading the file it was written to again.
///
/// Fed in pieces of any size, it walks the element and item headers (PS3.5 §7.1, §7.5, §A.4) and
/// keeps every byte except the values a `DataSetReader` with the same `ReadOptions` would skip:
/// top-level values that are not retained or exceed the bulk data threshold, and the fragments of
/// top-level encapsulated Pixel Data. `read()` then runs that `DataSetReader` over the kept bytes,
/// with the offsets the bytes have in the whole input, so its result and its errors are the ones a
/// read of the whole input gives. The walk only decides what to keep; the reader still checks
/// everything. When the walk cannot follow the input (an unexpected header, a deflated syntax,
/// nesting deeper than the reader allows, more than `keptByteLimit` bytes to keep) or the reader
/// needs a byte that was not kept, `read()` answers nil and the caller reads the whole input.
public struct ArrivingDataSet: Sendable {
    public let transferSyntax: TransferSyntax
    public let options: ReadOptions
    /// Offset of the data set's first byte in the input it is part of (e.g. after the Part 10 header).
    public let startOffset: Int
    /// Most bytes kept in memory; beyond, the walk stops and `read()` answers nil.
    public let keptByteLimit: Int

    /// Bytes of the data set fed so far.
    public private(set) var length = 0
    /// Bytes of it held in memory.
    public var keptByteCount: Int { kept.count }
    private var kept: [UInt8] = []
    /// Where each run of kept bytes starts, in the data set and in `kept`.
    private var runs: [KeptRun] = []
    private var frames: [Frame] = []
    private var mode = Mode.header(needed: 8)
    private var header: [UInt8] = []
    private var followed: Bool

    /// Values shorter than this are kept even when the reader skips them: a run per tiny hole costs more.
    static let smallestHole = 256

    public init(transferSyntax: TransferSyntax, startOffset: Int = 0, options: ReadOptions,
                keptByteLimit: Int = 1 << 20) {
        self.transferSyntax = transferSyntax
        self.startOffset = startOffset
        self.options = options
        self.keptByteLimit = keptByteLimit
        followed = !transferSyntax.isDeflated && options.stopBeforeTag == nil
        kept.reserveCapacity(4096)
        header.reserveCapacity(12)
    }

    /// Whether `read()` can answer from the kept bytes: the walk followed every byte and ended
    /// between two top-level elements.
    public var isComplete: Bool {
        guard followed, frames.isEmpty, header.isEmpty, case .header(needed: 8) = mode else { return false }
        return true
    }

    /// An undefined-length construct being walked: a sequence's (or encapsulated Pixel Data's)
    /// items, or an item's elements. Defined-length sequences and items are kept whole, unwalked.
    private struct Frame: Sendable {
        enum Content: Sendable { case elements, items, fragments }
        var content: Content
        var encoding: ElementEncoding
        /// Fragments of top-level Pixel Data, which the reader skips unless Pixel Data is retained.
        var skipsFragments = false
    }

    private enum Mode: Sendable {
        case header(needed: Int)
        case value(remaining: Int, keep: Bool)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count && followed {
            switch mode {
            case .header(let needed):
                let take = min(needed - header.count, bytes.count - index)
                let piece = UnsafeRawBufferPointer(rebasing: bytes[index..<index + take])
                header.append(contentsOf: piece)
                keep(piece)
                index += take
                if followed && header.count == needed { interpretHeader() }
            case let .value(remaining, keepValue):
                let take = min(remaining, bytes.count - index)
                if keepValue { keep(UnsafeRawBufferPointer(rebasing: bytes[index..<index + take])) } else { length += take }
                index += take
                mode = remaining == take ? .header(needed: 8) : .value(remaining: remaining - take, keep: keepValue)
            }
        }
        if !followed { length += bytes.count - index }
    }

    private mutating func keep(_ piece: UnsafeRawBufferPointer) {
        // A new run unless the last one ends right here (no value was skipped since).
        if runs.last.map({ $0.start + kept.count - $0.keptStart }) != length {
            runs.append(KeptRun(start: length, keptStart: kept.count))
        }
        kept.append(contentsOf: piece)
        length += piece.count
        if kept.count > keptByteLimit { stopFollowing() }
    }

    private mutating func stopFollowing() {
        followed = false
        kept = []
        runs = []
        frames = []
    }

    // MARK: Headers

    private func uint16(at index: Int, _ encoding: ElementEncoding) -> UInt16 {
        let value = UInt16(header[index]) | UInt16(header[index + 1]) << 8
        return encoding.isBigEndian ? value.byteSwapped : value
    }

    private func uint32(at index: Int, _ encoding: ElementEncoding) -> UInt32 {
        let value = UInt32(uint16(at: index, .implicitLittleEndian)) | UInt32(uint16(at: index + 2, .implicitLittleEndian)) << 16
        return encoding.isBigEndian ? value.byteSwapped : value
    }

    private mutating func interpretHeader() {
        let frame = frames.last
        let encoding = frame?.encoding ?? ElementEncoding(transferSyntax)
        let tag = tagFrom(header[0..<4], bigEndian: encoding.isBigEndian)
        switch frame?.content ?? .elements {
        case .items, .fragments:
            interpretItemHeader(tag: tag, length: uint32(at: 4, encoding), in: frame!)
        case .elements:
            interpretElementHeader(tag: tag, encoding: encoding)
        }
    }

    /// Item, or Sequence Delimitation Item, in a sequence or encapsulated Pixel Data (PS3.5 §7.5, §A.4).
    private mutating func interpretItemHeader(tag: Tag, length: UInt32, in frame: Frame) {
        if tag == .sequenceDelimitationItem {
            frames.removeLast()
            return nextHeader()
        }
        guard tag == .item else { return stopFollowing() }
        if length == undefinedLength {
            guard frame.content == .items else { return stopFollowing() }
            return open(Frame(content: .elements, encoding: frame.encoding))
        }
        startValue(Int(length), keep: !frame.skipsFragments)
    }

    /// A data element's header (PS3.5 §7.1.2, §7.1.3), read in two steps for a 32-bit explicit length.
    private mutating func interpretElementHeader(tag: Tag, encoding: ElementEncoding) {
        if tag.group == 0xFFFE {
            guard tag == .itemDelimitationItem, !frames.isEmpty else { return stopFollowing() }
            frames.removeLast()
            return nextHeader()
        }
        let vr: VR
        let length: UInt32
        if encoding.isExplicitVR {
            let code = (header[4], header[5])
            let known = VR(code: code)
            if let known, !known.hasLongExplicitLength {
                vr = known
                length = UInt32(uint16(at: 6, encoding))
            } else if known != nil || (isUpperCaseLetter(code.0) && isUpperCaseLetter(code.1)) {
                if header.count < 12 {
                    mode = .header(needed: 12)
                    return
                }
                vr = known ?? .UN
                length = uint32(at: 8, encoding)
            } else {
                return stopFollowing()
            }
        } else {
            vr = implicitVR(for: tag)
            length = uint32(at: 4, encoding)
        }
        let topLevel = frames.isEmpty
        if length == undefinedLength {
            if tag == .pixelData && vr != .SQ {
                let retained = options.retainedTags?.contains(.pixelData) ?? true
                return open(Frame(content: .fragments, encoding: encoding, skipsFragments: topLevel && !retained))
            }
            switch vr {
            case .SQ: return open(Frame(content: .items, encoding: encoding))
            case .UN: return open(Frame(content: .items, encoding: .implicitLittleEndian))
            default: return stopFollowing()
            }
        }
        let count = Int(length)
        var skipped = false
        if topLevel && vr != .SQ {
            let retained = options.retainedTags?.contains(tag) ?? true
            skipped = !retained || options.bulkDataThreshold.map { count > $0 } ?? false
        }
        startValue(count, keep: !skipped || count < Self.smallestHole)
    }

    /// Walks into an undefined-length construct, within the reader's nesting bound (a sequence
    /// and its item are two frames per level).
    private mutating func open(_ frame: Frame) {
        guard frames.count < 2 * (options.maximumSequenceDepth + 1) else { return stopFollowing() }
        frames.append(frame)
        nextHeader()
    }

    private mutating func startValue(_ count: Int, keep: Bool) {
        header.removeAll(keepingCapacity: true)
        mode = count == 0 ? .header(needed: 8) : .value(remaining: count, keep: keep)
    }

    private mutating func nextHeader() {
        startValue(0, keep: true)
    }

    // MARK: Reading

    /// The data set, read from the kept bytes with `options`; nil when they do not suffice (see
    /// the type's description). Throws what reading the whole input would throw.
    public func read() throws -> DataSet? {
        guard isComplete else { return nil }
        let source = KeptByteSource(kept: kept, runs: runs, length: length)
        var reader = try DataSetReader(reader: ByteReader(source: source, chunkSize: 4096, startOffset: startOffset),
                                       transferSyntax: transferSyntax, options: options)
        do {
            return try reader.read()
        } catch is KeptByteSource.NotKept {
            return nil
        }
    }
}

/// Where a run of kept bytes starts, in the input and in the kept bytes.
struct KeptRun: Sendable {
    var start: Int
    var keptStart: Int
}

/// The kept bytes of an `ArrivingDataSet` as the input they came from, with holes where values
/// were skipped: reading a hole throws `NotKept`; skipping over one is what the reader does.
struct KeptByteSource: ByteSource {
    struct NotKept: Error {}

    private let kept: [UInt8]
    /// Ascending.
    private let runs: [KeptRun]
    private let length: Int
    private var position = 0
    private var run = 0

    init(kept: [UInt8], runs: [KeptRun], length: Int) {
        self.kept = kept
        self.runs = runs
        self.length = length
    }

    private func runEnd(_ index: Int) -> Int {
        let keptEnd = index + 1 < runs.count ? runs[index + 1].keptStart : kept.count
        return runs[index].start + keptEnd - runs[index].keptStart
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard position < length, buffer.count > 0 else { return 0 }
        while run < runs.count && runEnd(run) <= position { run += 1 }
        guard run < runs.count, runs[run].start <= position else { throw NotKept() }
        let from = runs[run].keptStart + position - runs[run].start
        let count = min(buffer.count, runEnd(run) - position)
        kept.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[from..<from + count]))
        }
        position += count
        return count
    }

    mutating func skip(_ count: Int) throws -> Int {
        let skipped = min(count, length - position)
        position += skipped
        return skipped
    }

    var remainingByteCount: Int? { length - position }
}
