import CImagingCodecs
import DICOMCore

/// The compressed syntaxes decoded through C codec libraries: JPEG (baseline, extended 12-bit,
/// lossless processes 14 and SV1) by the IJG builds GDCM ships for 8, 12 and 16 bits, JPEG-LS by
/// CharLS, JPEG 2000 and HTJ2K by OpenJPEG. These are the libraries gdcmconv and Orthanc's GDCM
/// plugin decode with, called directly: Debian's GDCM is built with assertions on, and its C++
/// wrappers abort the process on some malformed headers, which a server must survive.
struct CodecFrameDecoder: FrameDecoder {
    enum Library: Sendable {
        case jpeg, jpegLS, jpeg2000
    }

    let library: Library

    static let transferSyntaxes: [(TransferSyntax, Library)] = [
        (.jpegBaseline, .jpeg), (.jpegExtended, .jpeg), (.jpegLossless, .jpeg), (.jpegLosslessSV1, .jpeg),
        (.jpegLSLossless, .jpegLS), (.jpegLSNearLossless, .jpegLS),
        (.jpeg2000Lossless, .jpeg2000), (.jpeg2000, .jpeg2000),
        (.htj2kLossless, .jpeg2000), (.htj2kLosslessRPCL, .jpeg2000), (.htj2k, .jpeg2000),
    ]

    /// What the codecs' output is, whatever the data set says: chrominance comes out at full
    /// resolution (YBR_FULL_422 becomes YBR_FULL, as gdcmconv --raw and dcmdjpeg +cn write), and
    /// OpenJPEG applies the JPEG 2000 inverse component transform (YBR_RCT/YBR_ICT become RGB,
    /// PS3.5 §8.2.4).
    static func decodedPhotometric(_ stored: PhotometricInterpretation) -> PhotometricInterpretation {
        switch stored {
        case .ybrFull422: return .ybrFull
        case .ybrRCT, .ybrICT: return .rgb
        default: return stored
        }
    }

    func decode(_ encoded: [UInt8], description: PixelDescription, transferSyntax: TransferSyntax) throws -> DecodedFrame {
        guard description.bitsAllocated <= 16 else {
            throw ImagingError(.unsupported, "\(transferSyntax.name) with \(description.bitsAllocated) bits allocated")
        }
        var output = [UInt8](repeating: 0, count: description.decodedFrameLength)
        var planar: UInt16 = 0
        var message = [CChar](repeating: 0, count: 256)
        var frame = tandem_frame_description(rows: UInt32(description.rows), columns: UInt32(description.columns),
                                             samples_per_pixel: UInt16(description.samplesPerPixel),
                                             bits_allocated: UInt16(description.bitsAllocated))
        let decode = switch library {
        case .jpeg: tandem_jpeg_decode
        case .jpegLS: tandem_jpegls_decode
        case .jpeg2000: tandem_jpeg2000_decode
        }
        let status = encoded.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                message.withUnsafeMutableBufferPointer { text in
                    decode(&frame, input.baseAddress, input.count, out.baseAddress, out.count, &planar,
                           text.baseAddress, text.count)
                }
            }
        }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case Int32(TANDEM_CODEC_OK): break
        case Int32(TANDEM_CODEC_HEADER_MISMATCH): throw ImagingError(.codestreamMismatch, reason)
        default: throw ImagingError(.corruptCodestream, reason.isEmpty ? "\(transferSyntax.name) decoding failed" : reason)
        }
        var result = description
        result.photometricInterpretation = Self.decodedPhotometric(description.photometricInterpretation)
        result.planarConfiguration = Int(planar)
        return DecodedFrame(description: result, bytes: output)
    }
}
