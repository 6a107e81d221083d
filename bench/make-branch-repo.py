#!/usr/bin/env python3
"""Writes a repository whose branch feature/big holds N conventional commits on top of main (each
touching a file, some with a body), through git fast-import; with EVENTS_PER_NOTE, each of those commits
also carries a usage note (refs/notes/octo/usage) of that many events.

usage: make-branch-repo.py DIR COMMITS [EVENTS_PER_NOTE]
"""
import sys

import benchrepo

directory, commits = sys.argv[1], int(sys.argv[2])
per_note = int(sys.argv[3]) if len(sys.argv) > 3 else 0
benchrepo.init(directory)

kinds = [("feat", "billing", "add export step"), ("fix", "parser", "handle empty line"),
         ("docs", None, "explain the export"), ("refactor", "store", "split the writer"),
         ("perf", "import", "read files on every core"), ("test", None, "cover the slug rules")]
out = []
base = 1_790_000_000
content = b"base\n"
out.append(b"blob\nmark :1\ndata %d\n%s\n" % (len(content), content))
out.append(b"commit refs/heads/main\nmark :2\ncommitter Bench <bench@example.com> %d +0000\ndata 5\nbase\nM 100644 :1 README.md\n\n" % base)
previous = 2
mark = 3
for number in range(1, commits + 1):
    kind, scope, text = kinds[number % len(kinds)]
    subject = f"{kind}({scope}): {text} {number}" if scope else f"{kind}: {text} {number}"
    body = f"\n\nStep {number} of the big change.\nIt keeps the old behaviour behind a flag." if number % 3 == 0 else ""
    message = (subject + body + "\n").encode()
    data = (f"line {number}\n" * (1 + number % 7)).encode()
    out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
    out.append(b"commit refs/heads/feature/big\nmark :%d\n" % (mark + 1))
    out.append(b"committer Bench <bench@example.com> %d +0000\n" % (base + number * 60))
    out.append(b"data %d\n%s" % (len(message), message))
    out.append(b"from :%d\n" % previous)
    out.append(b"M 100644 :%d src/module-%d/file-%d.txt\n\n" % (mark, number % 20, number))
    previous = mark + 1
    mark += 2
if per_note:
    # One commit on the notes ref adding every note (the feature commits are marks 4, 6, 8, ...).
    out.append(b"commit refs/notes/octo/usage\ncommitter Bench <bench@example.com> %d +0000\ndata 6\nnotes\n"
               % (base + (commits + 1) * 60))
    for number in range(1, commits + 1):
        lines = []
        for event in range(per_note):
            lines.append(
                '{"agent":"claude-code","at":"2026-10-%02dT10:%02d:00.000Z","branch":"feature/big","cost":0.0693,'
                '"cr":30000,"cw1h":5000,"cw5m":0,"id":"branch-%d-%d","in":100,"machine":"bench",'
                '"model":"claude-sonnet-4-5","out":2000,"prices":"builtin:bench","user":"bench@example.com","v":1}'
                % (number % 28 + 1, event % 60, number, event))
        text = ("\n".join(lines) + "\n").encode()
        out.append(b"N inline :%d\ndata %d\n%s\n" % (2 + number * 2, len(text), text))
    out.append(b"\n")
benchrepo.fast_import(directory, b"".join(out), "feature/big")
