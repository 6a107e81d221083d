#!/usr/bin/env python3
"""Writes a Claude Code session corpus holding exactly ROWS usage records, for the team benchmark's
agentsview peer (`agentsview pg push`): one project per repository under REPOS_DIR (its cwd, as the
rollup's repositories hold the same count of usage events), laid out as Claude Code lays out its data,

  OUT/<cwd with every non-alphanumeric character as '-'>/<session id>.jsonl

each session one user prompt then up to 100 assistant messages chained by uuid/parentUuid, every one
with its own message.id and requestId, a model and message.usage (input, output, cache write and cache
read tokens). ROWS are shared out evenly over the projects. OUT/expected.json (written last: its presence
means the corpus is whole) counts the projects, sessions, messages and usage records written.

usage: make-claude-corpus.py OUT REPOS_DIR ROWS [SEED]
"""
import json
import os
import random
import re
import sys
import uuid

out, repos_dir, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
PER_SESSION = 100
MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"]
STEPS = ["Read", "Edit", "Grep", "Bash", "Write"]

repos_dir = os.path.abspath(repos_dir)
projects = sorted(os.path.join(repos_dir, name) for name in os.listdir(repos_dir)
                  if os.path.isdir(os.path.join(repos_dir, name, ".git")))
if not projects:
    sys.exit(f"make-claude-corpus: no repositories under {repos_dir}")


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stamp(seconds):
    # Seconds since 2026-01-01T00:00:00Z, within the year (months of 28 days keep it simple).
    day, second = seconds // 86400 % 336, seconds % 86400
    return "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        1 + day // 28, 1 + day % 28, second // 3600, second // 60 % 60, second % 60, rng.randrange(1000))


def write(handle, record):
    handle.write(json.dumps(record, separators=(",", ":")) + "\n")


sessions = messages = usage = 0
for index, cwd in enumerate(projects):
    share = rows // len(projects) + (1 if index < rows % len(projects) else 0)
    folder = os.path.join(out, re.sub(r"[^A-Za-z0-9]", "-", cwd))
    os.makedirs(folder, exist_ok=True)
    while share > 0:
        count = min(PER_SESSION, share)
        share -= count
        sessions += 1
        session = uid()
        common = {"isSidechain": False, "userType": "external", "cwd": cwd, "sessionId": session,
                  "version": "2.0.37", "gitBranch": "main"}
        clock = rng.randrange(336 * 86400 - 86400)
        with open(os.path.join(folder, session + ".jsonl"), "w") as handle:
            parent = uid()
            write(handle, dict({"parentUuid": None}, **common, type="user", uuid=parent, timestamp=stamp(clock),
                               message={"role": "user", "content": "Fix the failing test in module %d" % index}))
            messages += 1
            for step in range(count):
                clock += rng.randrange(2, 90)
                record = uid()
                cache_read = rng.randrange(0, 120000)
                cache_write = rng.randrange(0, 8000)
                write(handle, dict({"parentUuid": parent}, **common, type="assistant", uuid=record, timestamp=stamp(clock),
                                   requestId="req_011C" + uid().replace("-", "")[:20],
                                   message={
                                       "id": "msg_01" + uid().replace("-", "")[:22], "type": "message",
                                       "role": "assistant", "model": rng.choice(MODELS),
                                       "content": [{"type": "text", "text": "%s step %d done: src/file%d.swift" % (
                                           rng.choice(STEPS), step, rng.randrange(500))}],
                                       "stop_reason": "end_turn", "stop_sequence": None,
                                       "usage": {"input_tokens": rng.randrange(1, 4000),
                                                 "cache_creation_input_tokens": cache_write,
                                                 "cache_read_input_tokens": cache_read,
                                                 "cache_creation": {"ephemeral_5m_input_tokens": cache_write,
                                                                    "ephemeral_1h_input_tokens": 0},
                                                 "output_tokens": rng.randrange(20, 3000),
                                                 "service_tier": "standard"}}))
                parent = record
                messages += 1
                usage += 1

with open(os.path.join(out, "expected.json"), "w") as handle:
    json.dump({"projects": len(projects), "sessions": sessions, "messages": messages, "usage": usage}, handle)
    handle.write("\n")
print(f"{len(projects)} projects, {sessions} sessions, {messages} messages, {usage} usage records")
