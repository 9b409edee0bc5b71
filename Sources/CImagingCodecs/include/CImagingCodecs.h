// Codec libraries behind a small C interface: one call decodes one frame, after checking the
// codestream's header against the data set. Errors come back as codes and messages; nothing
// here aborts, prints or throws.
#ifndef TANDEM_CIMAGINGCODECS_H
#define TANDEM_CIMAGINGCODECS_H

#include <stddef.h>
#include <stdint.h>

/// What the data set says about the frame (PS3.3 C.7.6.3).
typedef struct {
    uint32_t rows;
    uint32_t columns;
    uint16_t samples_per_pixel;
    /// 8 or 16: the width of each output sample.
    uint16_t bits_allocated;
} tandem_frame_description;

/// Result codes.
enum {
    TANDEM_CODEC_OK = 0,
    /// The codestream's own header disagrees with the data set (size, bits, samples).
    TANDEM_CODEC_HEADER_MISMATCH = 2,
    /// The codestream is corrupt or the codec failed.
    TANDEM_CODEC_CORRUPT = 3,
};

/// Each decoder decodes the codestream of one frame (its fragments concatenated) into `output`,
/// which must hold exactly rows × columns × samples × bits_allocated / 8 bytes; samples are
/// written little endian, `*planar_configuration` says whether by pixel (0) or by plane (1).
/// The codestream's header is checked against the data set before any decoding. On failure
/// `message` receives a NUL-terminated reason.

/// JPEG: baseline, extended 12-bit, lossless processes 14 and SV1 (ITU-T T.81), through the
/// 8-, 12- and 16-bit IJG builds that GDCM ships. Components come out as stored (no YCbCr to RGB).
int tandem_jpeg_decode(const tandem_frame_description *description, const uint8_t *codestream, size_t length,
                       uint8_t *output, size_t output_capacity, uint16_t *planar_configuration,
                       char *message, size_t message_capacity);

/// JPEG-LS lossless and near-lossless (ITU-T T.87), through CharLS.
int tandem_jpegls_decode(const tandem_frame_description *description, const uint8_t *codestream, size_t length,
                         uint8_t *output, size_t output_capacity, uint16_t *planar_configuration,
                         char *message, size_t message_capacity);

/// JPEG 2000 and HTJ2K (ISO/IEC 15444-1 and -15), through OpenJPEG.
int tandem_jpeg2000_decode(const tandem_frame_description *description, const uint8_t *codestream, size_t length,
                           uint8_t *output, size_t output_capacity, uint16_t *planar_configuration,
                           char *message, size_t message_capacity);

/// Encodes 8-bit greyscale (components 1) or interleaved RGB (components 3) as baseline JPEG
/// with libjpeg at `quality` (1–100). On success `*jpeg` is a malloc'ed buffer the caller frees.
int tandem_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int components, int quality,
                       uint8_t **jpeg, size_t *jpeg_length, char *message, size_t message_capacity);

#endif
