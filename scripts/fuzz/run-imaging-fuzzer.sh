#!/bin/sh
# Builds and runs a libFuzzer target for one pixel decoder entry point of DICOMImaging.
# Usage: scripts/fuzz/run-imaging-fuzzer.sh DECODER [seconds [libFuzzer options...]]   (default 60)
#   DECODER: rle | jpeg | jpegls | jpeg2000 (one frame and its description), frames (a whole
#   Part 10 file: frame extraction, decoding and rendering).
# Seeds are the frames of pydicom's test files (imaging-seeds.py); crash inputs go to
# .build-fuzz-imaging/findings-DECODER/.
set -eu
decoder="$1"
seconds="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))
case "$decoder" in rle|jpeg|jpegls|jpeg2000|frames) ;; *) echo "unknown decoder $decoder" >&2; exit 64 ;; esac
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build="$root/.build-fuzz-imaging"
mkdir -p "$build/findings-$decoder" "$build/corpus-$decoder" "$build/seeds-$decoder"
python3 scripts/fuzz/imaging-seeds.py "$decoder" "$build/seeds-$decoder"

# Compile a snapshot as one module: DICOMCore and DICOMImaging together, so their imports go.
snapshot="$build/sources-$decoder"
rm -rf "$snapshot"
mkdir -p "$snapshot/CImagingCodecs"
cp -R Sources/DICOMCore Sources/DICOMImaging Sources/CZlib scripts/fuzz/imaging-fuzz-entry.swift "$snapshot/"
cp -R Sources/CImagingCodecs/. "$snapshot/CImagingCodecs/"
find "$snapshot/DICOMImaging" -name '*.swift' -exec sed -i '/^import DICOMCore$/d' {} +
printf 'module CImagingCodecs {\n    header "include/CImagingCodecs.h"\n    export *\n}\n' > "$snapshot/CImagingCodecs/module.modulemap"
objects=""
for source in "$snapshot"/CImagingCodecs/*.c; do
    object="$source.o"
    clang -fsanitize=fuzzer-no-link,address -O1 -g -I "$snapshot/CImagingCodecs/include" \
        -I/usr/include/gdcm-3.0 -I/usr/include/openjpeg-2.5 -c "$source" -o "$object"
    objects="$objects $object"
done
define=$(echo "FUZZ_$decoder" | tr '[:lower:]' '[:upper:]' | sed 's/JPEG2000/JPEG2000/')
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -D "$define" \
    -module-name DICOMImagingFuzz \
    -I "$snapshot/CZlib" -I "$snapshot/CImagingCodecs" \
    $(find "$snapshot/DICOMCore" "$snapshot/DICOMImaging" -name '*.swift' | sort) \
    "$snapshot/imaging-fuzz-entry.swift" $objects \
    -lz -lgdcmjpeg8 -lgdcmjpeg12 -lgdcmjpeg16 -lcharls -lopenjp2 -ljpeg \
    -o "$build/$decoder-fuzzer"

exec "$build/$decoder-fuzzer" "$build/corpus-$decoder" "$build/seeds-$decoder" \
    -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/findings-$decoder/" -print_final_stats=1 "$@"
