#!/usr/bin/env python3
"""Sends COUNT instances to a DICOM SCP and records exactly which ones were acknowledged.

Each instance is one of the template files under DIR with a fresh SOP Instance UID, so every
send is a new instance. The SOP Instance UID of every C-STORE answered with status 0000 is
appended to ACKFILE, flushed per line. When the association breaks (the receiver was killed),
the sender reconnects and resends the instance that was in flight, until DEADLINE seconds pass.

Usage: acked-sender.py HOST PORT CALLED_AET DIR ACKFILE COUNT [DEADLINE]
"""
import os
import sys
import time

from pydicom import dcmread
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE

host, port, called, directory, ack_path, count = sys.argv[1:7]
port, count = int(port), int(count)
deadline = time.monotonic() + (float(sys.argv[7]) if len(sys.argv) > 7 else 600.0)

templates = [dcmread(os.path.join(root, name))
             for root, _, names in os.walk(directory) for name in sorted(names) if name.endswith(".dcm")]
if not templates:
    sys.exit(f"no .dcm files under {directory}")

ae = AE(ae_title="CRASHTEST")
for sop_class in sorted({str(t.SOPClassUID) for t in templates}):
    ae.add_requested_context(sop_class, [ExplicitVRLittleEndian])
ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 10

acked = failed = 0
with open(ack_path, "a", buffering=1) as ack_file:
    association = None
    sent = 0
    while sent < count and time.monotonic() < deadline:
        if association is None or not association.is_established:
            association = ae.associate(host, port, ae_title=called)
            if not association.is_established:
                association = None
                time.sleep(0.1)
                continue
        dataset = templates[sent % len(templates)].copy()
        dataset.SOPInstanceUID = generate_uid()
        dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
        try:
            status = association.send_c_store(dataset)
        except RuntimeError:  # the association ended between the check above and this send
            association = None
            continue
        if not status or "Status" not in status:
            continue  # no answer: the receiver went away; resend on a new association
        if status.Status == 0x0000:
            ack_file.write(str(dataset.SOPInstanceUID) + "\n")
            acked += 1
        else:
            failed += 1
        sent += 1
    if association is not None and association.is_established:
        association.release()

print(f"sent {sent} acknowledged {acked} failed {failed}")
sys.exit(0 if sent == count and failed == 0 else 1)
