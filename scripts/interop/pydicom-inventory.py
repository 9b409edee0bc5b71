#!/usr/bin/env python3
"""Independent oracle for `dcmsend --dry-run`: prints, as one JSON object, what pydicom reads
from each file given (SOP Instance UID and Transfer Syntax UID), or null when pydicom cannot
read the file as DICOM. Used by the interoperability tests."""
import json
import sys

import pydicom

result = {}
for path in sys.argv[1:]:
    try:
        ds = pydicom.dcmread(path, force=True)
        syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
        result[path] = {"sopInstanceUID": str(ds.SOPInstanceUID), "transferSyntaxUID": str(syntax or "")}
    except Exception as error:  # any failure means "not readable" for the oracle
        result[path] = None
print(json.dumps(result))
