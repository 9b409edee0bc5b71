"""Worklist: a study sent with DCMTK's storescu while the page is open appears without a reload
(marked as still arriving); text filter, status filter and sort; the reading status goes unread →
in progress → (take-over, confirmed) → read, and another radiologist's browser sees each step.

Parameters: dicom_port (dcmrecv's port), send_dir (the new study's files; patient WL-NEW,
"Browser^New"), screenshot (optional PNG path of the worklist at the end).
"""
import subprocess
from pathlib import Path

NEW = "WL-NEW"
OLD = "WEB-1"
POLL_MS = 15_000  # the page refreshes every 5 s


def row(page, patient_id):
    return page.locator("tbody tr", has=page.locator("td.patientID", has_text=patient_id))


def ids(page):
    return page.locator("tbody td.patientID").all_inner_texts()


def run(session):
    rad = session.new_page()
    session.sign_in(rad, "rad")
    rad.wait_for_selector("tbody tr")
    session.check(ids(rad) == [OLD], f"the worklist lists the archived study ({ids(rad)})")
    session.check(rad.locator("thead th[aria-sort='descending']").inner_text().strip() == "Arrived",
                  "newest arrivals first by default")

    # Sent now, while the page is open: it must appear without a reload.
    rad.evaluate("() => { window.stillTheSamePage = true; }")
    files = sorted(str(p) for p in Path(session.parameters["send_dir"]).rglob("*") if p.is_file())
    sent = subprocess.run(["/usr/bin/storescu", "-aec", "TANDEM", "127.0.0.1", session.parameters["dicom_port"], *files],
                          capture_output=True, text=True, timeout=120)
    session.check(sent.returncode == 0, f"storescu sent the new study ({sent.stderr.strip()[:200]})")
    row(rad, NEW).wait_for(timeout=POLL_MS)
    session.check(rad.evaluate("() => window.stillTheSamePage === true"), "the new study appeared without a reload")
    session.check(ids(rad)[0] == NEW, "the new study is at the top (newest arrival)")
    session.check(row(rad, NEW).locator(".badge.arriving").count() == 1, "the new study is marked as still arriving")
    session.check(row(rad, NEW).locator("td.series").inner_text() == "1"
                  and row(rad, NEW).locator("td.instances").inner_text() == "2",
                  "series and image counts of the new study")
    session.check("Browser, New" in row(rad, NEW).inner_text(), "the patient name is shown as Family, Given")

    # Text filter (name with a folded accent, then an ID prefix), then sort by patient name.
    rad.fill("input[name=q]", "strö")
    rad.wait_for_function("() => [...document.querySelectorAll('tbody td.patientID')].map(e => e.textContent).join() === 'WEB-1'")
    session.check(ids(rad) == [OLD], "searching a name part finds only that patient")
    rad.fill("input[name=q]", "wl-n")
    rad.wait_for_function("() => [...document.querySelectorAll('tbody td.patientID')].map(e => e.textContent).join() === 'WL-NEW'")
    session.check(ids(rad) == [NEW], "searching an ID prefix finds only that patient")
    rad.fill("input[name=q]", "")
    rad.wait_for_function("() => document.querySelectorAll('tbody tr').length === 2")
    rad.click("thead th[data-key=patientName] button")
    rad.wait_for_selector("thead th[data-key=patientName][aria-sort=ascending]")
    session.check(ids(rad) == [NEW, OLD], f"sorted by patient name, A to Z ({ids(rad)})")
    rad.click("thead th[data-key=patientName] button")
    rad.wait_for_selector("thead th[data-key=patientName][aria-sort=descending]")
    session.check(ids(rad) == [OLD, NEW], f"and Z to A ({ids(rad)})")

    # Reading status, seen by a second radiologist in another browser context.
    rad2 = session.new_page()
    session.sign_in(rad2, "rad2")
    row(rad2, NEW).wait_for()
    session.check(row(rad2, NEW).locator(".badge.unread").count() == 1, "the new study starts unread")
    row(rad, NEW).locator("button[data-action=claim]").click()
    row(rad, NEW).locator(".badge.in-progress").wait_for()
    session.check("you" in row(rad, NEW).locator("td.status").inner_text(), "the reader sees the study in progress by them")
    row(rad2, NEW).locator(".badge.in-progress").wait_for(timeout=POLL_MS)
    session.check("rad" in row(rad2, NEW).locator("td.status").inner_text(),
                  "the other radiologist sees it in progress by rad, without a reload")
    session.check(row(rad2, NEW).locator("button[data-action=claim]").count() == 0,
                  "and cannot simply start reading it")

    # Take-over needs a confirmation: declined, nothing changes; confirmed, it is rad2's.
    row(rad2, NEW).locator("button[data-action=take-over]").click()
    rad2.wait_for_selector("dialog[open]")
    session.check("rad is reading" in rad2.inner_text("dialog[open]"), "take-over asks for confirmation naming the reader")
    rad2.click("dialog[open] button[value=cancel]")
    rad2.wait_for_timeout(500)
    session.check("rad" in row(rad2, NEW).locator("td.status").inner_text()
                  and row(rad2, NEW).locator("button[data-action=take-over]").count() == 1,
                  "declining leaves the study with rad")
    row(rad2, NEW).locator("button[data-action=take-over]").click()
    rad2.click("dialog[open] button[value=confirm]")
    rad2.wait_for_function("""() => [...document.querySelectorAll('tbody tr')].some(
        r => r.textContent.includes('WL-NEW') && r.querySelector('td.status').textContent.includes('you'))""")
    session.check(True, "confirmed, the study is in progress by rad2")
    rad.wait_for_function("""() => [...document.querySelectorAll('tbody tr')].some(
        r => r.textContent.includes('WL-NEW') && r.querySelector('td.status').textContent.includes('rad2'))""",
                          timeout=POLL_MS)
    session.check(True, "rad sees that rad2 took it over")

    row(rad2, NEW).locator("button[data-action=read]").click()
    row(rad2, NEW).locator(".badge.read").wait_for()
    row(rad, NEW).locator(".badge.read").wait_for(timeout=POLL_MS)
    session.check("rad2" in row(rad, NEW).locator("td.status").inner_text(), "rad sees the study read by rad2")

    rad.select_option("select[name=status]", "read")
    rad.wait_for_function("() => [...document.querySelectorAll('tbody td.patientID')].map(e => e.textContent).join() === 'WL-NEW'")
    session.check(ids(rad) == [NEW], "the status filter shows only read studies")
    rad.select_option("select[name=status]", "unread,in-progress")
    rad.wait_for_function("() => [...document.querySelectorAll('tbody td.patientID')].map(e => e.textContent).join() === 'WEB-1'")
    session.check(ids(rad) == [OLD], "'to read' leaves the read study out")
    rad.reload()
    rad.wait_for_selector("tbody tr")
    session.check(rad.input_value("select[name=status]") == "unread,in-progress" and ids(rad) == [OLD],
                  "the filter survives a reload (it lives in the address)")

    # Keyboard: "/" focuses the search box.
    rad.locator("tbody tr").first.focus()
    rad.keyboard.press("/")
    session.check(rad.evaluate("() => document.activeElement.name") == "q", "'/' jumps to the search box")

    if session.parameters.get("screenshot"):
        rad.select_option("select[name=status]", "")
        rad.wait_for_function("() => document.querySelectorAll('tbody tr').length === 2")
        rad.screenshot(path=session.parameters["screenshot"])
