/// Buffered, position-tracking reading over a `ByteSource`. In-memory input is used directly as
/// the buffer (no copy); other sources are read in chunks into one reusable buffer.
///
/// Every read checks the bytes really available first: a claimed length larger than the input
/// is an error before anything is allocated for it.
public struct ByteReader {
    private var buffer: [UInt8]
    private var position = 0
    private var validCount: Int
    private var bufferStartOffset = 0
    private var source: (any ByteSource)?
    private let chunkSize: Int

    /// Reads from bytes already in memory.
    public init(bytes: [UInt8]) {
        buffer = bytes
        validCount = bytes.count
        source = nil
        chunkSize = 0
    }

    /// Reads from a source in chunks of `chunkSize` bytes. `startOffset` is the offset of the
    /// source's first byte in the input it is part of, so offsets (in errors too) count from there.
    public init(source: any ByteSource, chunkSize: Int = 64 * 1024, startOffset: Int = 0) {
        self.chunkSize = max(16, chunkSize)
        buffer = [UInt8](repeating: 0, count: self.chunkSize)
        validCount = 0
        bufferStartOffset = startOffset
        self.source = source
    }

    /// Position of the next byte, counted from the start of the input.
    public var offset: Int { bufferStartOffset + position }

    private var buffered: Int { validCount - position }

    /// Bytes left in the input, or nil when the source cannot tell.
    public var remainingByteCount: Int? {
        guard let source else { return buffered }
        return source.remainingByteCount.map { $0 + buffered }
    }

    /// Makes at least `count` bytes available in the buffer; false if the input ends first.
    mutating func fill(_ count: Int) throws -> Bool {
        if buffered >= count { return true }
        guard source != nil else { return false }
        compact(minimumCapacity: count)
        while buffered < count {
            let read = try buffer.withUnsafeMutableBytes { raw in
                try source!.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[validCount...]))
            }
            if read == 0 { return false }
            validCount += read
        }
        return true
    }

    /// Moves the unread bytes to the front of the buffer.
    private mutating func compact(minimumCapacity: Int) {
        let keep = buffered
        if position > 0 {
            buffer.withUnsafeMutableBytes { raw in
                if keep > 0 { raw.baseAddress!.copyMemory(from: raw.baseAddress! + position, byteCount: keep) }
            }
            bufferStartOffset += position
            position = 0
            validCount = keep
        }
        let wanted = max(minimumCapacity, chunkSize)
        if buffer.count < wanted { buffer.append(contentsOf: repeatElement(0, count: wanted - buffer.count)) }
    }

    /// True when no byte is left.
    public mutating func isAtEnd() throws -> Bool {
        try !fill(1)
    }

    public mutating func readUInt16(bigEndian: Bool) throws -> UInt16 {
        guard try fill(2) else { throw DICOMError(.truncated, offset: offset) }
        let raw = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: UInt16.self) }
        position += 2
        return bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    public mutating func readUInt32(bigEndian: Bool) throws -> UInt32 {
        guard try fill(4) else { throw DICOMError(.truncated, offset: offset) }
        let raw = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: UInt32.self) }
        position += 4
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    /// The next `count` bytes without consuming them, or nil if the input is shorter.
    public mutating func peek(_ count: Int) throws -> ArraySlice<UInt8>? {
        guard try fill(count) else { return nil }
        return buffer[position..<position + count]
    }

    /// Reads `count` bytes. Fails without allocating when the input is known to be shorter;
    /// for a source of unknown size the result grows only with bytes actually delivered.
    public mutating func readBytes(_ count: Int) throws -> [UInt8] {
        let start = offset
        if buffered >= count {
            defer { position += count }
            return Array(buffer[position..<position + count])
        }
        let known = remainingByteCount
        if let known, known < count { throw DICOMError(.lengthBeyondInput(claimed: UInt64(count)), offset: start) }
        var result = [UInt8]()
        result.reserveCapacity(known != nil ? count : min(count, 1 << 20))
        while result.count < count {
            guard try fill(1) else { throw DICOMError(.lengthBeyondInput(claimed: UInt64(count)), offset: start) }
            let take = min(count - result.count, buffered)
            result.append(contentsOf: buffer[position..<position + take])
            position += take
        }
        return result
    }

    /// Passes over `count` bytes; a file source seeks instead of reading.
    public mutating func skip(_ count: Int) throws {
        let start = offset
        if buffered >= count {
            position += count
            return
        }
        if let known = remainingByteCount, known < count {
            throw DICOMError(.lengthBeyondInput(claimed: UInt64(count)), offset: start)
        }
        var left = count - buffered
        bufferStartOffset += validCount
        position = 0
        validCount = 0
        let skipped = try source!.skip(left)
        bufferStartOffset += skipped
        left -= skipped
        // A source that cannot skip (a stream) delivers the rest through the buffer.
        while left > 0 {
            guard try fill(1) else { throw DICOMError(.lengthBeyondInput(claimed: UInt64(count)), offset: start) }
            let take = min(left, buffered)
            position += take
            left -= take
        }
    }

    /// Up to `maximum` buffered bytes (refilling when empty), consumed; empty at the end.
    mutating func readChunk(maximum: Int) throws -> ArraySlice<UInt8> {
        guard try fill(1) else { return [] }
        let take = min(maximum, buffered)
        defer { position += take }
        return buffer[position..<position + take]
    }
}
