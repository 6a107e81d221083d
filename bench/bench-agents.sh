#!/bin/sh
# Agents benchmark (issue: every agent a team uses): a generated corpus of Gemini CLI, Qwen Code and GitHub
# Copilot CLI sessions (bench/make-agent-corpus.py, AGENTS_CORPUS_MB, default 100 MB in all) imported by
# `octo-git usage import all --dir HOME`, side by side with `cat | grep -c` over the same files (the I/O
# floor); then an import with nothing new. Token totals by class are checked against the generator's own
# count (expected.json).
set -eu
bin=${1:?usage: bench-agents.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
if ! "$bin" usage import --help 2>/dev/null | grep -qE '^ +all( |$)'; then
  echo "agents benchmark skipped: this octo-git has no usage import all"
  exit 0
fi
need_hyperfine

megabytes=${AGENTS_CORPUS_MB:-100}
corpus="$work/agents-corpus-$megabytes"
home="$corpus/home"
repo="$corpus/repo"
if [ ! -f "$home/expected.json" ]; then
  rm -rf "$corpus"
  mkdir -p "$home"
  git init -q -b main "$repo"
  echo "generating Gemini CLI, Qwen Code and Copilot CLI sessions (~$megabytes MB)" >&2
  python3 "$bench_dir/make-agent-corpus.py" "$home" "$repo" "$megabytes" >/dev/null
fi
git -C "$repo" -c user.name=Bench -c user.email=bench@example.com commit -q --allow-empty -m base 2>/dev/null || true
files=$(find "$home/.gemini" "$home/.qwen" "$home/.copilot" -name '*.jsonl' | wc -l)
size=$(du -sm "$home" | cut -f1)
reset="$work/agents-reset.sh"
printf '#!/bin/sh\nrm -rf "%s/.git/octo"\ngit -C "%s" update-ref -d refs/notes/octo/usage 2>/dev/null\ntrue\n' "$repo" "$repo" > "$reset"
floor="$work/agents-grep.sh"
cat > "$floor" <<SCRIPT
#!/bin/sh
find "$home/.gemini" "$home/.qwen" "$home/.copilot" -name '*.jsonl' -exec cat {} + |
  grep -c -F -e '"tokens"' -e usageMetadata -e api_response -e modelMetrics
SCRIPT

hyperfine --warmup 1 --runs 5 --prepare "sh $reset" --export-json "$work/agents-octo.json" \
  "$bin -C $repo usage import all --dir $home" >/dev/null 2>&1
hyperfine --warmup 1 --runs 5 --export-json "$work/agents-grep.json" "sh $floor" >/dev/null 2>&1
sh "$reset"
"$bin" -C "$repo" usage import all --dir "$home" >/dev/null 2>&1
hyperfine -N --warmup 2 --runs 20 --export-json "$work/agents-again.json" \
  "$bin -C $repo usage import all --dir $home" >/dev/null 2>&1
memory=$(/usr/bin/time -f "%M" sh -c "sh $reset; $bin -C $repo usage import all --dir $home >/dev/null 2>&1" 2>&1 | tail -1)

# Token totals: octo-git's (notes and pending, after one full import) against the generator's count.
sh "$reset"
"$bin" -C "$repo" usage import all --dir "$home" >/dev/null 2>&1
"$bin" -C "$repo" usage --by agent --json > "$work/agents-report.json"
"$bin" -C "$repo" usage pending --all --json > "$work/agents-pending.json"
totals=$(python3 - "$work" "$home/expected.json" <<'PY'
import json, sys
work, expected_path = sys.argv[1], sys.argv[2]
expected = json.load(open(expected_path))["agents"]
ours = {agent: {"requests": 0, "in": 0, "out": 0, "cr": 0, "cw": 0} for agent in expected}
for row in json.load(open(work + "/agents-report.json"))["rows"]:
    if row["key"] in ours:
        count = ours[row["key"]]
        count["requests"] += row["events"]
        for key in ["in", "out", "cr"]:
            count[key] += row[key]
        count["cw"] += row["cw5m"] + row["cw1h"]
for event in json.load(open(work + "/agents-pending.json")):
    count = ours.get(event.get("agent"))
    if count is not None:
        count["requests"] += 1
        for key in ["in", "out", "cr"]:
            count[key] += event.get(key, 0)
        count["cw"] += event.get("cw5m", 0) + event.get("cw1h", 0)
verdict = "equal" if ours == expected else "DIFFERENT"
print(f"token totals by agent {verdict} to the generator's count: octo-git {ours}" +
      ("" if ours == expected else f", expected {expected}"))
PY
)

echo
echo "$totals"
echo "agents: $files Gemini CLI, Qwen Code and Copilot CLI session files, $size MB; octo-git peak memory $((memory / 1024)) MB"
print_table \
  "usage import all (gemini, qwen, copilot)|$work/agents-octo.json|$work/agents-grep.json|cat + grep -c usage lines (the I/O floor)|ratio <= 2" \
  "import again, nothing new|$work/agents-again.json|||<= 0.1 s"
