import CImagingCodecs
import DICOMCore

/// JPEG (baseline, extended 12-bit, lossless processes 14 and SV1), JPEG-LS (lossless and near
/// lossless) and JPEG 2000 (lossless and lossy) through GDCM, the library behind gdcmconv and
/// Orthanc's GDCM plugin: it bundles IJG builds for 8-, 12- and 16-bit JPEG, which libjpeg-turbo
/// lacks, and wraps CharLS and OpenJPEG with the DICOM-specific fixes those codestreams need.
struct GDCMFrameDecoder: FrameDecoder {
    static let transferSyntaxes: [TransferSyntax] = [
        .jpegBaseline, .jpegExtended, .jpegLossless, .jpegLosslessSV1,
        .jpegLSLossless, .jpegLSNearLossless, .jpeg2000Lossless, .jpeg2000,
    ]

    /// What the codecs' output is, whatever the data set says: GDCM returns chrominance at full
    /// resolution (YBR_FULL_422 becomes YBR_FULL, as gdcmconv --raw writes), and OpenJPEG applies
    /// the JPEG 2000 inverse component transform (YBR_RCT/YBR_ICT become RGB, PS3.5 §8.2.4).
    static func decodedPhotometric(_ stored: PhotometricInterpretation) -> PhotometricInterpretation {
        switch stored {
        case .ybrFull422: return .ybrFull
        case .ybrRCT, .ybrICT: return .rgb
        default: return stored
        }
    }

    func decode(_ encoded: [UInt8], description: PixelDescription, transferSyntax: TransferSyntax) throws -> DecodedFrame {
        var output = [UInt8](repeating: 0, count: description.decodedFrameLength)
        var decoded = tandem_decoded_frame()
        var message = [CChar](repeating: 0, count: 256)
        let status = transferSyntax.uid.withCString { uid in
            description.photometricInterpretation.rawValue.withCString { photometric in
                var frame = tandem_frame_description(
                    transfer_syntax_uid: uid, photometric_interpretation: photometric,
                    rows: UInt32(description.rows), columns: UInt32(description.columns),
                    samples_per_pixel: UInt16(description.samplesPerPixel),
                    bits_allocated: UInt16(description.bitsAllocated), bits_stored: UInt16(description.bitsStored),
                    high_bit: UInt16(description.highBit), pixel_representation: description.isSigned ? 1 : 0,
                    planar_configuration: UInt16(description.planarConfiguration))
                return encoded.withUnsafeBufferPointer { input in
                    output.withUnsafeMutableBufferPointer { out in
                        message.withUnsafeMutableBufferPointer { text in
                            Int(tandem_gdcm_decode_frame(&frame, input.baseAddress, input.count, out.baseAddress,
                                                         out.count, &decoded, text.baseAddress, text.count))
                        }
                    }
                }
            }
        }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case Int(TANDEM_CODEC_OK): break
        case Int(TANDEM_CODEC_HEADER_MISMATCH): throw ImagingError(.codestreamMismatch, reason)
        case Int(TANDEM_CODEC_UNSUPPORTED): throw ImagingError(.unsupported, reason)
        default: throw ImagingError(.corruptCodestream, reason.isEmpty ? "\(transferSyntax.name) decoding failed" : reason)
        }
        var result = description
        result.photometricInterpretation = Self.decodedPhotometric(description.photometricInterpretation)
        result.planarConfiguration = Int(decoded.planar_configuration)
        return DecodedFrame(description: result, bytes: output)
    }
}
