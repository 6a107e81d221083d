#!/usr/bin/env python3
"""Writes a repository of N commits, each carrying a usage note (refs/notes/octo/usage), through
git fast-import: the notes tree gets git's own fan-out, as a long-lived repository's would.

usage: make-notes-repo.py DIR COMMITS [EVENTS_PER_NOTE]
"""
import os
import sys

import benchrepo

directory, commits = sys.argv[1], int(sys.argv[2])
per_note = int(sys.argv[3]) if len(sys.argv) > 3 else 2
benchrepo.init(directory)

models = [("claude-sonnet-4-5", "0.0693"), ("claude-opus-4-5", "0.1155"), ("gpt-5", "0.0065")]
# Event ids are unique across repositories, as agents' request ids are (the rollup counts each id once).
prefix = os.path.basename(os.path.normpath(directory))
out = []
base = 1_790_000_000
for number in range(1, commits + 1):
    when = base + number * 60
    content = f"line {number}\n".encode()
    message = f"commit {number}\n".encode()
    out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (number * 2, len(content), content))
    out.append(b"commit refs/heads/main\nmark :%d\n" % (number * 2 + 1))
    out.append(b"committer Bench <bench@example.com> %d +0000\n" % when)
    out.append(b"data %d\n%s" % (len(message), message))
    if number > 1:
        out.append(b"from :%d\n" % (number * 2 - 1))
    out.append(b"M 100644 :%d file-%d.txt\n\n" % (number * 2, number % 500))

# One commit on the notes ref adding every note.
out.append(b"commit refs/notes/octo/usage\ncommitter Bench <bench@example.com> %d +0000\ndata 6\nnotes\n" % (base + commits * 60 + 60))
for number in range(1, commits + 1):
    lines = []
    for event in range(per_note):
        model, cost = models[(number + event) % len(models)]
        stamp = f"2026-{(number % 12) + 1:02d}-{(number % 28) + 1:02d}T10:{event % 60:02d}:00.000Z"
        lines.append(
            '{"agent":"claude-code","at":"%s","branch":"main","cost":%s,"cr":30000,"cw1h":5000,"cw5m":0,'
            '"id":"bench-%s-%d-%d","in":100,"machine":"bench","model":"%s","out":2000,"prices":"builtin:bench",'
            '"user":"bench@example.com","v":1}' % (stamp, cost, prefix, number, event, model))
    text = ("\n".join(lines) + "\n").encode()
    out.append(b"N inline :%d\ndata %d\n%s\n" % (number * 2 + 1, len(text), text))
out.append(b"\n")
benchrepo.fast_import(directory, b"".join(out), "main")
