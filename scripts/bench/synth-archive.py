#!/usr/bin/env python3
"""Fills a data root with COUNT indexed instances fast, for the recovery benchmark: rows are
written straight into index.sqlite (schema already migrated, e.g. by one dcmrecv start) and
each gets a small file at its path under objects/, so the index and the object store agree
(`clusterctl fsck` finds nothing). 100 instances per series, one series per study.

Usage: synth-archive.py ROOT COUNT
"""
import os
import sqlite3
import sys

root, count = sys.argv[1], int(sys.argv[2])
per_study = 100
db = sqlite3.connect(os.path.join(root, "index.sqlite"), timeout=60)
db.execute("PRAGMA synchronous = OFF")
received = "2026-01-01 00:00:00.000"
payload = b"DICM" + b"\0" * 124
with db:
    base = db.execute("SELECT coalesce(max(id), 0) FROM study").fetchone()[0]
    for study_number in range((count + per_study - 1) // per_study):
        n = base + study_number + 1
        study_uid, series_uid = f"1.2.826.0.1.3680043.99.{n}", f"1.2.826.0.1.3680043.99.{n}.1"
        patient = db.execute(
            "INSERT INTO patient (patient_id, issuer_of_patient_id, patient_name) VALUES (?, '', ?)",
            (f"BENCH{n}", f"BENCH^{n}")).lastrowid
        instances = min(per_study, count - study_number * per_study)
        study = db.execute(
            "INSERT INTO study (study_uid, patient_ref, study_date, modalities_in_study, number_of_series, "
            "number_of_instances, last_received_at) VALUES (?, ?, '20260101', 'CT', 1, ?, ?)",
            (study_uid, patient, instances, received)).lastrowid
        series = db.execute(
            "INSERT INTO series (series_uid, study_ref, modality, series_number, number_of_instances) "
            "VALUES (?, ?, 'CT', 1, ?)", (series_uid, study, instances)).lastrowid
        directory = f"objects/{n % 256:02x}/{study_uid}/{series_uid}"
        os.makedirs(os.path.join(root, directory), exist_ok=True)
        rows = []
        for i in range(1, instances + 1):
            sop = f"{series_uid}.{i}"
            path = f"{directory}/{sop}.dcm"
            with open(os.path.join(root, path), "wb") as file:
                file.write(payload)
            rows.append((sop, series, "1.2.840.10008.5.1.4.1.1.2", i, "1.2.840.10008.1.2.1", path,
                         len(payload), received, "SYNTH", "TANDEM"))
        db.executemany(
            "INSERT INTO instance (sop_instance_uid, series_ref, sop_class_uid, instance_number, "
            "transfer_syntax_uid, file_path, file_size, received_at, calling_ae, called_ae) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
print(db.execute("SELECT count(*) FROM instance").fetchone()[0])
