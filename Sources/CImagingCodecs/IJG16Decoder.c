// The JPEG decoder over GDCM's 16-bit IJG build (libgdcmjpeg16).
#include "CImagingCodecs.h"
#include <stdio.h>
#include "gdcmjpeg/16/jpeglib.h"
#include "gdcmjpeg/16/jerror.h"
#define IJG_DECODE_FUNCTION tandem_ijg16_decode
#include "IJGDecoder.inc"
