#!/bin/sh
# Team ledger benchmark (issue: team ledger on PostgreSQL): the rollup benchmark's repositories (100 x 2,000
# commits x 2 events, ids unique per repository) pushed by `octo-git team push` into an empty team database,
# side by side with `psql \copy` of the same rows as CSV into a table shaped as octo.events (same columns,
# primary key and index: the floor of any loader); then a push with nothing new and `rollup --team --by
# model` over those rows. The same push is set beside agentsview's (PyPI: its wheel carries its Go binary,
# which runs offline) `agentsview pg push` of a Claude Code corpus holding as many usage records
# (make-claude-corpus.py: one project per repository, made once under $work), read into agentsview's
# SQLite archive by `agentsview sync` outside the timing (its local import, as octo-git's notes are in the
# repositories already), its schema dropped before each run; without agentsview that row is left out, with
# one line. It starts a throwaway loopback PostgreSQL cluster (scripts/test-postgres.sh) and stops it at the
# end. Sizes: ROLLUP_REPOS, ROLLUP_COMMITS (as bench-rollup.sh, whose repositories it reuses).
set -eu
bin=${1:?usage: bench-team.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
project_dir=$(cd "$bench_dir/.." && pwd)
have_initdb() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
if ! command -v psql >/dev/null 2>&1 || ! have_initdb; then
  echo "team benchmark skipped: no PostgreSQL server here (psql, initdb: Debian's postgresql package)"
  exit 0
fi
if ! "$bin" --help 2>/dev/null | grep -qE '^ +team( |$)'; then
  echo "team benchmark skipped: this octo-git has no team command"
  exit 0
fi
need_hyperfine

rollup_repositories

export XDG_DATA_HOME="$work/team-xdg"
rm -rf "$XDG_DATA_HOME"
"$bin" repos scan "$repos" --depth 1 >/dev/null

csv="$work/team-$count-$commits.csv"
# The same rows as the push reads: every repository the scan registered (made again when one is newer).
if [ ! -f "$csv" ] || [ -n "$(find "$repos" -mindepth 1 -maxdepth 1 -newer "$csv" | head -n 1)" ]; then
  python3 "$bench_dir/team-csv.py" "$repos" "$csv" >/dev/null
fi
rows=$(wc -l < "$csv")

pgdir=$(mktemp -d "${TMPDIR:-/tmp}/octo-bench-postgres.XXXXXX")
trap 'sh "$project_dir/scripts/test-postgres.sh" stop "$pgdir"' EXIT
trap 'exit 130' INT TERM
if ! url=$(sh "$project_dir/scripts/test-postgres.sh" start "$pgdir" 2>"$work/team-postgres.log"); then
  echo "team benchmark skipped: PostgreSQL did not start ($(tail -n 1 "$work/team-postgres.log"))"
  exit 0
fi
export OCTO_GIT_TEAM_URL="$url"
"$bin" team init >/dev/null
pg() { PGOPTIONS='-c client_min_messages=warning' psql -X -q "$url" "$@"; }

# The floor: the same rows, already as CSV, copied by psql into a table shaped as octo.events.
pg -c 'DROP TABLE IF EXISTS public.floor_events' -c 'CREATE TABLE public.floor_events (LIKE octo.events INCLUDING ALL)'
columns='event_id, at, project, model, model_raw, agent, session, user_name, machine, branch, feature, "commit", tin, tout, cw5m, cw1h, cr, cost, prices, pushed_by, pushed_from'
floor_copy="$work/team-floor-copy.sh"
cat > "$floor_copy" <<SCRIPT
#!/bin/sh
exec psql -X -q "$url" -c "\\copy public.floor_events ($columns) FROM '$csv' WITH (FORMAT csv)"
SCRIPT
floor_reset="$work/team-floor-reset.sh"
printf '#!/bin/sh\nexec psql -X -q "%s" -c "TRUNCATE public.floor_events"\n' "$url" > "$floor_reset"
# An empty team database each run: the schema dropped and made again (a new database id, so everything goes).
push_reset="$work/team-push-reset.sh"
printf '#!/bin/sh\npsql -X -q "%s" -c "DROP SCHEMA IF EXISTS octo CASCADE" && exec "%s" team init >/dev/null\n' "$url" "$bin" > "$push_reset"

hyperfine --warmup 1 --runs 3 --prepare "sh $floor_reset" --export-json "$work/team-floor.json" "sh $floor_copy" >/dev/null
hyperfine -N --warmup 1 --runs 3 --prepare "sh $push_reset" --export-json "$work/team-push.json" "$bin team push --quiet" >/dev/null
pushed=$(pg -t -A -c 'SELECT count(*) FROM octo.events')
# What autovacuum would do on a server in use: the visibility map and statistics for the report.
pg -c 'VACUUM ANALYZE octo.events'
hyperfine -N --warmup 2 --runs 20 --export-json "$work/team-push-again.json" "$bin team push --quiet" >/dev/null
hyperfine -N --warmup 2 --runs 20 --export-json "$work/team-rollup.json" "$bin rollup --team --by model --format json" >/dev/null

# The peer agentsview: its corpus (made once), read into its archive in $avdata (once; later runs find
# nothing new), then pushed into an empty schema. It runs through a wrapper with a clean environment: an
# empty home, so no agent's data but the corpus is read, no daemon, no telemetry. Sets avsummary; fails
# (status 1) with the reason in $work/team-agentsview.log.
agentsview_peer() {
  avcorpus="$work/agentsview-corpus-$rows"
  avdata="$work/agentsview-data-$rows"
  avhome="$work/team-agentsview-home"
  avlog="$work/team-agentsview.log"
  if [ ! -f "$avcorpus/expected.json" ]; then
    rm -rf "$avcorpus" "$avdata"
    echo "generating a Claude Code corpus of $rows usage records for agentsview" >&2
    python3 "$bench_dir/make-claude-corpus.py" "$avcorpus" "$repos" "$rows" >/dev/null || return 1
  fi
  av="$work/team-agentsview.sh"
  agentsview_wrapper "$av" "$avhome" "$avdata" CLAUDE_PROJECTS_DIR="$avcorpus" AGENTSVIEW_PG_URL="$url" \
    AGENTSVIEW_PG_SCHEMA=agentsview
  avreset="$work/team-agentsview-reset.sh"
  printf '#!/bin/sh\nPGOPTIONS="-c client_min_messages=warning" exec psql -X -q "%s" -c "DROP SCHEMA IF EXISTS agentsview CASCADE"\n' "$url" > "$avreset"
  sh "$av" sync > "$avlog" 2>&1 || return 1
  # One push outside the timing (the warm-up), its output kept: each timed push makes the schema again.
  sh "$avreset" && sh "$av" pg push >> "$avlog" 2>&1 || return 1
  schema=$(tr '\r' '\n' < "$avlog" | sed -n 's/.*PostgreSQL schema ready in \([^ ]*\).*/\1/p' | tail -n 1)
  hyperfine -N --runs 3 --prepare "sh $avreset" --export-json "$work/team-agentsview.json" "sh $av pg push" \
    >/dev/null 2>> "$avlog" || return 1
  # What the last timed push left: sessions, projects, messages, and messages with usage (a model and tokens).
  counts=$(pg -t -A -F ' ' -c "SELECT count(*), count(DISTINCT project) FROM agentsview.sessions" \
    -c "SELECT count(*), count(*) FILTER (WHERE token_usage <> '' AND model <> '') FROM agentsview.messages" |
    tr '\n' ' ') || return 1
  read -r avsessions avprojects avmessages avusage <<COUNTS
$counts
COUNTS
  verdict=""
  [ "$avusage" -eq "$rows" ] || verdict=", NOT the $rows events"
  avsummary="agentsview: $avsessions Claude Code sessions of $avprojects projects pushed ($avmessages messages, $avusage with usage$verdict; each timed push makes its schema, ${schema:-?})"
}
avsummary=""
if ! need_pip agentsview >&2; then
  avskipped="agentsview (PyPI) could not be installed"
elif ! agentsview_peer; then
  avskipped="agentsview failed: $(tail -n 1 "$work/team-agentsview.log")"
fi

echo
echo "team ledger: $count repositories x $commits commits with usage notes ($rows events as CSV, $pushed rows pushed)"
set -- "team push into an empty database|$work/team-push.json|$work/team-floor.json|psql \\copy of the same rows as CSV|ratio <= 1.5"
if [ -n "$avsummary" ]; then
  echo "$avsummary"
  set -- "$@" "team push into an empty database|$work/team-push.json|$work/team-agentsview.json|agentsview pg push, as many usage records|ratio < 1"
else
  echo "agentsview row left out: $avskipped"
fi
print_table "$@" \
  "team push, nothing new|$work/team-push-again.json|||<= 0.1 s" \
  "rollup --team --by model|$work/team-rollup.json|||<= 0.5 s"
