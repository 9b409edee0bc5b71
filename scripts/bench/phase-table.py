#!/usr/bin/env python3
"""Prints dcmrecv's per-phase timings as a table: reads the JSON log lines `ingest phase` that
`dcmrecv --phase-stats --log-format json` writes on stopping (one set of lines per run), and
prints each phase's p50 and p90 per instance, the median over the runs, in the order logged.
Usage: phase-table.py LOG"""
import json
import statistics
import sys

phases = {}
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") != "ingest phase":
            continue
        phase = phases.setdefault(entry["phase"], {"p50": [], "p90": [], "instances": []})
        phase["p50"].append(float(entry["p50_ms"]))
        phase["p90"].append(float(entry["p90_ms"]))
        phase["instances"].append(int(entry["instances"]))

if not phases:
    print("  (no phase timings logged)")
print(f"  {'phase':<16}{'p50':>10}{'p90':>10}{'instances':>11}")
for name, phase in phases.items():
    print(f"  {name:<16}{statistics.median(phase['p50']):>10.3f}{statistics.median(phase['p90']):>10.3f}"
          f"{statistics.median(phase['instances']):>11.0f}")
