#!/usr/bin/env python3
"""Writes seed inputs for the imaging fuzzers: the frames of pydicom's compressed test files,
each prefixed with the 7-byte description imaging-fuzz-entry.swift reads. Usage:
imaging-seeds.py DECODER OUTPUT_DIRECTORY (DECODER: rle, jpeg, jpegls, jpeg2000, frames)."""
import os, struct, sys
import pydicom
from pydicom.encaps import generate_frames

decoder, output = sys.argv[1], sys.argv[2]
prefixes = {"rle": ("1.2.840.10008.1.2.5",), "jpeg": ("1.2.840.10008.1.2.4.5", "1.2.840.10008.1.2.4.57",
            "1.2.840.10008.1.2.4.70"), "jpegls": ("1.2.840.10008.1.2.4.8",), "jpeg2000": ("1.2.840.10008.1.2.4.9",)}
directory = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
os.makedirs(output, exist_ok=True)
for name in sorted(os.listdir(directory)):
    if not name.endswith(".dcm"):
        continue
    try:
        ds = pydicom.dcmread(os.path.join(directory, name))
        syntax = str(ds.file_meta.TransferSyntaxUID)
    except Exception:
        continue
    if decoder == "frames":
        if os.path.getsize(os.path.join(directory, name)) <= 65536:
            open(os.path.join(output, name), "wb").write(open(os.path.join(directory, name), "rb").read())
        continue
    if not syntax.startswith(prefixes[decoder]) or "Rows" not in ds or ds.Rows * ds.Columns > 256 * 256:
        continue
    number = int(getattr(ds, "NumberOfFrames", 1) or 1)
    for index, frame in enumerate(generate_frames(ds.PixelData, number_of_frames=number)):
        photometric = 1 if ds.PhotometricInterpretation == "YBR_FULL" else 2 if ds.PhotometricInterpretation == "YBR_FULL_422" else 0
        header = struct.pack("<HHBBB", ds.Rows, ds.Columns, 0 if ds.BitsAllocated == 8 else 1,
                             0 if ds.SamplesPerPixel == 1 else 1, photometric)
        open(os.path.join(output, f"{name}-{index}"), "wb").write(header + frame)
        if index >= 1:
            break
