#!/usr/bin/env python3
"""A small reference counter for the agents benchmark: reads the session files of Gemini CLI, Qwen Code,
GitHub Copilot CLI, OpenCode, Kilo CLI and Cline under a home folder and prints, as JSON, the requests
("events") and token totals by agent and class, as octo-git's usage notes define the classes:

  in    input neither read from nor written to a cache
  out   output, reasoning ("thoughts") included
  cr    input read from a cache
  cw5m  input written to a cache that lives 5 minutes (cw1h: one hour)

It is written from the formats as their tools document and write them, not from octo-git's importers nor
from bench/make-agent-corpus.py (which keeps its own count), so that the three can be checked against each
other. The rules:

Gemini CLI, HOME/.gemini/tmp/<project>/chats/: `session-*.json` (older versions: the whole conversation,
one JSON object with `messages`) and every `*.jsonl` below chats/ (newer: appended records; a subagent's
file sits in a folder named after its parent session). A JSON-lines record is a message (it has an `id`;
a message is written again each time it changes: the last copy wins), `{"$set": {...}}` (metadata; a
`messages` list in it is a checkpoint of the conversation, messages written again), `{"$rewindTo": id}`
(the conversation is cut back to before that message: the requests after it were still made and billed,
so they still count) or the session's metadata. A request is a message of type "gemini" whose last copy
has `tokens{input, output, cached, thoughts, tool, total}`: Gemini's promptTokenCount,
candidatesTokenCount, cachedContentTokenCount, thoughtsTokenCount, toolUsePromptTokenCount. The prompt
count includes the cached tokens; the tool-use prompt and the thoughts are counted apart from the prompt
and the candidates (the API's total is their sum), so in = input - cached + tool, cr = cached,
out = output + thoughts. Ids are unique across files: legacy `.json` files are read first, so the copy a
migration to `.jsonl` wrote wins.

Qwen Code, HOME/.qwen/projects/<sanitized cwd>/chats/<session>.jsonl: a `system` record of subtype
`ui_telemetry` whose `systemPayload.uiEvent` is a `qwen-code.api_response` event describes one API call
(every call: the main agent's and its subagents'); an `assistant` record's `usageMetadata` describes the
main agent's turn, the same call again. So a file's calls are its api_response events; only a file without
any (versions that wrote no telemetry) counts its assistant records. The prompt count includes the cached
tokens and the thoughts are inside the candidates (output) count: in = prompt - cached, cr = cached,
out = candidates.

GitHub Copilot CLI, HOME/.copilot/session-state/<session>/events.jsonl: usage is written only when a run
ends, as a `session.shutdown` event whose `data.modelMetrics.<model>.usage{inputTokens, outputTokens,
cacheReadTokens, cacheWriteTokens, reasoningTokens}` sums that run's requests to that model; a resumed
session appends a new run (counters from zero) to the same file, so every shutdown counts: one request
per run and model. inputTokens includes the cache reads and writes; reasoningTokens are the share of
outputTokens spent on reasoning (the Copilot SDK's session-event schema: "output tokens used for
reasoning"), so in = input - cache reads - cache writes, cr = cache reads, out = output, and the writes
count as cw5m (the shutdown does not say how long they live; 5 minutes is the providers' default).

OpenCode, HOME/.local/share/opencode ($XDG_DATA_HOME/opencode): the SQLite database opencode.db (and
opencode-<channel>.db), table `message` (id, session_id, time_created, time_updated, data), whose `data`
is the message as JSON without its id; and the files older versions wrote,
storage/message/<session>/<message>.json, the message with its `id` and `sessionID`. The database is
read as SQLite reads it, read-only, its write-ahead log included (a running OpenCode leaves its last rows
only there). A message is one message wherever it is stored (a migration to the database leaves the old
file): each id counts once. Only assistant messages are requests: `tokens{input, output, reasoning,
cache{read, write}}`, where input leaves out the cache reads and writes and reasoning is reported apart
from output (and billed as output), so in = input, cr = cache.read, cw5m = cache.write,
out = output + reasoning. OpenCode writes an assistant message as its step starts, every count zero, and
again when it ends: a message whose counts are all zero has not been billed yet and is no request. The
`part` table's step-finish parts repeat each message's tokens and are not read.

Kilo CLI, HOME/.local/share/kilo: kilo.db (and kilo-<channel>.db), OpenCode's schema, the same rules.

Cline in VS Code, its globalStorage folder HOME/.config/Code/User/globalStorage/saoudrizwan.claude-dev:
tasks/<task id>/ui_messages.json is the task's messages as a JSON array; each request is an entry
{"type": "say", "say": "api_req_started", "text": "<JSON>"} whose text, once the request is over,
holds tokensIn, tokensOut, cacheWrites, cacheReads and cost (a text with none of the counts is a request
not yet over, and is not counted). Cline keeps tokensIn apart from the cache reads and writes, so
in = tokensIn, out = tokensOut, cr = cacheReads, cw5m = cacheWrites. The task's work tree is its entry's
`cwdOnTaskInitialization` in state/taskHistory.json (a JSON array of tasks by `id`); a task the history
does not place belongs to no known project and is left out (an import takes it only with
--all-projects). The history's own token sums repeat the requests and are not read.

"files" counts what was read: files, and each database once.

usage: count-agent-tokens.py HOME
"""
import json
import os
import sqlite3
import sys
import urllib.parse

CLASSES = ("in", "out", "cr", "cw5m", "cw1h")


def empty():
    return dict({"events": 0}, **{name: 0 for name in CLASSES})


def add(count, **tokens):
    count["events"] += 1
    for name, value in tokens.items():
        count[name] += value


def json_lines(path):
    """The records of a JSON-lines file; lines that are not a JSON object are skipped."""
    with open(path, "rb") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def json_file(path):
    """The JSON value of a whole file; None when it cannot be read or is not JSON."""
    try:
        with open(path, "rb") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def files_below(folder, accept):
    """Every file below `folder` whose name `accept` takes, in path order."""
    found = []
    for root, _, names in os.walk(folder):
        found.extend(os.path.join(root, name) for name in names if accept(name))
    return sorted(found)


def field(value, key):
    """`value[key]` when `value` is an object that has it; else None."""
    return value.get(key) if isinstance(value, dict) else None


def member(value, key):
    """`value[key]` when it is an object; else an empty object."""
    found = field(value, key)
    return found if isinstance(found, dict) else {}


def listed(value):
    return value if isinstance(value, list) else []


def number(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def gemini(home):
    folders = []
    tmp = os.path.join(home, ".gemini", "tmp")
    if os.path.isdir(tmp):
        folders = [os.path.join(tmp, name, "chats") for name in sorted(os.listdir(tmp))]
    legacy, lines = [], []
    for chats in folders:
        legacy += files_below(chats, lambda name: name.startswith("session-") and name.endswith(".json"))
        lines += files_below(chats, lambda name: name.endswith(".jsonl"))
    messages = {}  # id -> the last copy written

    def message(record):
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            messages[record["id"]] = record

    for path in legacy:
        for record in listed(field(json_file(path), "messages")):
            message(record)
    for path in lines:
        for record in json_lines(path):
            if "$rewindTo" in record:
                continue  # hides messages from the conversation; their requests were billed all the same
            if isinstance(record.get("$set"), dict):
                for copy in listed(field(record["$set"], "messages")):
                    message(copy)
            else:
                message(record)
    count = empty()
    for record in messages.values():
        tokens = record.get("tokens")
        if record.get("type") != "gemini" or not isinstance(tokens, dict):
            continue
        cached = number(tokens.get("cached"))
        add(count, **{"in": number(tokens.get("input")) - cached + number(tokens.get("tool")), "cr": cached,
                      "out": number(tokens.get("output")) + number(tokens.get("thoughts"))})
    return count, len(legacy) + len(lines)


def qwen(home):
    projects = os.path.join(home, ".qwen", "projects")
    paths = []
    if os.path.isdir(projects):
        for project in sorted(os.listdir(projects)):
            chats = os.path.join(projects, project, "chats")
            if os.path.isdir(chats):
                paths += [os.path.join(chats, name) for name in sorted(os.listdir(chats)) if name.endswith(".jsonl")]
    count = empty()
    for path in paths:
        telemetry, turns = [], []
        for record in json_lines(path):
            if record.get("type") == "system" and record.get("subtype") == "ui_telemetry":
                event = member(member(record, "systemPayload"), "uiEvent")
                if event.get("event.name") == "qwen-code.api_response":
                    telemetry.append((number(event.get("input_token_count")), number(event.get("output_token_count")),
                                      number(event.get("cached_content_token_count"))))
            elif record.get("type") == "assistant" and isinstance(record.get("usageMetadata"), dict):
                usage = record["usageMetadata"]
                turns.append((number(usage.get("promptTokenCount")), number(usage.get("candidatesTokenCount")),
                              number(usage.get("cachedContentTokenCount"))))
        for prompt, candidates, cached in telemetry or turns:
            add(count, **{"in": prompt - cached, "cr": cached, "out": candidates})
    return count, len(paths)


def copilot(home):
    state = os.path.join(home, ".copilot", "session-state")
    paths = []
    if os.path.isdir(state):
        paths = [os.path.join(state, name, "events.jsonl") for name in sorted(os.listdir(state))]
        paths = [path for path in paths if os.path.isfile(path)]
    count = empty()
    for path in paths:
        for record in json_lines(path):
            if record.get("type") != "session.shutdown":
                continue
            for metric in member(member(record, "data"), "modelMetrics").values():
                usage = member(metric, "usage")
                reads, writes = number(usage.get("cacheReadTokens")), number(usage.get("cacheWriteTokens"))
                add(count, **{"in": number(usage.get("inputTokens")) - reads - writes, "cr": reads, "cw5m": writes,
                              "out": number(usage.get("outputTokens"))})
    return count, len(paths)


def opencode_family(home, name):
    root = os.path.join(home, ".local", "share", name)
    databases = []
    if os.path.isdir(root):
        databases = [os.path.join(root, entry) for entry in sorted(os.listdir(root))
                     if entry == name + ".db" or (entry.startswith(name + "-") and entry.endswith(".db"))]
    messages = {}  # message id -> the message; the database's copy first
    for path in databases:
        connection = sqlite3.connect("file:" + urllib.parse.quote(path) + "?mode=ro", uri=True)
        try:
            for identifier, data in connection.execute("SELECT id, data FROM message"):
                try:
                    record = json.loads(data)
                except (TypeError, ValueError):
                    continue
                if isinstance(record, dict):
                    messages.setdefault(identifier, record)
        finally:
            connection.close()
    legacy = files_below(os.path.join(root, "storage", "message"), lambda entry: entry.endswith(".json"))
    for path in legacy:
        record = json_file(path)
        if isinstance(record, dict):
            identifier = record.get("id") if isinstance(record.get("id"), str) else os.path.basename(path)[:-5]
            messages.setdefault(identifier, record)
    count = empty()
    for record in messages.values():
        if record.get("role") != "assistant":
            continue
        tokens = member(record, "tokens")
        cache = member(tokens, "cache")
        values = {"in": number(tokens.get("input")), "out": number(tokens.get("output")) + number(tokens.get("reasoning")),
                  "cr": number(cache.get("read")), "cw5m": number(cache.get("write"))}
        if any(values.values()):
            add(count, **values)
    return count, len(databases) + len(legacy)


def opencode(home):
    return opencode_family(home, "opencode")


def kilo(home):
    return opencode_family(home, "kilo")


def cline(home):
    root = os.path.join(home, ".config", "Code", "User", "globalStorage", "saoudrizwan.claude-dev")
    placed = set()
    history = json_file(os.path.join(root, "state", "taskHistory.json"))
    for item in listed(history):
        if isinstance(field(item, "id"), str) and isinstance(field(item, "cwdOnTaskInitialization"), str):
            placed.add(item["id"])
    tasks = os.path.join(root, "tasks")
    paths = []
    if os.path.isdir(tasks):
        paths = [os.path.join(tasks, task, "ui_messages.json") for task in sorted(os.listdir(tasks)) if task in placed]
        paths = [path for path in paths if os.path.isfile(path)]
    count = empty()
    for path in paths:
        for entry in listed(json_file(path)):
            if field(entry, "type") != "say" or field(entry, "say") != "api_req_started":
                continue
            try:
                info = json.loads(entry.get("text"))
            except (TypeError, ValueError):
                continue
            if not isinstance(info, dict) or not any(
                    key in info for key in ("tokensIn", "tokensOut", "cacheWrites", "cacheReads")):
                continue
            add(count, **{"in": number(info.get("tokensIn")), "out": number(info.get("tokensOut")),
                          "cr": number(info.get("cacheReads")), "cw5m": number(info.get("cacheWrites"))})
    return count, len(paths)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: count-agent-tokens.py HOME")
    home = sys.argv[1]
    agents, files = {}, {}
    for name, reader in (("gemini", gemini), ("qwen", qwen), ("copilot", copilot), ("opencode", opencode),
                         ("kilo", kilo), ("cline", cline)):
        agents[name], files[name] = reader(home)
    print(json.dumps({"agents": agents, "files": files}, indent=1, sort_keys=True))


main()
