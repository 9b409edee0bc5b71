#!/usr/bin/env bash
# Decode + window + PNG of a 512×512 16-bit MR frame, per transfer syntax, side by side with
# DCMTK (dcmj2pnm for native, RLE and JPEG; dcml2pnm for JPEG-LS; it has no JPEG 2000) and
# GDCM (gdcmconv --raw: decoding and writing, no rendering). Prints milliseconds per frame:
#   ours/batch   dcmimage render over all frames in one process (the library's cost per frame)
#   ours/process one dcmimage process per frame, as the DCMTK and GDCM columns are timed
# and the ratios of ours/process to the references (targets: ≤ 1× the reference decoder).
# Usage: scripts/bench/decode.sh   (FRAMES=N frames per syntax, default 40; TANDEM_BIN=DIR)
source "$(dirname "$0")/common.sh"
FRAMES=${FRAMES:-40}
if [ -z "${TANDEM_BIN:-}" ]; then
    (cd "$REPO" && swift build -c release --product dcmimage >/dev/null && swift build -c release --product dcmsynth >/dev/null)
fi
"$BIN/dcmsynth" --out "$WORK/native" --modality MR --instances "$FRAMES" --instance-size $((512 * 512 * 2 + 1600)) >/dev/null
mapfile -t originals < <(find "$WORK/native" -name '*.dcm' | sort)

# compress NAME COMMAND...: writes every original through COMMAND IN OUT into $WORK/NAME.
compress() {
    local name=$1; shift
    mkdir -p "$WORK/$name"
    for file in "${originals[@]}"; do "$@" "$file" "$WORK/$name/$(basename "$file")" >/dev/null 2>&1; done
}
compress native cp
compress rle /usr/bin/dcmcrle
compress jpeg-sv1 /usr/bin/dcmcjpeg +e1
compress jpeg-12bit /usr/bin/dcmcjpeg +ee
compress jpeg-ls /usr/bin/dcmcjpls
compress jpeg2000 /usr/bin/gdcmconv --j2k

# per_frame SECONDS: milliseconds per frame.
per_frame() { python3 -c "print(f'{$1 * 1000 / $FRAMES:.2f}')"; }

# each_file COMMAND...: runs COMMAND FILE OUT for every file of the current syntax.
each_file() {
    for file in "$dir"/*.dcm; do "$@" "$file" "$WORK/out/$(basename "$file").pnm" || return 1; done
}

each_file_ours() {
    for file in "$dir"/*.dcm; do "$BIN/dcmimage" render --out "$WORK/out" --window 40,400 "$file" || return 1; done
}

printf '%-12s %12s %14s %10s %10s %12s %12s\n' syntax "ours/batch" "ours/process" dcmtk gdcm "vs dcmtk" "vs gdcm"
for syntax in native rle jpeg-sv1 jpeg-12bit jpeg-ls jpeg2000; do
    dir=$WORK/$syntax
    rm -rf "$WORK/out"; mkdir -p "$WORK/out"
    batch=$(per_frame "$(seconds "$BIN/dcmimage" render --out "$WORK/out" --window 40,400 "$dir"/*.dcm)")
    single=$(per_frame "$(seconds each_file_ours)")
    case $syntax in
        jpeg-ls) dcmtk_tool=/usr/bin/dcml2pnm ;;
        jpeg2000) dcmtk_tool= ;;
        *) dcmtk_tool=/usr/bin/dcmj2pnm ;;
    esac
    dcmtk=-; versus_dcmtk=-
    if [ -n "$dcmtk_tool" ]; then
        dcmtk=$(per_frame "$(seconds each_file "$dcmtk_tool" +Ww 40 400 +on)")
        versus_dcmtk=$(ratio "$single" "$dcmtk")
    fi
    gdcm=$(per_frame "$(seconds each_file /usr/bin/gdcmconv --raw)")
    printf '%-12s %12s %14s %10s %10s %12s %12s\n' "$syntax" "$batch" "$single" "$dcmtk" "$gdcm" \
        "$versus_dcmtk" "$(ratio "$single" "$gdcm")"
done
