// JPEG-LS (ITU-T T.87) through CharLS's C interface, which reports every failure as an error
// code. The header is compared with the data set before the frame is decoded.
#include "CImagingCodecs.h"

#include <charls/charls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// CharLS 2.4.1 does not stop when the scan data runs out with no marker after it (a truncated
// fragment): its bit reader keeps feeding zero bits and the decoder spins for minutes of CPU on a
// 63-byte input. Every JPEG-LS codestream ends with EOI (T.87 Annex D, as in T.81 B.2.1); a frame
// that does not, once DICOM's trailing padding is set aside (PS3.5 A.4), is decoded from a copy
// that ends with one, so that data cut short meets a marker and fails at once. A complete
// stream that merely lacks EOI still decodes.
static const uint8_t *ending_with_eoi(const uint8_t *codestream, size_t *length, uint8_t **copy) {
    size_t end = *length;
    while (end > 0 && codestream[end - 1] == 0x00) end--;
    *copy = NULL;
    if (end >= 2 && codestream[end - 2] == 0xFF && codestream[end - 1] == 0xD9) {
        *length = end;
        return codestream;
    }
    *copy = malloc(*length + 2);
    if (*copy == NULL) return NULL;
    memcpy(*copy, codestream, *length);
    (*copy)[*length] = 0xFF;
    (*copy)[*length + 1] = 0xD9;
    *length += 2;
    return *copy;
}

int tandem_jpegls_decode(const tandem_frame_description *d, const uint8_t *codestream, size_t length,
                         uint8_t *output, size_t output_capacity, uint16_t *planar_configuration,
                         char *message, size_t message_capacity) {
    uint8_t *copy;
    codestream = ending_with_eoi(codestream, &length, &copy);
    charls_jpegls_decoder *decoder = codestream == NULL ? NULL : charls_jpegls_decoder_create();
    if (decoder == NULL) {
        free(copy);
        snprintf(message, message_capacity, "JPEG-LS: out of memory");
        return TANDEM_CODEC_CORRUPT;
    }
    int status = TANDEM_CODEC_CORRUPT;
    charls_frame_info frame;
    charls_interleave_mode interleave;
    charls_jpegls_errc error = charls_jpegls_decoder_set_source_buffer(decoder, codestream, length);
    if (error == CHARLS_JPEGLS_ERRC_SUCCESS) error = charls_jpegls_decoder_read_header(decoder);
    if (error == CHARLS_JPEGLS_ERRC_SUCCESS) error = charls_jpegls_decoder_get_frame_info(decoder, &frame);
    if (error == CHARLS_JPEGLS_ERRC_SUCCESS) error = charls_jpegls_decoder_get_interleave_mode(decoder, &interleave);
    if (error != CHARLS_JPEGLS_ERRC_SUCCESS) {
        snprintf(message, message_capacity, "JPEG-LS: %s", charls_get_error_message(error));
        goto done;
    }
    size_t bytes_per_sample = frame.bits_per_sample <= 8 ? 1 : 2;
    if (frame.width != d->columns || frame.height != d->rows || frame.component_count != d->samples_per_pixel ||
        frame.bits_per_sample > d->bits_allocated || d->bits_allocated > 16) {
        snprintf(message, message_capacity,
                 "the JPEG-LS header says %ux%u, %d component(s) of %d bits; the data set says %ux%u, %u of %u allocated",
                 frame.width, frame.height, frame.component_count, frame.bits_per_sample, d->columns, d->rows,
                 d->samples_per_pixel, d->bits_allocated);
        status = TANDEM_CODEC_HEADER_MISMATCH;
        goto done;
    }
    size_t samples = (size_t)frame.width * frame.height * frame.component_count;
    if (samples * (d->bits_allocated / 8) != output_capacity) {
        snprintf(message, message_capacity, "the JPEG-LS frame does not fill the output");
        status = TANDEM_CODEC_HEADER_MISMATCH;
        goto done;
    }
    if (bytes_per_sample == (size_t)d->bits_allocated / 8) {
        error = charls_jpegls_decoder_decode_to_buffer(decoder, output, output_capacity, 0);
    } else {
        // 8-bit samples in 16 allocated bits: decode, then widen.
        uint8_t *narrow = malloc(samples);
        if (narrow == NULL) {
            snprintf(message, message_capacity, "JPEG-LS: out of memory");
            goto done;
        }
        error = charls_jpegls_decoder_decode_to_buffer(decoder, narrow, samples, 0);
        for (size_t index = 0; error == CHARLS_JPEGLS_ERRC_SUCCESS && index < samples; index++) {
            output[index * 2] = narrow[index];
            output[index * 2 + 1] = 0;
        }
        free(narrow);
    }
    if (error != CHARLS_JPEGLS_ERRC_SUCCESS) {
        snprintf(message, message_capacity, "JPEG-LS: %s", charls_get_error_message(error));
        goto done;
    }
    // Interleave mode none keeps one plane per component (colour-by-plane).
    *planar_configuration = (interleave == CHARLS_INTERLEAVE_MODE_NONE && frame.component_count > 1) ? 1 : 0;
    status = TANDEM_CODEC_OK;
done:
    charls_jpegls_decoder_destroy(decoder);
    free(copy);
    return status;
}
