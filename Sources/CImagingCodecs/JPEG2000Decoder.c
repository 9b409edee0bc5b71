// JPEG 2000 (ISO/IEC 15444-1) and High-Throughput JPEG 2000 (15444-15, OpenJPEG 2.5 decodes
// both) through OpenJPEG's C interface, from memory. The main header is read and compared with
// the data set before the decoder allocates the image. OpenJPEG applies the inverse component
// transform itself, so a YBR_RCT/YBR_ICT frame comes out as RGB.
#include "CImagingCodecs.h"

#include <openjpeg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t length;
    size_t position;
} memory_stream;

static OPJ_SIZE_T stream_read(void *buffer, OPJ_SIZE_T count, void *user) {
    memory_stream *stream = user;
    size_t left = stream->length - stream->position;
    if (left == 0) return (OPJ_SIZE_T)-1;
    size_t taken = count < left ? count : left;
    memcpy(buffer, stream->data + stream->position, taken);
    stream->position += taken;
    return taken;
}

static OPJ_OFF_T stream_skip(OPJ_OFF_T count, void *user) {
    memory_stream *stream = user;
    if (count < 0) {
        size_t back = (size_t)(-count) < stream->position ? (size_t)(-count) : stream->position;
        stream->position -= back;
        return -(OPJ_OFF_T)back;
    }
    size_t left = stream->length - stream->position;
    size_t taken = (size_t)count < left ? (size_t)count : left;
    stream->position += taken;
    return (OPJ_OFF_T)taken;
}

static OPJ_BOOL stream_seek(OPJ_OFF_T position, void *user) {
    memory_stream *stream = user;
    if (position < 0 || (size_t)position > stream->length) return OPJ_FALSE;
    stream->position = (size_t)position;
    return OPJ_TRUE;
}

typedef struct {
    char *text;
    size_t capacity;
} message_buffer;

static void keep_error(const char *text, void *user) {
    message_buffer *buffer = user;
    if (buffer->capacity > 0 && buffer->text[0] == '\0') {
        snprintf(buffer->text, buffer->capacity, "JPEG 2000: %s", text);
        size_t end = strlen(buffer->text);
        if (end > 0 && buffer->text[end - 1] == '\n') buffer->text[end - 1] = '\0';
    }
}

static void ignore_message(const char *text, void *user) { (void)text; (void)user; }

int tandem_jpeg2000_decode(const tandem_frame_description *d, const uint8_t *codestream, size_t length,
                           uint8_t *output, size_t output_capacity, uint16_t *planar_configuration,
                           char *message, size_t message_capacity) {
    *planar_configuration = 0;
    if (message_capacity > 0) message[0] = '\0';
    message_buffer errors = {message, message_capacity};
    // A JP2 file starts with its signature box; a bare codestream with SOC SIZ (FF4F FF51).
    static const uint8_t jp2_signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    OPJ_CODEC_FORMAT format = length >= sizeof jp2_signature && memcmp(codestream, jp2_signature, sizeof jp2_signature) == 0
        ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K;
    memory_stream source = {codestream, length, 0};
    opj_stream_t *stream = opj_stream_create(64 * 1024, OPJ_TRUE);
    opj_codec_t *codec = opj_create_decompress(format);
    opj_image_t *image = NULL;
    int status = TANDEM_CODEC_CORRUPT;
    if (stream == NULL || codec == NULL) {
        snprintf(message, message_capacity, "JPEG 2000: out of memory");
        goto done;
    }
    opj_stream_set_user_data(stream, &source, NULL);
    opj_stream_set_user_data_length(stream, length);
    opj_stream_set_read_function(stream, stream_read);
    opj_stream_set_skip_function(stream, stream_skip);
    opj_stream_set_seek_function(stream, stream_seek);
    opj_set_error_handler(codec, keep_error, &errors);
    opj_set_warning_handler(codec, ignore_message, NULL);
    opj_set_info_handler(codec, ignore_message, NULL);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec, &parameters) || !opj_read_header(stream, codec, &image)) {
        if (message[0] == '\0') snprintf(message, message_capacity, "JPEG 2000: the main header cannot be read");
        goto done;
    }
    OPJ_UINT32 width = image->x1 - image->x0, height = image->y1 - image->y0;
    OPJ_UINT32 precision = image->numcomps > 0 ? image->comps[0].prec : 0;
    if (width != d->columns || height != d->rows || image->numcomps != d->samples_per_pixel ||
        precision > d->bits_allocated) {
        snprintf(message, message_capacity,
                 "the JPEG 2000 header says %ux%u, %u component(s) of %u bits; the data set says %ux%u, %u of %u allocated",
                 width, height, image->numcomps, precision, d->columns, d->rows, d->samples_per_pixel, d->bits_allocated);
        status = TANDEM_CODEC_HEADER_MISMATCH;
        goto done;
    }
    for (OPJ_UINT32 c = 0; c < image->numcomps; c++) {
        if (image->comps[c].dx != 1 || image->comps[c].dy != 1 || image->comps[c].prec > d->bits_allocated) {
            snprintf(message, message_capacity, "JPEG 2000: component %u is subsampled or wider than allocated", c);
            status = TANDEM_CODEC_HEADER_MISMATCH;
            goto done;
        }
    }
    if (!opj_decode(codec, stream, image) || !opj_end_decompress(codec, stream)) {
        if (message[0] == '\0') snprintf(message, message_capacity, "JPEG 2000: the codestream cannot be decoded");
        goto done;
    }
    size_t bytes_per_sample = d->bits_allocated / 8, pixels = (size_t)width * height;
    size_t components = image->numcomps;
    if (pixels * components * bytes_per_sample != output_capacity) {
        snprintf(message, message_capacity, "the JPEG 2000 frame does not fill the output");
        status = TANDEM_CODEC_HEADER_MISMATCH;
        goto done;
    }
    for (size_t c = 0; c < components; c++) {
        if (image->comps[c].data == NULL) {
            snprintf(message, message_capacity, "JPEG 2000: component %zu was not decoded", c);
            goto done;
        }
        const OPJ_INT32 *samples = image->comps[c].data;
        for (size_t pixel = 0; pixel < pixels; pixel++) {
            uint32_t value = (uint32_t)samples[pixel];
            uint8_t *out = output + (pixel * components + c) * bytes_per_sample;
            for (size_t byte = 0; byte < bytes_per_sample; byte++) out[byte] = (uint8_t)(value >> (8 * byte));
        }
    }
    status = TANDEM_CODEC_OK;
done:
    if (image != NULL) opj_image_destroy(image);
    if (codec != NULL) opj_destroy_codec(codec);
    if (stream != NULL) opj_stream_destroy(stream);
    return status;
}
