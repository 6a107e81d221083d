#!/usr/bin/env python3
"""Writes the usage events of every repository under DIR (their refs/notes/octo/usage) as CSV rows in the
column order of the team ledger's octo.events, one row per event id: what `psql \\copy` loads in the team
benchmark as the floor of `octo-git team push`.

usage: team-csv.py REPOS_DIR OUT.csv
"""
import csv
import json
import os
import socket
import subprocess
import sys

COLUMNS = ["event_id", "at", "project", "model", "model_raw", "agent", "session", "user_name", "machine",
           "branch", "feature", "commit", "tin", "tout", "cw5m", "cw1h", "cr", "cost", "prices",
           "pushed_by", "pushed_from"]

repos_dir, out_path = sys.argv[1], sys.argv[2]
env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
host = socket.gethostname()
seen = set()
rows = 0
with open(out_path + ".tmp", "w", newline="") as handle:
    writer = csv.writer(handle)
    for name in sorted(os.listdir(repos_dir)):
        repo = os.path.join(repos_dir, name)
        if not os.path.isdir(os.path.join(repo, ".git")):
            continue
        listing = subprocess.run(["git", "-C", repo, "notes", "--ref=octo/usage", "list"],
                                 capture_output=True, check=True, env=env).stdout.split()
        blobs, commits = listing[0::2], listing[1::2]
        batch = subprocess.run(["git", "-C", repo, "cat-file", "--batch"], input=b"\n".join(blobs) + b"\n",
                               capture_output=True, check=True, env=env).stdout
        position = 0
        for commit in commits:
            header_end = batch.index(b"\n", position)
            size = int(batch[position:header_end].split()[2])
            body = batch[header_end + 1:header_end + 1 + size]
            position = header_end + 1 + size + 1
            for line in body.splitlines():
                if not line.strip():
                    continue
                event = json.loads(line)
                if event["id"] in seen:
                    continue
                seen.add(event["id"])
                writer.writerow([
                    event["id"], event["at"], repo, event["model"], event["model"], event.get("agent"),
                    event.get("session"), event.get("user"), event.get("machine"), event.get("branch"),
                    event.get("feature"), commit.decode(), event.get("in", 0), event.get("out", 0),
                    event.get("cw5m", 0), event.get("cw1h", 0), event.get("cr", 0), event.get("cost"),
                    event.get("prices"), "bench@example.com", host])
                rows += 1
os.replace(out_path + ".tmp", out_path)
print(rows)
