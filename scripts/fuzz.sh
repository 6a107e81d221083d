#!/bin/sh
# Runs every fuzz target of octo-fuzz (built with OCTO_FUZZ=1, see Package.swift) for SECONDS each, starting
# from the seed corpora in Tests/Fuzz/<target>. New inputs go to .build-fuzz/corpus/<target> (the seeds are
# never modified); a crash, a hang or a memory blow-up is saved under .build-fuzz/findings/ and fails the run.
#   sh scripts/fuzz.sh BINARY SECONDS [TARGET...]
set -eu
binary=$1
seconds=$2
shift 2
targets=${*:-note-line json claude-line codex-rollout archive snapshot-state folder-cache hook-input template \
  gemini-chat copilot-events opencode-message cline-messages cline-session qwen-chat json-select actions-event \
  github-link github-api copy-row import-offsets agent-import-state fsmonitor-response}
root=${FUZZ_WORK:-.build-fuzz}
corpus="$root/corpus"
findings="$root/findings"
mkdir -p "$findings"
failed=0
for target in $targets; do
  mkdir -p "$corpus/$target"
  log="$findings/$target.log"
  if OCTO_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$findings/$target-" -print_final_stats=1 "$corpus/$target" "Tests/Fuzz/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz $target: ${runs:-?} runs, nothing found"
  else
    echo "fuzz $target: FAILED (see $log and $findings/$target-*)" >&2
    grep -E "ERROR|Fatal error|deadly signal|SUMMARY" "$log" | head -5 >&2 || true
    failed=1
  fi
done
exit $failed
