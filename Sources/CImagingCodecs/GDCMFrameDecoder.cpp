// Decodes one frame with GDCM's codecs: the header is read first with the codec's own parser and
// compared with the data set, so a codestream claiming another size never reaches an allocation;
// then gdcm::Image decodes exactly as gdcmconv --raw does (same colour handling).
#include "CImagingCodecs.h"

#include <gdcmImage.h>
#include <gdcmJPEG2000Codec.h>
#include <gdcmJPEGCodec.h>
#include <gdcmJPEGLSCodec.h>
#include <gdcmSequenceOfFragments.h>
#include <gdcmTrace.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

namespace {

void report(char *message, size_t capacity, const std::string &text) {
    if (message == nullptr || capacity == 0) return;
    std::snprintf(message, capacity, "%s", text.c_str());
}

std::unique_ptr<gdcm::ImageCodec> codecFor(const gdcm::TransferSyntax &syntax) {
    gdcm::JPEGCodec jpeg;
    if (jpeg.CanDecode(syntax)) return std::make_unique<gdcm::JPEGCodec>();
    gdcm::JPEGLSCodec jpegLS;
    if (jpegLS.CanDecode(syntax)) return std::make_unique<gdcm::JPEGLSCodec>();
    gdcm::JPEG2000Codec jpeg2000;
    if (jpeg2000.CanDecode(syntax)) return std::make_unique<gdcm::JPEG2000Codec>();
    return nullptr;
}

/// The codestream's own header against the data set: same size and samples, no more bits than
/// allocated. JPEG precision may legitimately exceed Bits Stored (e.g. 16-bit lossless for 12).
int checkHeader(gdcm::ImageCodec &codec, const tandem_frame_description &d, const std::string &codestream,
                char *message, size_t capacity) {
    // The JPEG codec picks its 8-, 12- or 16-bit IJG build from the pixel format.
    codec.SetPixelFormat(gdcm::PixelFormat(d.samples_per_pixel, d.bits_allocated, d.bits_stored, d.high_bit,
                                           d.pixel_representation));
    std::istringstream stream(codestream);
    gdcm::TransferSyntax found;
    if (!codec.GetHeaderInfo(stream, found)) {
        report(message, capacity, "the codestream header cannot be read");
        return TANDEM_CODEC_CORRUPT;
    }
    const unsigned int *dims = codec.GetDimensions();
    const gdcm::PixelFormat &format = codec.GetPixelFormat();
    if (dims[0] != d.columns || dims[1] != d.rows) {
        report(message, capacity, "the codestream is " + std::to_string(dims[0]) + "x" + std::to_string(dims[1]) +
               " but Columns x Rows is " + std::to_string(d.columns) + "x" + std::to_string(d.rows));
        return TANDEM_CODEC_HEADER_MISMATCH;
    }
    if (format.GetSamplesPerPixel() != d.samples_per_pixel) {
        report(message, capacity, "the codestream has " + std::to_string(format.GetSamplesPerPixel()) +
               " components but Samples per Pixel is " + std::to_string(d.samples_per_pixel));
        return TANDEM_CODEC_HEADER_MISMATCH;
    }
    if (format.GetBitsStored() > d.bits_allocated) {
        report(message, capacity, "the codestream has " + std::to_string(format.GetBitsStored()) +
               "-bit samples but Bits Allocated is " + std::to_string(d.bits_allocated));
        return TANDEM_CODEC_HEADER_MISMATCH;
    }
    return TANDEM_CODEC_OK;
}

}  // namespace

extern "C" int tandem_gdcm_decode_frame(const tandem_frame_description *description,
                                        const uint8_t *codestream, size_t codestream_length,
                                        uint8_t *output, size_t output_capacity,
                                        tandem_decoded_frame *decoded,
                                        char *message, size_t message_capacity) {
    gdcm::Trace::SetDebug(false);
    gdcm::Trace::SetWarning(false);
    gdcm::Trace::SetError(false);
    try {
        const tandem_frame_description &d = *description;
        gdcm::TransferSyntax syntax = gdcm::TransferSyntax::GetTSType(d.transfer_syntax_uid);
        std::unique_ptr<gdcm::ImageCodec> codec = codecFor(syntax);
        if (!codec) {
            report(message, message_capacity, std::string("GDCM does not decode ") + d.transfer_syntax_uid);
            return TANDEM_CODEC_UNSUPPORTED;
        }
        std::string bytes(reinterpret_cast<const char *>(codestream), codestream_length);
        int header = checkHeader(*codec, d, bytes, message, message_capacity);
        if (header != TANDEM_CODEC_OK) return header;

        gdcm::SmartPointer<gdcm::SequenceOfFragments> fragments = new gdcm::SequenceOfFragments;
        gdcm::Fragment fragment;
        fragment.SetByteValue(bytes.data(), static_cast<uint32_t>(bytes.size()));
        fragments->AddFragment(fragment);
        gdcm::DataElement pixelData(gdcm::Tag(0x7fe0, 0x0010));
        pixelData.SetVR(gdcm::VR::OB);
        pixelData.SetValue(*fragments);

        gdcm::Image image;
        image.SetNumberOfDimensions(2);
        image.SetColumns(d.columns);
        image.SetRows(d.rows);
        image.SetPixelFormat(gdcm::PixelFormat(d.samples_per_pixel, d.bits_allocated, d.bits_stored, d.high_bit,
                                               d.pixel_representation));
        image.SetPhotometricInterpretation(
            gdcm::PhotometricInterpretation(gdcm::PhotometricInterpretation::GetPIType(d.photometric_interpretation)));
        image.SetPlanarConfiguration(d.planar_configuration);
        image.SetTransferSyntax(syntax);
        image.SetDataElement(pixelData);

        if (image.GetBufferLength() != output_capacity) {
            report(message, message_capacity, "the output buffer does not match the frame size");
            return TANDEM_CODEC_OUTPUT_SIZE;
        }
        if (!image.GetBuffer(reinterpret_cast<char *>(output))) {
            report(message, message_capacity, std::string("GDCM could not decode the ") + syntax.GetString() +
                   " codestream");
            return TANDEM_CODEC_CORRUPT;
        }
        decoded->planar_configuration = static_cast<uint16_t>(image.GetPlanarConfiguration());
        return TANDEM_CODEC_OK;
    } catch (const std::exception &error) {
        report(message, message_capacity, std::string("GDCM failed: ") + error.what());
        return TANDEM_CODEC_CORRUPT;
    } catch (...) {
        report(message, message_capacity, "GDCM failed");
        return TANDEM_CODEC_CORRUPT;
    }
}
