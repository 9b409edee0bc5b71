import DICOMCore

/// A codec that turns one stored frame into native pixels. Implementations hold no state between
/// frames, so one decoder serves any number of concurrent callers.
public protocol FrameDecoder: Sendable {
    /// Native pixels of one frame. `encoded` is the frame's bytes as stored (native samples, or
    /// the concatenated fragments of an encapsulated frame).
    func decode(_ encoded: [UInt8], description: PixelDescription, transferSyntax: TransferSyntax) throws -> DecodedFrame
}

/// Which decoder handles which transfer syntax, and the limits every decode obeys.
public struct FrameDecoders: Sendable {
    /// Largest decoded frame accepted (bytes): a header claiming 65535×65535 is refused before
    /// anything is allocated. 256 MiB holds a 8k×8k RGB 16-bit frame.
    public var maximumFrameLength: Int
    private let byUID: [String: any FrameDecoder]

    public init(maximumFrameLength: Int = 256 * 1024 * 1024,
                decoders: [String: any FrameDecoder] = FrameDecoders.standardDecoders) {
        self.maximumFrameLength = maximumFrameLength
        byUID = decoders
    }

    /// Native syntaxes, RLE (PS3.5 Annex G, built in), JPEG, JPEG-LS, JPEG 2000 and HTJ2K.
    public static let standardDecoders: [String: any FrameDecoder] = {
        var table: [String: any FrameDecoder] = [:]
        for syntax in TransferSyntax.uncompressed { table[syntax.uid] = NativeFrameDecoder() }
        table[TransferSyntax.rleLossless.uid] = RLEFrameDecoder()
        for (syntax, library) in CodecFrameDecoder.transferSyntaxes { table[syntax.uid] = CodecFrameDecoder(library: library) }
        return table
    }()

    public static let standard = FrameDecoders()

    public func canDecode(_ syntax: TransferSyntax) -> Bool { byUID[syntax.uid] != nil }

    public func decode(_ encoded: [UInt8], description: PixelDescription,
                       transferSyntax: TransferSyntax) throws -> DecodedFrame {
        guard let decoder = byUID[transferSyntax.uid] else {
            throw ImagingError(.unsupported, "pixel data in \(transferSyntax.name) cannot be decoded")
        }
        guard description.decodedFrameLength <= maximumFrameLength else {
            throw ImagingError(.frameTooLarge, "a \(description.columns)×\(description.rows) frame of "
                               + "\(description.samplesPerPixel)×\(description.bitsAllocated) bits exceeds "
                               + "\(maximumFrameLength) bytes")
        }
        let frame = try decoder.decode(encoded, description: description, transferSyntax: transferSyntax)
        guard frame.bytes.count == frame.description.decodedFrameLength else {
            throw ImagingError(.corruptCodestream, "the \(transferSyntax.name) decoder returned \(frame.bytes.count) bytes")
        }
        return frame
    }

    /// Frame `index` of `frames`, decoded.
    public func decodeFrame(_ index: Int, of frames: PixelFrames) throws -> DecodedFrame {
        try decode(frames.encodedFrame(index), description: frames.description, transferSyntax: frames.transferSyntax)
    }
}

/// Native pixel data needs no codec: the frame is already little endian samples (the reader
/// swapped big-endian words); only YBR_FULL_422 is widened to one chrominance pair per pixel.
struct NativeFrameDecoder: FrameDecoder {
    func decode(_ encoded: [UInt8], description: PixelDescription, transferSyntax: TransferSyntax) throws -> DecodedFrame {
        guard description.photometricInterpretation == .ybrFull422 else {
            return DecodedFrame(description: description, bytes: encoded)
        }
        // Y1 Y2 Cb Cr per two pixels of a row (PS3.3 C.7.6.3.1.2); 8-bit samples in practice.
        guard description.bitsAllocated == 8, description.columns % 2 == 0 else {
            throw ImagingError(.unsupported, "native YBR_FULL_422 needs 8-bit samples and an even number of columns")
        }
        var output = [UInt8](repeating: 0, count: description.decodedFrameLength)
        for pair in 0..<description.pixelCount / 2 {
            let input = pair * 4, out = pair * 6
            let (y1, y2, cb, cr) = (encoded[input], encoded[input + 1], encoded[input + 2], encoded[input + 3])
            output[out] = y1; output[out + 1] = cb; output[out + 2] = cr
            output[out + 3] = y2; output[out + 4] = cb; output[out + 5] = cr
        }
        var widened = description
        widened.photometricInterpretation = .ybrFull
        widened.planarConfiguration = 0
        return DecodedFrame(description: widened, bytes: output)
    }
}
