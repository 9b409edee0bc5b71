#!/usr/bin/env python3
"""Checks a dcmweb server with the independent dicomweb-client library (PyPI).

Usage: dicomweb-client-check.py URL USER PASSWORD SENT_DIR STOW_FILE

SENT_DIR holds the Part 10 files already in the archive (sent by DCMTK); STOW_FILE is a file
not yet in it, compressed (RLE Lossless), stored here with STOW-RS. Searches, retrieves instances, series and metadata,
frames and bulk data, retrieves the RLE instance transcoded, and compares everything with what was sent: pixel data byte-equal,
metadata equal to pydicom's to_json_dict of the same file (bulk values excepted, which the
server gives as BulkDataURIs that must resolve to the same bytes); then the rendered images and
thumbnails, the study's among them. Prints one line per check; exits 1 on the first mismatch.
"""
import io
import os
import sys
import time

import pydicom
import requests
from dicomweb_client.api import DICOMwebClient


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def ok(message):
    print("ok " + message)


def comparable(attributes):
    """A to_json_dict-shaped dict without what a server may legitimately express differently:
    group lengths, and values left as bulk data (InlineBinary or BulkDataURI)."""
    result = {}
    for tag, attribute in attributes.items():
        if tag.endswith("0000"):
            continue
        if "InlineBinary" in attribute or "BulkDataURI" in attribute:
            result[tag] = {"vr": attribute["vr"], "bulk": True}
            continue
        if attribute.get("vr") == "SQ":
            attribute = dict(attribute)
            attribute["Value"] = [comparable(item) for item in attribute.get("Value", [])]
        result[tag] = attribute
    return result


def main():
    url, user, password, sent_dir, stow_file = sys.argv[1:6]
    session = requests.Session()
    session.auth = (user, password)
    client = DICOMwebClient(url=url + "/dicomweb", session=session)

    sent = {}
    for directory, _, names in sorted(os.walk(sent_dir)):
        for name in sorted(names):
            dataset = pydicom.dcmread(os.path.join(directory, name))
            sent[dataset.SOPInstanceUID] = dataset
    first = next(iter(sent.values()))
    study_uid = first.StudyInstanceUID

    studies = client.search_for_studies(search_filters={"PatientID": first.PatientID})
    found = [s["0020000D"]["Value"][0] for s in studies]
    if study_uid not in found:
        fail(f"search_for_studies PatientID={first.PatientID}: {found}")
    ok(f"search_for_studies found {study_uid}")

    instances = client.search_for_instances(study_instance_uid=study_uid)
    found = {i["00080018"]["Value"][0] for i in instances}
    if found != set(sent):
        fail(f"search_for_instances: {sorted(found)} != {sorted(sent)}")
    ok(f"search_for_instances found all {len(found)} instances")

    metadata = client.retrieve_study_metadata(study_uid)
    if len(metadata) != len(sent):
        fail(f"retrieve_study_metadata: {len(metadata)} instances, expected {len(sent)}")
    for attributes in metadata:
        uid = attributes["00080018"]["Value"][0]
        expected = comparable(sent[uid].to_json_dict())
        got = comparable(attributes)
        if got != expected:
            differing = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
            fail(f"metadata of {uid} differs at {differing[:5]}: got {[got.get(k) for k in differing[:2]]}, "
                 f"expected {[expected.get(k) for k in differing[:2]]}")
        pixel = attributes.get("7FE00010", {})
        if "BulkDataURI" in pixel:
            frames = client.retrieve_bulkdata(pixel["BulkDataURI"])
            if b"".join(frames) != sent[uid].PixelData:
                fail(f"BulkDataURI of {uid}'s pixel data does not resolve to its bytes")
    ok("retrieve_study_metadata equals to_json_dict; pixel data BulkDataURIs resolve")
    # The first answer was read from the files; later ones come from the index's metadata cache.
    time.sleep(1)
    if client.retrieve_study_metadata(study_uid) != metadata:
        fail("retrieve_study_metadata: a second answer differs from the first")
    ok("a second retrieve_study_metadata equals the first")

    for uid, dataset in sent.items():
        retrieved = client.retrieve_instance(study_uid, dataset.SeriesInstanceUID, uid)
        if retrieved.PixelData != dataset.PixelData:
            fail(f"retrieve_instance {uid}: pixel data differs")
        frame_length = dataset.Rows * dataset.Columns * dataset.SamplesPerPixel * dataset.BitsAllocated // 8
        frames = client.retrieve_instance_frames(study_uid, dataset.SeriesInstanceUID, uid, frame_numbers=[1])
        if frames[0] != dataset.PixelData[:frame_length]:
            fail(f"retrieve_instance_frames {uid} frame 1 differs")
    ok(f"retrieve_instance and frames: pixel data byte-equal for {len(sent)} instances")

    series_uid = first.SeriesInstanceUID
    series = client.retrieve_series(study_uid, series_uid)
    expected_series = {u for u, d in sent.items() if d.SeriesInstanceUID == series_uid}
    if {d.SOPInstanceUID for d in series} != expected_series:
        fail("retrieve_series: wrong instances")
    ok(f"retrieve_series returned its {len(series)} instances")

    stow = pydicom.dcmread(stow_file)
    response = client.store_instances([stow])
    stored_uids = [item.ReferencedSOPInstanceUID for item in response.ReferencedSOPSequence]
    if stored_uids != [stow.SOPInstanceUID]:
        fail(f"store_instances: ReferencedSOPSequence {stored_uids}")
    again = client.retrieve_instance(stow.StudyInstanceUID, stow.SeriesInstanceUID, stow.SOPInstanceUID)
    if again.PixelData != stow.PixelData:
        fail("the STOW'd instance does not come back byte-equal")
    found = client.search_for_studies(search_filters={"StudyInstanceUID": stow.StudyInstanceUID})
    if len(found) != 1:
        fail("the STOW'd study is not found by QIDO")
    ok(f"store_instances stored {stow.SOPInstanceUID}; it is found and retrieved byte-equal")

    decoded = client.retrieve_instance_frames(
        stow.StudyInstanceUID, stow.SeriesInstanceUID, stow.SOPInstanceUID, frame_numbers=[1],
        media_types=(("application/octet-stream", "1.2.840.10008.1.2.1"),))
    if decoded[0] != stow.pixel_array.tobytes():
        fail("frames of the compressed instance, decoded to 1.2.840.10008.1.2.1, differ from pydicom's decoding")
    ok("compressed frames decoded on request equal pydicom's decoding")

    # Frames without a transfer-syntax: application/octet-stream's default, Explicit VR Little
    # Endian (PS3.18 8.7.3.4), so the RLE frames come decoded.
    frames_url = (f"{url}/dicomweb/studies/{stow.StudyInstanceUID}/series/{stow.SeriesInstanceUID}"
                  f"/instances/{stow.SOPInstanceUID}/frames/1")
    response = session.get(frames_url, headers={"Accept": 'multipart/related; type="application/octet-stream"'})
    if response.status_code != 200 or b"transfer-syntax=1.2.840.10008.1.2.1\r\n" not in response.content[:400]:
        fail(f"frames without transfer-syntax: {response.status_code} {response.content[:300]!r}")
    ok("frames without a transfer-syntax come decoded (Explicit VR Little Endian)")

    # Whole instances: transcoded to Explicit VR Little Endian on request, as stored with "*",
    # 406 for a syntax the server cannot produce.
    explicit = client.retrieve_instance(stow.StudyInstanceUID, stow.SeriesInstanceUID, stow.SOPInstanceUID,
                                        media_types=(("application/dicom", "1.2.840.10008.1.2.1"),))
    if explicit.file_meta.TransferSyntaxUID != "1.2.840.10008.1.2.1":
        fail(f"retrieve_instance as 1.2.840.10008.1.2.1 came as {explicit.file_meta.TransferSyntaxUID}")
    if explicit.pixel_array.tobytes() != stow.pixel_array.tobytes() or explicit.PatientID != stow.PatientID:
        fail("the instance transcoded to Explicit VR Little Endian differs from pydicom's decoding")
    as_stored = client.retrieve_instance(stow.StudyInstanceUID, stow.SeriesInstanceUID, stow.SOPInstanceUID,
                                         media_types=(("application/dicom", "*"),))
    if as_stored.file_meta.TransferSyntaxUID != stow.file_meta.TransferSyntaxUID:
        fail(f"retrieve_instance with transfer-syntax=* came as {as_stored.file_meta.TransferSyntaxUID}")
    instance_url = frames_url.rsplit("/frames/", 1)[0]
    response = session.get(instance_url, headers={
        "Accept": 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50'})
    if response.status_code != 406:
        fail(f"retrieve_instance as JPEG Baseline: {response.status_code}, expected 406")
    response = session.get(instance_url, headers={"Accept": 'multipart/related; type="application/dicom"'})
    if response.status_code != 200 or b"transfer-syntax=1.2.840.10008.1.2.1\r\n" not in response.content[:400]:
        fail(f"retrieve_instance without transfer-syntax: {response.status_code} {response.content[:300]!r}")
    ok("retrieve_instance: transcoded to Explicit VR Little Endian (equal pixels), kept with *, 406 for JPEG Baseline")

    from PIL import Image
    png = client.retrieve_instance_rendered(study_uid, first.SeriesInstanceUID, first.SOPInstanceUID,
                                            media_types=("image/png",), params={"window": "40,400"})
    image = Image.open(io.BytesIO(png))
    if image.size != (first.Columns, first.Rows):
        fail(f"rendered PNG is {image.size}, expected {(first.Columns, first.Rows)}")
    response = session.get(f"{url}/dicomweb/studies/{study_uid}/series/{first.SeriesInstanceUID}"
                           f"/instances/{first.SOPInstanceUID}/thumbnail", headers={"Accept": "image/jpeg"})
    thumbnail = Image.open(io.BytesIO(response.content))
    if response.status_code != 200 or thumbnail.format != "JPEG" or max(thumbnail.size) > 128:
        fail(f"thumbnail: {response.status_code} {thumbnail.format} {thumbnail.size}")
    ok(f"rendered PNG {image.size}, JPEG thumbnail {thumbnail.size}")
    check_study_thumbnail(client, session, url, first, sent)


def check_study_thumbnail(client, session, url, first, sent):
    """The study's thumbnail is its first image series' (Series Number order), also once a report
    series numbered before it is stored (a data set built in memory, so sent without preamble):
    the report cannot be rendered and is passed over."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    study_uid = first.StudyInstanceUID
    first_series = min(sent.values(), key=lambda d: int(d.SeriesNumber)).SeriesInstanceUID
    expected = session.get(f"{url}/dicomweb/studies/{study_uid}/series/{first_series}/thumbnail")
    if expected.status_code != 200:
        fail(f"series thumbnail: {expected.status_code}")
    for when in ("images only", "after a report series numbered 0"):
        response = session.get(f"{url}/dicomweb/studies/{study_uid}/thumbnail", headers={"Accept": "image/jpeg"})
        if response.status_code != 200 or response.headers.get("Content-Type") != "image/jpeg":
            fail(f"study thumbnail ({when}): {response.status_code} {response.headers.get('Content-Type')}")
        if response.content != expected.content:
            fail(f"study thumbnail ({when}) is not the first image series' thumbnail")
        if when == "images only":
            # Built in memory: dicomweb-client sends it with its meta information but without the
            # preamble and DICM prefix, which the server must accept.
            report = Dataset()
            report.file_meta = FileMetaDataset()
            report.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"  # Basic Text SR
            report.file_meta.MediaStorageSOPInstanceUID = generate_uid()
            report.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
            report.SOPClassUID = report.file_meta.MediaStorageSOPClassUID
            report.SOPInstanceUID = report.file_meta.MediaStorageSOPInstanceUID
            for keyword in ("PatientName", "PatientID", "StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber"):
                if keyword in first:
                    setattr(report, keyword, getattr(first, keyword))
            report.SeriesInstanceUID, report.SeriesNumber, report.Modality = generate_uid(), 0, "SR"
            report.InstanceNumber, report.ValueType, report.ContentSequence = 1, "CONTAINER", []
            client.store_instances([report])
    ok("study thumbnail: the first image series', a report series numbered before it passed over")


if __name__ == "__main__":
    main()
