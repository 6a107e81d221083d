#!/bin/sh
# Agents benchmark (issue: every agent a team uses): a generated corpus (bench/make-agent-corpus.py,
# AGENTS_CORPUS_MB, default 100 MB in all, a sixth per agent) of Gemini CLI, Qwen Code and GitHub Copilot
# CLI sessions (JSON lines), OpenCode's (opencode.db in SQLite, its last rows only in the write-ahead log,
# and the older storage/message/<session>/*.json files), Kilo CLI's (kilo.db, OpenCode's schema) and
# Cline's in VS Code (tasks/<id>/ui_messages.json, with the task history that gives each task's work
# tree), every session made in one repository, imported by `octo-git usage import all --dir HOME` into an
# empty ledger, side by side in the same run with `cat | grep -a -c` over the same files (the I/O floor)
# and with agentsview (PyPI), whose `agentsview sync` reads the same folders into an empty SQLite archive;
# then an import with nothing new. Token totals by agent and class are checked against
# bench/count-agent-tokens.py (a reference counter written from the formats) and against the generator's
# own count (expected.json): a difference fails the benchmark.
# agentsview reads Gemini, Qwen, Copilot, and OpenCode's and Kilo's databases. It does not read Cline's
# VS Code tasks (its Cline support is the Cline CLI's ~/.cline/data/sessions), so Cline is left out of its
# run; and it reads OpenCode's files only when storage/session/ exists, instead of the database, so of
# OpenCode it reads opencode.db, not the older message files (the corpus has no storage/session/).
# Without agentsview (no network for PyPI, or it fails) its row is left out, with one line.
set -eu
bin=${1:?usage: bench-agents.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
if ! "$bin" usage import --help 2>/dev/null | grep -qE '^ +all( |$)'; then
  echo "agents benchmark skipped: this octo-git has no usage import all"
  exit 0
fi
need_hyperfine

megabytes=${AGENTS_CORPUS_MB:-100}
corpus="$work/agents-corpus2-$megabytes"
home="$corpus/home"
repo="$corpus/repo"
if [ ! -f "$home/expected.json" ]; then
  rm -rf "$corpus"
  mkdir -p "$home"
  git init -q -b main "$repo"
  echo "generating Gemini CLI, Qwen Code, Copilot CLI, OpenCode, Kilo and Cline sessions (~$megabytes MB)" >&2
  python3 "$bench_dir/make-agent-corpus.py" "$home" "$repo" "$megabytes" >/dev/null
fi
git -C "$repo" -c user.name=Bench -c user.email=bench@example.com commit -q --allow-empty -m base 2>/dev/null || true
# Each agent's data folder, as octo-git finds it under HOME (XDG_DATA_HOME and XDG_CONFIG_HOME unset).
opencode_dir="$home/.local/share/opencode"
kilo_dir="$home/.local/share/kilo"
cline_dir="$home/.config/Code/User/globalStorage/saoudrizwan.claude-dev"
size=$(du -sm --apparent-size "$home" | cut -f1)
reset="$work/agents-reset.sh"
printf '#!/bin/sh\nrm -rf "%s/.git/octo"\ngit -C "%s" update-ref -d refs/notes/octo/usage 2>/dev/null\ntrue\n' "$repo" "$repo" > "$reset"
reference="$work/agents-reference.json"
python3 "$bench_dir/count-agent-tokens.py" "$home" > "$reference"
files=$(python3 -c 'import json, sys
files = json.load(open(sys.argv[1]))["files"]
print(f"{sum(files.values())} files and databases (" + ", ".join(f"{n} {a}" for a, n in files.items()) + ")")' "$reference")
# The floor reads every file octo-git reads, the databases and their logs included (grep -a: SQLite pages
# are binary; the JSON in their rows is text).
floor="$work/agents-grep.sh"
cat > "$floor" <<SCRIPT
#!/bin/sh
find "$home/.gemini" "$home/.qwen" "$home/.copilot" "$opencode_dir" "$kilo_dir" "$cline_dir" -type f \\( -name '*.jsonl' \\
  -o -name '*.json' -o -name '*.db' -o -name '*.db-wal' \\) -exec cat {} + |
  grep -a -c -F -e '"tokens"' -e usageMetadata -e api_response -e modelMetrics -e tokensIn
SCRIPT

# The floor's output goes through a pipe: writing to /dev/null, GNU grep stops at the first match.
hyperfine --warmup 1 --runs 5 --prepare "sh $reset" --export-json "$work/agents-octo.json" \
  "$bin -C $repo usage import all --dir $home" >/dev/null 2>&1
hyperfine --warmup 1 --runs 5 --output=pipe --export-json "$work/agents-grep.json" "sh $floor" >/dev/null 2>&1

# The peer agentsview: `agentsview sync` of the same folders, from an empty archive each run (its data
# folder removed before each), through a wrapper with a clean environment (lib.sh). Sets avsummary, or
# avskipped and fails (status 1).
last_line() { if [ -f "$1" ]; then tr '\r' '\n' < "$1" | sed '/^[[:space:]]*$/d' | tail -n 1; fi; }
agentsview_peer() {
  avdata="$work/agents-agentsview-data"
  avlog="$work/agents-agentsview.log"
  averr="$work/agents-agentsview.err"
  av="$work/agents-agentsview.sh"
  # No CLINE_DIR: agentsview reads the Cline CLI's sessions, not the VS Code extension's tasks.
  agentsview_wrapper "$av" "$work/agents-agentsview-home" "$avdata" GEMINI_DIR="$home/.gemini" \
    COPILOT_DIR="$home/.copilot" QWEN_PROJECTS_DIR="$home/.qwen/projects" OPENCODE_DIR="$opencode_dir" \
    KILO_DIR="$kilo_dir"
  if ! hyperfine --runs 3 --prepare "rm -rf $avdata" --output="$avlog" --export-json "$work/agents-agentsview.json" \
    "sh $av sync 2>&1" >/dev/null 2>"$averr"; then
    avskipped="agentsview failed: $(last_line "$avlog")"
    return 1
  fi
  # What the last run found: the sources its log says it discovered (a file, or a session of a database)
  # and its sessions by agent, against the session files the reference counter read and the sessions of
  # OpenCode's and Kilo's databases.
  if ! avsummary=$(python3 - "$avdata" "$reference" "$opencode_dir/opencode.db" "$kilo_dir/kilo.db" 2>"$averr" <<'PY'
import json, re, sqlite3, sys
from urllib.parse import quote
data, reference, opencode_db, kilo_db = sys.argv[1:5]
files = json.load(open(reference))["files"]

def db_sessions(path):
    source = sqlite3.connect("file:" + quote(path) + "?mode=ro", uri=True)
    try:
        return source.execute("SELECT count(*) FROM session").fetchone()[0]
    finally:
        source.close()

expected = {"gemini": files["gemini"], "qwen": files["qwen"], "copilot": files["copilot"],
            "opencode": db_sessions(opencode_db), "kilo": db_sessions(kilo_db)}
with open(data + "/debug.log") as handle:
    discovered = [line for line in handle if " discovered " in line][-1]
total = int(re.search(r"discovered (\d+) files", discovered).group(1))
logged = {agent: int(n) for n, agent in re.findall(r"(\d+) ([a-z][a-z-]*)", discovered) if agent in expected}
database = sqlite3.connect("file:" + data + "/sessions.db?mode=ro", uri=True)
sessions = dict(database.execute("SELECT agent, count(*) FROM sessions GROUP BY agent").fetchall())
found = {agent: sessions.get(agent, 0) for agent in expected}
right = total == sum(expected.values()) and found == expected and all(logged[a] == expected[a] for a in logged)
print(f"agentsview: its log discovered {total} sources ({', '.join(f'{n} {a}' for a, n in logged.items())}); "
      f"sessions {', '.join(f'{n} {a}' for a, n in found.items())}: "
      + ("as many as the session files and database sessions" if right else f"NOT the sessions {expected}")
      + f"; not read by agentsview: Cline's {files['cline']} VS Code tasks and OpenCode's older message files")
PY
  ); then
    avskipped="agentsview's archive could not be read: $(last_line "$averr")"
    return 1
  fi
}
avsummary=""
if ! need_pip agentsview >&2; then
  avskipped="agentsview (PyPI) could not be installed"
else
  agentsview_peer || true
fi

sh "$reset"
"$bin" -C "$repo" usage import all --dir "$home" >/dev/null 2>&1
hyperfine -N --warmup 2 --runs 20 --export-json "$work/agents-again.json" \
  "$bin -C $repo usage import all --dir $home" >/dev/null 2>&1
memory=$(/usr/bin/time -f "%M" sh -c "sh $reset; $bin -C $repo usage import all --dir $home >/dev/null 2>&1" 2>&1 | tail -1)

# Token totals: octo-git's (notes and pending, after one full import) against the reference counter's and
# the generator's.
sh "$reset"
"$bin" -C "$repo" usage import all --dir "$home" >/dev/null 2>&1
"$bin" -C "$repo" usage --by agent --json > "$work/agents-report.json"
"$bin" -C "$repo" usage pending --all --json > "$work/agents-pending.json"
agreed=1
totals=$(python3 - "$work" "$reference" "$home/expected.json" <<'PY'
import json, sys
work, reference_path, expected_path = sys.argv[1:4]
reference = json.load(open(reference_path))["agents"]
classes = ["events", "in", "out", "cr", "cw5m", "cw1h"]
ours = {agent: dict.fromkeys(classes, 0) for agent in reference}
for row in json.load(open(work + "/agents-report.json"))["rows"]:
    if row["key"] in ours:
        for key in classes:
            ours[row["key"]][key] += row[key]
for event in json.load(open(work + "/agents-pending.json")):
    count = ours.get(event.get("agent"))
    if count is not None:
        count["events"] += 1
        for key in classes[1:]:
            count[key] += event.get(key, 0)
differences = [f"{agent} {key}: octo-git {ours[agent][key]}, reference {reference[agent][key]}"
               for agent in reference for key in classes if ours[agent][key] != reference[agent][key]]
# The generator's own count: requests, and the cache writes in one class.
expected = json.load(open(expected_path))["agents"]
generated = {agent: {"requests": count["events"], "in": count["in"], "out": count["out"], "cr": count["cr"],
                     "cw": count["cw5m"] + count["cw1h"]} for agent, count in ours.items()}
if differences:
    print("token totals DIFFER from the reference counter's: " + "; ".join(differences))
else:
    print("token totals equal the reference counter's" + (" and the generator's count" if generated == expected else ""))
if generated != expected:
    print(f"token totals DIFFER from the generator's count: octo-git {generated}, expected {expected}")
print("by agent: " + "; ".join(f"{agent} " + ", ".join(f"{key} {count[key]:,}" for key in classes)
                               for agent, count in ours.items()))
sys.exit(1 if differences or generated != expected else 0)
PY
) || agreed=0

echo
echo "$totals"
echo "agents: $files, $size MB; octo-git peak memory $((memory / 1024)) MB"
set -- "usage import all (6 agents)|$work/agents-octo.json|$work/agents-grep.json|cat + grep -a -c usage lines (the I/O floor)|ratio <= 2"
if [ -n "$avsummary" ]; then
  echo "$avsummary"
  set -- "$@" "usage import all (6 agents)|$work/agents-octo.json|$work/agents-agentsview.json|agentsview sync (no Cline, no OpenCode files)|ratio <= 0.1"
else
  echo "agentsview row left out: $avskipped"
fi
print_table "$@" "import again, nothing new|$work/agents-again.json|||<= 0.1 s"
[ "$agreed" -eq 1 ]
