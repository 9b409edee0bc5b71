// Baseline JPEG output for rendered images through libjpeg. libjpeg reports errors by calling
// error_exit, which must not return: it longjmps back here, which Swift cannot do itself.
#include "CImagingCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
// After stdio.h: jpeglib.h uses FILE without including it.
#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    char *message;
    size_t message_capacity;
    /// libjpeg's output buffer: kept here, in memory whose address escaped, so it survives longjmp.
    unsigned char *destination;
    unsigned long length;
} escaping_error_manager;

static void escape_on_error(j_common_ptr info) {
    escaping_error_manager *manager = (escaping_error_manager *)info->err;
    if (manager->message != NULL && manager->message_capacity > 0) {
        char text[JMSG_LENGTH_MAX];
        manager->base.format_message(info, text);
        snprintf(manager->message, manager->message_capacity, "libjpeg: %s", text);
    }
    longjmp(manager->escape, 1);
}

int tandem_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int components, int quality,
                       uint8_t **jpeg, size_t *jpeg_length, char *message, size_t message_capacity) {
    struct jpeg_compress_struct info;
    escaping_error_manager manager;
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = escape_on_error;
    manager.message = message;
    manager.message_capacity = message_capacity;
    manager.destination = NULL;
    manager.length = 0;
    if (setjmp(manager.escape)) {
        jpeg_destroy_compress(&info);
        free(manager.destination);
        return TANDEM_CODEC_CORRUPT;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &manager.destination, &manager.length);
    info.image_width = width;
    info.image_height = height;
    info.input_components = components;
    info.in_color_space = components == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *jpeg = manager.destination;
    *jpeg_length = manager.length;
    return TANDEM_CODEC_OK;
}
