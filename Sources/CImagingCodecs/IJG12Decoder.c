// The JPEG decoder over GDCM's 12-bit IJG build (libgdcmjpeg12).
#include "CImagingCodecs.h"
#include <stdio.h>
#include "gdcmjpeg/12/jpeglib.h"
#include "gdcmjpeg/12/jerror.h"
#define IJG_DECODE_FUNCTION tandem_ijg12_decode
#include "IJGDecoder.inc"
