#!/bin/sh
# Import benchmark (issue: transcripts): a generated Claude Code corpus imported by octo-git and by cctrack
# (a Python Claude Code cost tracker), with `cat | grep -c '"usage"'` as the I/O floor; then a second
# octo-git import with nothing new. The corpus comes from the shared generator (BENCH_CORPUS_MB, default
# 400 MB of padding, about 650 MB on disk with --sessions 3000).
set -eu
bin=${1:?usage: bench-import.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine
generator=${GEN_TRANSCRIPTS:-"$bench_dir/../../shared/tools/gen-transcripts"}
if [ ! -x "$generator" ]; then
  echo "import benchmark skipped: no transcript generator at $generator (set GEN_TRANSCRIPTS)"
  exit 0
fi
if ! need_pip cctrack >&2; then
  echo "import benchmark skipped: cctrack (PyPI) could not be installed"
  exit 0
fi
corpus="$work/corpus"
repo="$work/import-repo"
megabytes=${BENCH_CORPUS_MB:-400}
sessions=${BENCH_CORPUS_SESSIONS:-3000}
if [ ! -f "$corpus/expected.json" ]; then
  rm -rf "$corpus" "$repo"
  mkdir -p "$repo"
  git init -q -b main "$repo"
  echo "generating a transcript corpus ($sessions sessions, ~$megabytes MB of padding)" >&2
  python3 "$generator" --out "$corpus" --seed 7 --sessions "$sessions" --target-mb "$megabytes" --repo "$repo" >/dev/null
fi
git -C "$repo" -c user.name=Bench -c user.email=bench@example.com commit -q --allow-empty -m base 2>/dev/null || true
files=$(find "$corpus/claude" -name '*.jsonl' | wc -l)
size=$(du -sm "$corpus/claude" | cut -f1)
reset="rm -rf $repo/.git/octo; git -C $repo update-ref -d refs/notes/octo/usage 2>/dev/null; true"

hyperfine --warmup 1 --runs 3 --prepare "$reset" --export-json "$work/import-octo.json" \
  "$bin -C $repo usage import claude-code --dir $corpus/claude --all-projects" >/dev/null 2>&1
hyperfine --warmup 1 --runs 3 --export-json "$work/import-cctrack.json" \
  "$venv/bin/cctrack --dirs $corpus/claude/projects --days 100000 --json" >/dev/null 2>&1
# --output=pipe: with its output on /dev/null (hyperfine's default) GNU grep stops at the first match, even
# with -c, and the floor would be a fraction of the reading.
hyperfine --warmup 1 --runs 5 --output=pipe --export-json "$work/import-grep.json" \
  "find $corpus/claude -name '*.jsonl' -exec cat {} + | grep -c '\"usage\"'" >/dev/null 2>&1
sh -c "$reset"
"$bin" -C "$repo" usage import claude-code --dir "$corpus/claude" >/dev/null 2>&1
hyperfine -N --warmup 2 --runs 10 --export-json "$work/import-again.json" \
  "$bin -C $repo usage import claude-code --dir $corpus/claude" >/dev/null 2>&1
memory=$(/usr/bin/time -f "%M" sh -c "$reset; $bin -C $repo usage import claude-code --dir $corpus/claude --all-projects >/dev/null 2>&1" 2>&1 | tail -1)

# Token totals: octo-git's (notes and pending, after one full import) against cctrack's sessions.
sh -c "$reset"
"$bin" -C "$repo" usage import claude-code --dir "$corpus/claude" --all-projects >/dev/null 2>&1
"$bin" -C "$repo" usage --json > "$work/octo-report.json"
"$bin" -C "$repo" usage pending --all --json > "$work/octo-pending.json"
"$venv/bin/cctrack" --dirs "$corpus/claude/projects" --days 100000 --json > "$work/cctrack.json" 2>/dev/null
totals=$(python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
report = json.load(open(work + "/octo-report.json"))
pending = json.load(open(work + "/octo-pending.json"))
ours = {key: report["total"][key] + sum(event.get(key, 0) for event in pending) for key in ["in", "out", "cw5m", "cw1h", "cr"]}
theirs = {"in": 0, "out": 0, "cw5m": 0, "cw1h": 0, "cr": 0}
names = {"input": "in", "output": "out", "cache_write_5m": "cw5m", "cache_write_1h": "cw1h", "cache_read": "cr"}
for session in json.load(open(work + "/cctrack.json"))["sessions"]:
    if session.get("agent") != "claude":
        continue
    for name, key in names.items():
        theirs[key] += session["tokens"].get(name, 0)
verdict = "equal" if ours == theirs else "DIFFERENT"
print(f"token totals {verdict}: octo-git {ours}, cctrack {theirs}")
PY
)

echo
echo "$totals"
echo "import: $files Claude Code transcripts, $size MB; octo-git peak memory $((memory / 1024)) MB (goal < 200 MB)"
print_table \
  "usage import claude-code|$work/import-octo.json|$work/import-cctrack.json|cctrack|ratio <= 0.1" \
  "usage import claude-code|$work/import-octo.json|$work/import-grep.json|cat + grep -c usage (the I/O floor)|ratio <= 2" \
  "import again (this repository), nothing new|$work/import-again.json|||< 0.1 s"
