#!/usr/bin/env python3
"""Writes COUNT small studies (one CT instance each, no pixel data) for the C-FIND benchmark:
two studies per patient, surnames from a list of 50 (GARCIA among them, so about 2% match
GARCIA*), study dates spread over five years (2021-2025), so a 30-day range holds about 1.6%.
Files go to OUT/NNN/ in groups of 1,000. Fixed seed: every run writes the same archive.

Usage: find-archive.py OUT COUNT
"""
import os
import random
import sys
from datetime import date, timedelta

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

out, count = sys.argv[1], int(sys.argv[2])
random.seed(12)
SURNAMES = """GARCIA SMITH JOHNSON WILLIAMS BROWN JONES MILLER DAVIS RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ
GONZALEZ WILSON ANDERSON THOMAS TAYLOR MOORE JACKSON MARTIN LEE PEREZ THOMPSON WHITE HARRIS SANCHEZ
CLARK RAMIREZ LEWIS ROBINSON WALKER YOUNG ALLEN KING WRIGHT SCOTT TORRES NGUYEN HILL FLORES GREEN
ADAMS NELSON BAKER HALL RIVERA CAMPBELL MITCHELL CARTER ROBERTS""".split()
GIVEN = "MARIA JOSE ANA JUAN LUIS CARMEN PEDRO LAURA JAMES MARY JOHN LINDA".split()
CT = "1.2.840.10008.5.1.4.1.1.2"
first_day = date(2021, 1, 1)

patient = None
for n in range(count):
    if n % 2 == 0:
        patient = (f"{random.choice(SURNAMES)}^{random.choice(GIVEN)}", f"PID{n // 2:07d}",
                   f"19{random.randint(30, 99)}0{random.randint(1, 9)}1{random.randint(0, 9)}",
                   random.choice("FM"))
    study_uid = f"1.2.826.0.1.3680043.11.{n + 1}"
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = CT
    ds.SOPInstanceUID = f"{study_uid}.1.1"
    ds.StudyDate = (first_day + timedelta(days=random.randrange(5 * 365))).strftime("%Y%m%d")
    ds.StudyTime = f"{random.randint(7, 19):02d}{random.randint(0, 59):02d}00"
    ds.AccessionNumber = f"A{n + 1:08d}"
    ds.Modality = "CT"
    ds.ReferringPhysicianName = "WELBY^MARCUS"
    ds.StudyDescription = "CT HEAD"
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = patient
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = f"{study_uid}.1"
    ds.StudyID = "1"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = CT
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    directory = os.path.join(out, f"{n // 1000:03d}")
    os.makedirs(directory, exist_ok=True)
    ds.save_as(os.path.join(directory, f"{n + 1}.dcm"), enforce_file_format=True)
