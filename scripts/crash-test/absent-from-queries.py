#!/usr/bin/env python3
"""Checks that instances recovery removed are answered by no query: C-FIND at the IMAGE level
(Study Root) and QIDO-RS (/studies/{study}/series/{series}/instances?SOPInstanceUID=). As a
control that each query can find something, one indexed instance of ROOT must be found by both.

Prints "removed N found by queries P" and exits 1 when a removed instance is found or the control is not.
Usage: absent-from-queries.py ROOT DIMSE_PORT AET WEB_BASE_URL TOKEN LOSTFILE
"""
import json
import sqlite3
import sys
import urllib.request

from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as FIND

root, port, aet, web, token, lost_path = sys.argv[1:7]
lost = [line.split() for line in open(lost_path) if line.strip()]
db = sqlite3.connect(f"file:{root}/index.sqlite?mode=ro", uri=True, timeout=30)
control = db.execute("""
    SELECT study.study_uid, series.series_uid, instance.sop_instance_uid FROM instance
    JOIN series ON series.id = instance.series_ref JOIN study ON study.id = series.study_ref LIMIT 1
    """).fetchone()
db.close()

ae = AE(ae_title="CHECK")
ae.add_requested_context(FIND)
assoc = ae.associate("127.0.0.1", int(port), ae_title=aet)
if not assoc.is_established:
    sys.exit("association refused")


def c_find(study, series, sop):
    query = Dataset()
    query.QueryRetrieveLevel = "IMAGE"
    query.StudyInstanceUID, query.SeriesInstanceUID, query.SOPInstanceUID = study, series, sop
    return sum(1 for status, _ in assoc.send_c_find(query, FIND) if status and status.Status in (0xFF00, 0xFF01))


def qido(study, series, sop):
    request = urllib.request.Request(f"{web}/dicomweb/studies/{study}/series/{series}/instances?SOPInstanceUID={sop}",
                                     headers={"Authorization": f"Bearer {token}", "Accept": "application/dicom+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return len(json.loads(body)) if body.strip() else 0


problems = []
for study, series, sop in lost:
    if c_find(study, series, sop):
        problems.append(f"C-FIND finds the removed instance {sop}")
    if qido(study, series, sop):
        problems.append(f"QIDO-RS finds the removed instance {sop}")
if control is None or c_find(*control) != 1 or qido(*control) != 1:
    problems.append(f"the indexed instance {control} is not found by both queries: the check proves nothing")
assoc.release()
print(f"removed {len(lost)} found by queries {len(problems)}")
for problem in problems:
    print("  " + problem, file=sys.stderr)
sys.exit(1 if problems else 0)
