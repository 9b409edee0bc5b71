// The JPEG decoder over GDCM's 8-bit IJG build (libgdcmjpeg8).
#include "CImagingCodecs.h"
#include <stdio.h>
#include "gdcmjpeg/8/jpeglib.h"
#include "gdcmjpeg/8/jerror.h"
#define IJG_DECODE_FUNCTION tandem_ijg8_decode
#include "IJGDecoder.inc"
