// Picks the IJG build for a JPEG codestream's sample precision (its SOF marker), as one build
// handles only one precision.
#include "CImagingCodecs.h"

#include <stdio.h>

int tandem_ijg8_decode(const tandem_frame_description *, const uint8_t *, size_t, uint8_t *, size_t, char *, size_t);
int tandem_ijg12_decode(const tandem_frame_description *, const uint8_t *, size_t, uint8_t *, size_t, char *, size_t);
int tandem_ijg16_decode(const tandem_frame_description *, const uint8_t *, size_t, uint8_t *, size_t, char *, size_t);

/// Sample precision in the first SOFn marker (ITU-T T.81 B.2.2), or -1 if there is none.
static int jpeg_precision(const uint8_t *codestream, size_t length) {
    size_t position = 2;
    if (length < 4 || codestream[0] != 0xFF || codestream[1] != 0xD8) return -1;
    while (position + 4 <= length) {
        if (codestream[position] != 0xFF) return -1;
        uint8_t marker = codestream[position + 1];
        if (marker == 0xFF) { position++; continue; }  // fill byte
        size_t segment = ((size_t)codestream[position + 2] << 8) | codestream[position + 3];
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            return position + 4 < length ? codestream[position + 4] : -1;
        }
        if (marker == 0xDA || marker == 0xD9) return -1;  // scan or end before any frame header
        position += 2 + segment;
    }
    return -1;
}

int tandem_jpeg_decode(const tandem_frame_description *description, const uint8_t *codestream, size_t length,
                       uint8_t *output, size_t output_capacity, uint16_t *planar_configuration,
                       char *message, size_t message_capacity) {
    *planar_configuration = 0;
    int precision = jpeg_precision(codestream, length);
    if (precision < 2 || precision > 16) {
        snprintf(message, message_capacity, "JPEG: no frame header with a sample precision of 2 to 16 bits");
        return TANDEM_CODEC_CORRUPT;
    }
    if (precision <= 8)
        return tandem_ijg8_decode(description, codestream, length, output, output_capacity, message, message_capacity);
    if (precision <= 12)
        return tandem_ijg12_decode(description, codestream, length, output, output_capacity, message, message_capacity);
    return tandem_ijg16_decode(description, codestream, length, output, output_capacity, message, message_capacity);
}
