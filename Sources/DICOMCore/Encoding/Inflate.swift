import CZlib

/// The inflated data set of Deflated Explicit VR Little Endian (PS3.5 §A.5): a raw deflate
/// stream (RFC 1951, no zlib header, hence windowBits -15) inflated chunk by chunk as the
/// reader asks for bytes. The total output is capped so that a deflate bomb ends in an error
/// rather than in exhausted memory.
final class InflateByteSource: ByteSource {
    private var upstream: ByteReader
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8] = []
    private var inputConsumed = 0
    private var finished = false
    private var totalOut = 0
    private let outputLimit: Int

    init(upstream: ByteReader, outputLimit: Int) throws {
        self.upstream = upstream
        self.outputLimit = outputLimit
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw DICOMError(.inflateFailed("zlib initialisation failed (\(status))"))
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    var remainingByteCount: Int? { finished ? 0 : nil }

    func skip(_ count: Int) throws -> Int { 0 }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        while true {
            if inputConsumed == input.count {
                let chunk = try upstream.readChunk(maximum: 64 * 1024)
                guard !chunk.isEmpty else {
                    throw DICOMError(.inflateFailed("deflate stream ends early"), offset: totalOut)
                }
                input = Array(chunk)
                inputConsumed = 0
            }
            let room = min(buffer.count, outputLimit - totalOut + 1)
            let (status, consumed, produced) = input.withUnsafeMutableBytes { raw in
                stream.pointee.next_in = raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputConsumed
                stream.pointee.avail_in = UInt32(raw.count - inputConsumed)
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = UInt32(room)
                let status = inflate(stream, Z_NO_FLUSH)
                let consumed = raw.count - inputConsumed - Int(stream.pointee.avail_in)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                return (status, consumed, room - Int(stream.pointee.avail_out))
            }
            inputConsumed += consumed
            totalOut += produced
            if totalOut > outputLimit {
                throw DICOMError(.inflatedSizeLimitExceeded(limit: outputLimit), offset: outputLimit)
            }
            switch status {
            case Z_STREAM_END:
                finished = true
                return produced
            case Z_OK, Z_BUF_ERROR:
                if produced > 0 { return produced }
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DICOMError(.inflateFailed(reason), offset: totalOut)
            }
        }
    }
}

/// Compresses a data set for Deflated Explicit VR Little Endian: raw deflate, no zlib header.
func deflateRaw(_ bytes: [UInt8]) throws -> [UInt8] {
    // zlib keeps a pointer back to the stream structure, so it must not move between calls.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    let initStatus = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard initStatus == Z_OK else { throw DICOMError(.deflateFailed("zlib initialisation failed (\(initStatus))")) }
    defer { deflateEnd(stream) }
    let chunk = 1 << 20
    var output = [UInt8]()
    var scratch = [UInt8](repeating: 0, count: chunk)
    var inputOffset = 0
    while true {
        let take = min(chunk, bytes.count - inputOffset)
        let flush = inputOffset + take == bytes.count ? Z_FINISH : Z_NO_FLUSH
        var status = Z_OK
        try bytes.withUnsafeBytes { inRaw in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inRaw.baseAddress?
                .assumingMemoryBound(to: Bytef.self).advanced(by: inputOffset))
            stream.pointee.avail_in = UInt32(take)
            repeat {
                let produced = scratch.withUnsafeMutableBytes { outRaw in
                    stream.pointee.next_out = outRaw.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = UInt32(outRaw.count)
                    status = deflate(stream, flush)
                    return outRaw.count - Int(stream.pointee.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw DICOMError(.deflateFailed("zlib status \(status)"))
                }
                output.append(contentsOf: scratch[0..<produced])
            } while stream.pointee.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END)
            stream.pointee.next_in = nil
        }
        inputOffset += take
        if flush == Z_FINISH { return output }
    }
}
