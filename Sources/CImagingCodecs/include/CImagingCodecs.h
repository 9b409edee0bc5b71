// Codec libraries behind a C interface. A C interface to the GDCM codecs Tandem uses for JPEG (baseline, extended 12-bit, lossless
// processes 14 and SV1), JPEG-LS and JPEG 2000, so Swift never sees C++. One call decodes one
// frame; it checks the codestream's header against the data set before anything is allocated.
#ifndef TANDEM_CGDCMSHIM_H
#define TANDEM_CGDCMSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What the data set says about the frame (PS3.3 C.7.6.3).
typedef struct {
    const char *transfer_syntax_uid;
    const char *photometric_interpretation;
    uint32_t rows;
    uint32_t columns;
    uint16_t samples_per_pixel;
    uint16_t bits_allocated;
    uint16_t bits_stored;
    uint16_t high_bit;
    uint16_t pixel_representation;
    uint16_t planar_configuration;
} tandem_frame_description;

/// What the decoder produced: the planar configuration of the output.
typedef struct {
    uint16_t planar_configuration;
} tandem_decoded_frame;

/// Result codes.
enum {
    TANDEM_CODEC_OK = 0,
    /// The transfer syntax is not one GDCM decodes here.
    TANDEM_CODEC_UNSUPPORTED = 1,
    /// The codestream's own header disagrees with the data set (size, bits, samples).
    TANDEM_CODEC_HEADER_MISMATCH = 2,
    /// The codestream is corrupt or the codec failed.
    TANDEM_CODEC_CORRUPT = 3,
    /// `output_capacity` is not the size of the decoded frame.
    TANDEM_CODEC_OUTPUT_SIZE = 4,
};

/// Decodes the codestream of one frame (its fragments concatenated) into `output`, which must
/// hold exactly rows × columns × samples × bits_allocated / 8 bytes, little endian. On failure
/// `message` receives a NUL-terminated reason.
int tandem_gdcm_decode_frame(const tandem_frame_description *description,
                             const uint8_t *codestream, size_t codestream_length,
                             uint8_t *output, size_t output_capacity,
                             tandem_decoded_frame *decoded,
                             char *message, size_t message_capacity);

/// Encodes 8-bit greyscale (components 1) or interleaved RGB (components 3) as baseline JPEG
/// with libjpeg at `quality` (1–100). On success `*jpeg` is a malloc'ed buffer the caller frees.
int tandem_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int components, int quality,
                       uint8_t **jpeg, size_t *jpeg_length, char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif

#endif
