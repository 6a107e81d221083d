#!/bin/sh
# Rollup benchmark (issue: cross-repository rollup): 100 generated repositories of 2,000 commits, each
# commit carrying a usage note of 2 events. octo-git's rollup cold (every note read into an empty rollup
# database) and warm (nothing changed), side by side with the git CLI reading the same notes
# (`git notes --ref=octo/usage list | git cat-file --batch`, per repository).
set -eu
bin=${1:?usage: bench-rollup.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine

rollup_repositories

export XDG_DATA_HOME="$work/rollup-xdg"
rm -rf "$XDG_DATA_HOME"
"$bin" repos scan "$repos" --depth 1 >/dev/null

baseline="$work/rollup-git-cli.sh"
cat > "$baseline" <<SCRIPT
#!/bin/sh
for repo in "$repos"/r*; do
  git -C "\$repo" notes --ref=octo/usage list | git -C "\$repo" cat-file --batch >/dev/null
done
SCRIPT

hyperfine --warmup 1 --runs 5 --export-json "$work/rollup-git.json" "sh $baseline" >/dev/null
hyperfine -N --warmup 1 --runs 5 --export-json "$work/rollup-cold.json" "$bin rollup --rebuild --format json" >/dev/null
"$bin" rollup --by repo --format json >/dev/null
hyperfine -N --warmup 2 --runs 20 --export-json "$work/rollup-warm.json" "$bin rollup --by repo --format json" >/dev/null
forget_results="$work/rollup-forget-results.py"
cat > "$forget_results" <<PY
import sqlite3
connection = sqlite3.connect("$XDG_DATA_HOME/octo-git/rollup.sqlite")
connection.execute("DELETE FROM result_cache")
connection.commit()
PY
hyperfine -N --warmup 2 --runs 10 --export-json "$work/rollup-fresh-view.json" \
  --prepare "python3 $forget_results" "$bin rollup --by model,cycle --cycle-day 19 --format json" >/dev/null

events=$("$bin" rollup --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["events"])')
echo
echo "rollup: $count repositories x $commits commits with usage notes ($events events)"
print_table \
  "rollup, cold (every note read)|$work/rollup-cold.json|$work/rollup-git.json|git notes list piped to git cat-file --batch, per repository|ratio <= 1" \
  "rollup, warm (nothing changed)|$work/rollup-warm.json|||<= 0.2 s" \
  "rollup --by model,cycle, nothing changed, not saved before|$work/rollup-fresh-view.json|||-"
