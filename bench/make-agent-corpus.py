#!/usr/bin/env python3
"""Writes a corpus of agent session files under a home folder, laid out as each agent lays out its data,
for the agents benchmark (`octo-git usage import all --dir HOME`):

  HOME/.gemini/tmp/<project>/chats/session-*.jsonl       Gemini CLI (each message written twice, $set lines)
  HOME/.qwen/projects/<project>/chats/<session>.jsonl    Qwen Code (each call as telemetry and as a turn)
  HOME/.copilot/session-state/<uuid>/events.jsonl        GitHub Copilot CLI (runs ended by a shutdown)
  HOME/.local/share/opencode/opencode.db                 OpenCode (SQLite: project, session, message, part;
                                                         the last sessions' rows only in its write-ahead log)
  HOME/.local/share/opencode/storage/message/<session>/<message>.json
                                                         OpenCode's older files (some sessions also in the db)
  HOME/.local/share/kilo/kilo.db                         Kilo CLI (OpenCode's schema)
  HOME/.config/Code/User/globalStorage/saoudrizwan.claude-dev/
      tasks/<task id>/ui_messages.json, task_metadata.json
      state/taskHistory.json                             Cline in VS Code (the history gives each task's cwd)

every session made in REPO (its cwd), about MEGABYTES in all, a sixth per agent (OpenCode's split between
its database and its older files). It also writes HOME/expected.json: the requests and token totals by
class that a correct import finds, counted here from what was written (the generator's count): Gemini
in = input - cached + tool, out = output + thoughts, cr = cached; Qwen in = prompt - cached,
out = candidates (thoughts inside), cr = cached, each call once; Copilot per run and model
in = input - cache reads - cache writes, out = output, cr = cache reads, cw = cache writes; OpenCode and
Kilo per assistant message (once, whether in the database, in a file or both; none for a message still
streaming, its tokens all zero) in = input, out = output + reasoning, cr = cache.read, cw = cache.write;
Cline per api_req_started entry that has its counts, in tasks the history places (one task in 25 is left
out of it, and so out of the count) in = tokensIn, out = tokensOut, cr = cacheReads, cw = cacheWrites.

usage: make-agent-corpus.py HOME REPO MEGABYTES [SEED]
"""
import calendar
import json
import os
import random
import shutil
import sqlite3
import string
import sys
import uuid

home, repo, megabytes = sys.argv[1], sys.argv[2], float(sys.argv[3])
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
AGENTS = ("gemini", "qwen", "copilot", "opencode", "kilo", "cline")
share = int(megabytes * 1024 * 1024 / len(AGENTS))
WORDS = ("the parser reads each line once and keeps only what the report needs so a large transcript costs "
         "what it holds and nothing more while the tests cover every branch of the state machine").split()
totals = {agent: {"requests": 0, "in": 0, "out": 0, "cr": 0, "cw": 0} for agent in AGENTS}


def text(size):
    words = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def stamp(day, second):
    return "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        1 + day // 28 % 12, 1 + day % 28, 8 + second // 3600 % 12, second // 60 % 60, second % 60, rng.randrange(1000))


def line(handle, record):
    data = json.dumps(record, separators=(",", ":")) + "\n"
    handle.write(data)
    return len(data)


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def gemini():
    project = os.path.join(home, ".gemini", "tmp", "bench-project")
    os.makedirs(os.path.join(project, "chats"), exist_ok=True)
    with open(os.path.join(project, ".project_root"), "w") as handle:
        handle.write(repo + "\n")
    written = session_number = 0
    while written < share:
        session_number += 1
        session = uid()
        day, second = rng.randrange(330), rng.randrange(20000)
        path = os.path.join(project, "chats", "session-%s-%s.jsonl" % (stamp(day, second)[:16].replace(":", "-"), session[:8]))
        with open(path, "w") as handle:
            written += line(handle, {"sessionId": session, "projectHash": "0" * 64, "startTime": stamp(day, second),
                                     "lastUpdated": stamp(day, second)})
            for turn in range(rng.randrange(20, 60)):
                second += rng.randrange(5, 120)
                written += line(handle, {"id": uid(), "timestamp": stamp(day, second), "type": "user",
                                         "content": [{"text": text(rng.randrange(100, 800))}]})
                model = rng.choice(["gemini-2.5-pro", "gemini-2.5-flash", "gemini-3-pro-preview"])
                message_id = uid()
                cached = rng.randrange(0, 60000)
                tokens = {"input": cached + rng.randrange(100, 8000), "output": rng.randrange(50, 3000),
                          "cached": cached, "thoughts": rng.randrange(0, 800), "tool": 0}
                tokens["total"] = tokens["input"] + tokens["output"] + tokens["thoughts"]
                message = {"id": message_id, "timestamp": stamp(day, second), "type": "gemini",
                           "content": text(rng.randrange(500, 4000)), "thoughts": [], "model": model}
                # Written as it streams (no tokens yet), then again with its tokens and tool calls.
                written += line(handle, dict(message, content="", tokens=None))
                written += line(handle, dict(message, tokens=tokens, toolCalls=[
                    {"id": uid(), "name": "read_file", "args": {"absolute_path": repo + "/src/file%d.swift" % turn},
                     "status": "success", "timestamp": stamp(day, second),
                     "resultDisplay": text(rng.randrange(200, 2000))}]))
                written += line(handle, {"$set": {"lastUpdated": stamp(day, second)}})
                count = totals["gemini"]
                count["requests"] += 1
                count["in"] += tokens["input"] - tokens["cached"] + tokens["tool"]
                count["out"] += tokens["output"] + tokens["thoughts"]
                count["cr"] += tokens["cached"]
    return session_number


def qwen():
    chats = os.path.join(home, ".qwen", "projects", "-bench-project", "chats")
    os.makedirs(chats, exist_ok=True)
    written = session_number = 0
    while written < share:
        session_number += 1
        session = uid()
        day, second = rng.randrange(330), rng.randrange(20000)
        common = {"sessionId": session, "cwd": repo, "version": "0.6.0", "gitBranch": "main"}
        parent = None
        with open(os.path.join(chats, session + ".jsonl"), "w") as handle:
            for turn in range(rng.randrange(20, 60)):
                second += rng.randrange(5, 120)
                record = uid()
                written += line(handle, dict(common, uuid=record, parentUuid=parent, timestamp=stamp(day, second),
                                             type="user", message={"role": "user", "parts": [{"text": text(rng.randrange(100, 800))}]}))
                parent = record
                model = rng.choice(["qwen3-coder-480b-a35b-instruct", "qwen3-coder-30b-a3b-instruct"])
                cached = rng.randrange(0, 60000)
                prompt = cached + rng.randrange(100, 8000)
                candidates = rng.randrange(50, 3000)
                thoughts = rng.randrange(0, candidates)
                record = uid()
                written += line(handle, dict(common, uuid=record, parentUuid=parent, timestamp=stamp(day, second),
                                             type="system", subtype="ui_telemetry", systemPayload={"uiEvent": {
                                                 "event.name": "qwen-code.api_response", "event.timestamp": stamp(day, second),
                                                 "response_id": uid(), "model": model, "status_code": 200,
                                                 "duration_ms": rng.randrange(300, 9000), "input_token_count": prompt,
                                                 "output_token_count": candidates, "cached_content_token_count": cached,
                                                 "thoughts_token_count": thoughts, "total_token_count": prompt + candidates,
                                                 "prompt_id": uid()}}))
                parent = record
                record = uid()
                written += line(handle, dict(common, uuid=record, parentUuid=parent, timestamp=stamp(day, second),
                                             type="assistant", model=model,
                                             message={"role": "model", "parts": [{"text": text(rng.randrange(500, 4000))}]},
                                             usageMetadata={"promptTokenCount": prompt, "candidatesTokenCount": candidates,
                                                            "cachedContentTokenCount": cached, "thoughtsTokenCount": thoughts,
                                                            "totalTokenCount": prompt + candidates}))
                parent = record
                record = uid()
                written += line(handle, dict(common, uuid=record, parentUuid=parent, timestamp=stamp(day, second),
                                             type="tool_result", message={"role": "user", "parts": [{"functionResponse": {
                                                 "name": "read_file", "response": {"output": text(rng.randrange(200, 2000))}}}]}))
                parent = record
                count = totals["qwen"]
                count["requests"] += 1
                count["in"] += prompt - cached
                count["out"] += max(candidates, thoughts)
                count["cr"] += cached
    return session_number


def copilot():
    state = os.path.join(home, ".copilot", "session-state")
    written = session_number = 0
    while written < share:
        session_number += 1
        session = uid()
        os.makedirs(os.path.join(state, session), exist_ok=True)
        day, second = rng.randrange(330), rng.randrange(20000)
        parent = None
        with open(os.path.join(state, session, "events.jsonl"), "w") as handle:
            def event(kind, data):
                nonlocal parent
                identifier = uid()
                size = line(handle, {"type": kind, "data": data, "id": identifier, "timestamp": stamp(day, second),
                                     "parentId": parent})
                parent = identifier
                return size
            for run in range(rng.randrange(1, 4)):
                context = {"cwd": repo, "gitRoot": repo, "branch": "main", "repository": "acme/bench"}
                if run == 0:
                    written += event("session.start", {"sessionId": session, "version": 1, "producer": "copilot-agent",
                                                       "copilotVersion": "1.0.70", "startTime": stamp(day, second),
                                                       "selectedModel": "claude-sonnet-4.5", "context": context})
                else:
                    second += rng.randrange(600, 7200)
                    written += event("session.resume", {"resumeTime": stamp(day, second), "context": context})
                metrics = {}
                for turn in range(rng.randrange(15, 45)):
                    second += rng.randrange(5, 120)
                    written += event("user.message", {"content": text(rng.randrange(100, 800))})
                    written += event("assistant.message", {"messageId": uid(), "content": text(rng.randrange(500, 4000)),
                                                           "outputTokens": rng.randrange(50, 3000)})
                    written += event("tool.execution_complete", {"toolCallId": uid(), "success": True,
                                                                 "result": {"content": text(rng.randrange(200, 2000))}})
                    model = rng.choice(["claude-sonnet-4.5", "gpt-5.4-mini"])
                    usage = metrics.setdefault(model, {"requests": {"count": 0, "cost": 0}, "usage": {
                        "inputTokens": 0, "outputTokens": 0, "cacheReadTokens": 0, "cacheWriteTokens": 0, "reasoningTokens": 0}})
                    reads, writes = rng.randrange(0, 60000), rng.randrange(0, 4000)
                    usage["requests"]["count"] += 1
                    usage["requests"]["cost"] += 1
                    usage["usage"]["inputTokens"] += reads + writes + rng.randrange(100, 8000)
                    usage["usage"]["outputTokens"] += rng.randrange(50, 3000)
                    usage["usage"]["cacheReadTokens"] += reads
                    usage["usage"]["cacheWriteTokens"] += writes
                second += 5
                written += event("session.shutdown", {"shutdownType": "routine",
                                                      "totalPremiumRequests": sum(m["requests"]["count"] for m in metrics.values()),
                                                      "modelMetrics": metrics, "currentModel": "claude-sonnet-4.5"})
                for usage in metrics.values():
                    count = totals["copilot"]
                    count["requests"] += 1
                    numbers = usage["usage"]
                    count["in"] += numbers["inputTokens"] - numbers["cacheReadTokens"] - numbers["cacheWriteTokens"]
                    count["out"] += numbers["outputTokens"]
                    count["cr"] += numbers["cacheReadTokens"]
                    count["cw"] += numbers["cacheWriteTokens"]
    return session_number


def millis(day, second):
    """The time `stamp` writes, in milliseconds since the epoch (OpenCode's and Cline's times)."""
    return calendar.timegm((2026, 1 + day // 28 % 12, 1 + day % 28, 8 + second // 3600 % 12, second // 60 % 60,
                            second % 60)) * 1000 + rng.randrange(1000)


ALPHANUMERIC = string.ascii_letters + string.digits


def opencode_id(prefix, at):
    """An id shaped like OpenCode's: a prefix, the time in hex, random letters."""
    return "%s_%012x%s" % (prefix, at, "".join(rng.choice(ALPHANUMERIC) for _ in range(14)))


def compact(record):
    return json.dumps(record, separators=(",", ":"))


OPENCODE_SCHEMA = """
CREATE TABLE project (id TEXT PRIMARY KEY, worktree TEXT NOT NULL, vcs TEXT, name TEXT, icon_url TEXT,
  icon_color TEXT, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, time_initialized INTEGER,
  sandboxes TEXT NOT NULL DEFAULT '[]');
CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  parent_id TEXT, slug TEXT NOT NULL, directory TEXT NOT NULL, title TEXT NOT NULL, version TEXT NOT NULL,
  share_url TEXT, summary_additions INTEGER, summary_deletions INTEGER, summary_files INTEGER,
  summary_diffs TEXT, revert TEXT, permission TEXT, time_created INTEGER NOT NULL,
  time_updated INTEGER NOT NULL, time_compacting INTEGER, time_archived INTEGER);
CREATE INDEX session_project_idx ON session (project_id);
CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX message_session_idx ON message (session_id);
CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL REFERENCES message(id) ON DELETE CASCADE,
  session_id TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX part_message_idx ON part (message_id);
CREATE INDEX part_session_idx ON part (session_id);
"""


def opencode_session(agent, flavor, project, database=None, legacy=None):
    """One session of OpenCode's schema: written to `database` (rows) and/or, as OpenCode's older versions
    did, to `legacy` (storage/message/<session>/<message>.json, a message with its id and session).
    Returns the bytes written to files; counts its requests once."""
    day, second = rng.randrange(330), rng.randrange(20000)
    begun = millis(day, second)
    session = opencode_id("ses", begun)
    messages, parts = [], []
    turns = rng.randrange(8, 30)
    updated = begun
    for turn in range(turns):
        second += rng.randrange(30, 240)
        at = max(millis(day, second), updated + 1)
        model = rng.choice(flavor["models"])
        user = opencode_id("msg", at)
        messages.append((user, at, at, {"role": "user", "time": {"created": at}, "agent": flavor["agent"],
                                        "model": {"providerID": flavor["provider"], "modelID": model}}))
        parts.append((opencode_id("prt", at), user, at, at, {"type": "text", "text": text(rng.randrange(100, 800))}))
        steps = rng.randrange(1, 4)
        for step in range(steps):
            at += rng.randrange(500, 20000)
            done = at + rng.randrange(500, 30000)
            updated = done
            assistant = opencode_id("msg", at)
            # OpenCode writes an assistant message when its step starts, its tokens all zero, and again when
            # it ends: the last step of some sessions is still streaming.
            streaming = turn == turns - 1 and step == steps - 1 and rng.random() < 0.2
            if streaming:
                tokens = {"input": 0, "output": 0, "reasoning": 0, "cache": {"read": 0, "write": 0}}
            else:
                tokens = {"input": rng.randrange(20, 8000), "output": rng.randrange(50, 3000),
                          "reasoning": rng.randrange(0, 1500) if rng.random() < 0.4 else 0,
                          "cache": {"read": rng.randrange(0, 80000), "write": rng.randrange(0, 6000)}}
            cost = round((tokens["input"] * 3 + (tokens["output"] + tokens["reasoning"]) * 15
                          + tokens["cache"]["read"] * 0.3 + tokens["cache"]["write"] * 3.75) / 1e6, 8)
            finish = "stop" if step == steps - 1 else "tool-calls"
            data = {"role": "assistant", "time": {"created": at} if streaming else {"created": at, "completed": done},
                    "parentID": user, "modelID": model, "providerID": flavor["provider"], "mode": flavor["agent"],
                    "agent": flavor["agent"], "path": {"cwd": repo, "root": repo}, "cost": 0 if streaming else cost,
                    "tokens": tokens}
            if not streaming:
                data["finish"] = finish
            messages.append((assistant, at, done, data))
            snapshot = "%040x" % rng.getrandbits(160)
            parts.append((opencode_id("prt", at), assistant, at, at, {"type": "step-start", "snapshot": snapshot}))
            if tokens["reasoning"]:
                parts.append((opencode_id("prt", at), assistant, at, done, {
                    "type": "reasoning", "text": text(rng.randrange(200, 1500)), "time": {"start": at, "end": done}}))
            parts.append((opencode_id("prt", at), assistant, at, done, {
                "type": "text", "text": text(rng.randrange(300, 3000)), "time": {"start": at, "end": done}}))
            if finish == "tool-calls":
                path = "src/file%d.swift" % rng.randrange(100)
                parts.append((opencode_id("prt", at), assistant, at, done, {
                    "type": "tool", "callID": "toolu_%024x" % rng.getrandbits(96), "tool": "read",
                    "state": {"status": "completed", "input": {"filePath": repo + "/" + path},
                              "output": text(rng.randrange(200, 2000)), "title": path, "metadata": {},
                              "time": {"start": at, "end": done}}}))
            if not streaming:
                # The step's part repeats the message's tokens (a reader counts the message, not both).
                parts.append((opencode_id("prt", done), assistant, done, done, {
                    "type": "step-finish", "reason": finish, "snapshot": snapshot, "cost": cost, "tokens": tokens}))
                count = totals[agent]
                count["requests"] += 1
                count["in"] += tokens["input"]
                count["out"] += tokens["output"] + tokens["reasoning"]
                count["cr"] += tokens["cache"]["read"]
                count["cw"] += tokens["cache"]["write"]
    in_files = 0
    if database is not None:
        slug = "-".join(rng.sample(WORDS, 2))
        rows = [(session, project, None, slug, repo, text(rng.randrange(20, 60)), flavor["version"], begun, updated)]
        database.execute("BEGIN")
        database.executemany("INSERT INTO session (id, project_id, parent_id, slug, directory, title, version, "
                             "time_created, time_updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        message_rows = [(m, session, created, changed, compact(data)) for m, created, changed, data in messages]
        part_rows = [(p, m, session, created, changed, compact(data)) for p, m, created, changed, data in parts]
        database.executemany("INSERT INTO message VALUES (?, ?, ?, ?, ?)", message_rows)
        database.executemany("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)", part_rows)
        database.execute("COMMIT")
    if legacy is not None:
        folder = os.path.join(legacy, session)
        os.makedirs(folder, exist_ok=True)
        for message, _, _, data in messages:
            record = dict({"id": message, "sessionID": session}, **data)
            with open(os.path.join(folder, message + ".json"), "w") as handle:
                in_files += handle.write(json.dumps(record, indent=2))
    return in_files


def opencode_store(agent, name, flavor, amount, legacy_share):
    """OpenCode's (or Kilo's) data folder under HOME/.local/share/<name>: about `amount` bytes in
    <name>.db, the last sessions' rows left only in its write-ahead log (written as a running OpenCode
    leaves them), and `legacy_share` of it as older message files (one in eight of those sessions also in
    the database, as a migration leaves them). Returns the number of sessions."""
    root = os.path.join(home, ".local", "share", name)
    os.makedirs(root, exist_ok=True)
    build = os.path.join(root, "build-%s.db" % name)
    database = sqlite3.connect(build, isolation_level=None)
    database.execute("PRAGMA synchronous = OFF")
    database.executescript(OPENCODE_SCHEMA)
    project = "%040x" % rng.getrandbits(160)
    database.execute("INSERT INTO project (id, worktree, vcs, name, time_created, time_updated, sandboxes) "
                     "VALUES (?, ?, 'git', NULL, ?, ?, '[]')", (project, repo, millis(0, 0), millis(0, 0)))
    sessions = files = 0
    legacy = os.path.join(root, "storage", "message")
    while files < legacy_share:
        sessions += 1
        migrated = rng.random() < 1 / 8
        files += opencode_session(agent, flavor, project, database if migrated else None, legacy)

    def size():
        return sum(os.path.getsize(path) for path in (build, build + "-wal") if os.path.exists(path))

    while size() < (amount - files) * 0.95:
        sessions += 1
        opencode_session(agent, flavor, project, database)
    database.execute("PRAGMA journal_mode = WAL")
    database.execute("PRAGMA wal_autocheckpoint = 0")
    while True:
        sessions += 1
        opencode_session(agent, flavor, project, database)
        if size() >= amount - files:
            break
    # The files as a running OpenCode leaves them (the log not yet checkpointed), copied while the
    # connection that wrote them is still open: closing it checkpoints the log into the database.
    shutil.copyfile(build, os.path.join(root, name + ".db"))
    shutil.copyfile(build + "-wal", os.path.join(root, name + ".db-wal"))
    database.close()
    for leftover in (build, build + "-wal", build + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    return sessions


def opencode():
    return opencode_store("opencode", "opencode", {
        "provider": "anthropic", "agent": "build", "version": "1.2.10",
        "models": ["claude-sonnet-4-5-20250929", "claude-opus-4-5", "gpt-5.1-codex"]}, share, share // 4)


def kilo():
    return opencode_store("kilo", "kilo", {
        "provider": "kilo", "agent": "code", "version": "7.0.12",
        "models": ["anthropic/claude-sonnet-4.5", "x-ai/grok-code-fast-1", "openai/gpt-5.1-codex"]}, share, 0)


def cline():
    root = os.path.join(home, ".config", "Code", "User", "globalStorage", "saoudrizwan.claude-dev")
    os.makedirs(os.path.join(root, "state"), exist_ok=True)
    history, taken = [], set()
    written = tasks = 0
    while written < share:
        tasks += 1
        day, second = rng.randrange(330), rng.randrange(20000)
        ts = millis(day, second)
        while ts in taken:
            ts += 1
        taken.add(ts)
        task = str(ts)
        folder = os.path.join(root, "tasks", task)
        os.makedirs(folder, exist_ok=True)
        model = rng.choice(["claude-sonnet-4-5-20250929", "claude-opus-4-5", "claude-haiku-4-5-20251001"])
        # Older versions wrote no modelInfo: the model is then task_metadata.json's.
        model_info = rng.random() < 0.7
        prompt = text(rng.randrange(100, 600))
        messages = [{"ts": ts, "type": "say", "say": "task", "text": prompt}]
        sums = {"tokensIn": 0, "tokensOut": 0, "cacheWrites": 0, "cacheReads": 0, "totalCost": 0}
        listed = rng.random() >= 1 / 25
        requests = rng.randrange(10, 40)
        for request in range(requests):
            ts += rng.randrange(1000, 30000)
            info = {"request": "<task>\n%s\n</task>\n\n<environment_details>\n# VSCode Visible Files\n%s\n"
                               "</environment_details>" % (prompt, text(rng.randrange(300, 2500)))}
            # The last request of some tasks was interrupted before its counts were written.
            if request < requests - 1 or rng.random() >= 0.15:
                counts = {"tokensIn": rng.randrange(3, 8000), "tokensOut": rng.randrange(20, 3000),
                          "cacheWrites": rng.randrange(0, 6000), "cacheReads": rng.randrange(0, 90000)}
                cost = round((counts["tokensIn"] * 3 + counts["tokensOut"] * 15 + counts["cacheReads"] * 0.3
                              + counts["cacheWrites"] * 3.75) / 1e6, 8)
                info.update(counts, cost=cost)
                if rng.random() < 0.03:
                    info.update(cancelReason="user_cancelled", streamingFailedMessage="")
                for key, value in counts.items():
                    sums[key] += value
                sums["totalCost"] += cost
                if listed:
                    count = totals["cline"]
                    count["requests"] += 1
                    count["in"] += counts["tokensIn"]
                    count["out"] += counts["tokensOut"]
                    count["cr"] += counts["cacheReads"]
                    count["cw"] += counts["cacheWrites"]
            entry = {"ts": ts, "type": "say", "say": "api_req_started", "text": compact(info),
                     "conversationHistoryIndex": 2 * request}
            if model_info:
                entry["modelInfo"] = {"providerId": "anthropic", "modelId": model, "mode": "act"}
            messages.append(entry)
            ts += rng.randrange(500, 20000)
            messages.append({"ts": ts, "type": "say", "say": "text", "text": text(rng.randrange(300, 3000)),
                             "partial": False, "conversationHistoryIndex": 2 * request + 1})
            if request < requests - 1:
                ts += rng.randrange(100, 5000)
                path = "src/file%d.swift" % rng.randrange(100)
                messages.append({"ts": ts, "type": "say", "say": "tool", "text": compact(
                    {"tool": "readFile", "path": path, "content": repo + "/" + path,
                     "operationIsLocatedInWorkspace": True}), "conversationHistoryIndex": 2 * request + 1})
        ts += rng.randrange(100, 5000)
        messages.append({"ts": ts, "type": "say", "say": "completion_result", "text": text(rng.randrange(100, 600))})
        with open(os.path.join(folder, "ui_messages.json"), "w") as handle:
            written += handle.write(compact(messages))
        with open(os.path.join(folder, "task_metadata.json"), "w") as handle:
            written += handle.write(compact({"files_in_context": [], "model_usage": [
                {"ts": int(task) + 1, "model_id": model, "model_provider_id": "anthropic", "mode": "act"}],
                "environment_history": []}))
        if listed:
            history.append(dict({"id": task, "ulid": "01K%023X" % rng.getrandbits(92), "ts": ts,
                                 "task": prompt[:200], "size": len(compact(messages)),
                                 "cwdOnTaskInitialization": repo, "shadowGitConfigWorkTree": repo,
                                 "modelId": model, "isFavorited": False}, **sums))
    with open(os.path.join(root, "state", "taskHistory.json"), "w") as handle:
        handle.write(compact(history))
    return tasks


sessions = {"gemini": gemini(), "qwen": qwen(), "copilot": copilot(), "opencode": opencode(), "kilo": kilo(),
            "cline": cline()}
with open(os.path.join(home, "expected.json"), "w") as handle:
    json.dump({"sessions": sessions, "agents": totals}, handle, indent=1, sort_keys=True)
print(json.dumps(sessions))
