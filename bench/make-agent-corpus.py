#!/usr/bin/env python3
"""Writes a corpus of agent session files under a home folder, laid out as each agent lays out its data,
for the agents benchmark (`octo-git usage import all --dir HOME`):

  HOME/.gemini/tmp/<project>/chats/session-*.jsonl       Gemini CLI (each message written twice, $set lines)
  HOME/.qwen/projects/<project>/chats/<session>.jsonl    Qwen Code (each call as telemetry and as a turn)
  HOME/.copilot/session-state/<uuid>/events.jsonl        GitHub Copilot CLI (runs ended by a shutdown)

every session made in REPO (its cwd), about MEGABYTES in all, a third per agent. It also writes
HOME/expected.json: the requests and token totals by class that a correct import finds, counted here from
what was written (the reference counter): Gemini in = input - cached + tool, out = output + thoughts,
cr = cached; Qwen in = prompt - cached, out = candidates (thoughts inside), cr = cached, each call once;
Copilot per run and model in = input - cache reads - cache writes, out = output, cr = cache reads,
cw = cache writes.

usage: make-agent-corpus.py HOME REPO MEGABYTES [SEED]
"""
import json
import os
import random
import sys
import uuid

home, repo, megabytes = sys.argv[1], sys.argv[2], float(sys.argv[3])
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
share = int(megabytes * 1024 * 1024 / 3)
WORDS = ("the parser reads each line once and keeps only what the report needs so a large transcript costs "
         "what it holds and nothing more while the tests cover every branch of the state machine").split()
totals = {agent: {"requests": 0, "in": 0, "out": 0, "cr": 0, "cw": 0} for agent in ("gemini", "qwen", "copilot")}


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


sessions = {"gemini": gemini(), "qwen": qwen(), "copilot": copilot()}
with open(os.path.join(home, "expected.json"), "w") as handle:
    json.dump({"sessions": sessions, "agents": totals}, handle, indent=1, sort_keys=True)
print(json.dumps(sessions))
