# Shared helpers for the benchmarks (sourced).

# A hook or wrapper may have exported GIT_DIR and friends: they would aim git at another repository.
for var in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done

bench_dir=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_WORK:-"$bench_dir/../.build/bench"}
mkdir -p "$work"
# Repositories the benchmarks install into register for the rollup: keep them out of the user's registry.
export XDG_DATA_HOME="$work/xdg-data"

# hyperfine (Debian) times commands over repeated runs.
need_hyperfine() {
  command -v hyperfine >/dev/null 2>&1 && return 0
  echo "installing hyperfine" >&2
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }
  else
    echo "bench needs hyperfine: sudo apt-get install -y hyperfine" >&2
    exit 1
  fi
}

# A Python virtual environment for the peers that come from PyPI. Fails (status 1) when the package cannot be
# installed (no network, no venv module): callers skip what needs it, with one line.
venv="$work/venv"
need_pip() {
  package=$1
  { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } || return 1
  "$venv/bin/python" -m pip show -q "$package" >/dev/null 2>&1 || "$venv/bin/python" -m pip install -q "$package" || return 1
}

# lefthook's own binary, not the Python wrapper around it; nothing when it cannot be installed.
lefthook_binary() {
  need_pip lefthook >&2 || return 0
  find "$venv" -path '*lefthook/bin/*' -name lefthook -type f | head -n 1
}

# Writes the script $1 that runs agentsview (PyPI: its wheel carries its Go binary, which runs offline) with
# a clean environment: the empty home $2, so that no agent's data is read but what the remaining VAR=value
# arguments point at (CLAUDE_PROJECTS_DIR, GEMINI_DIR, ...); its database and config in $3; no daemon, no
# telemetry. Call it after `need_pip agentsview`.
agentsview_wrapper() {
  wrapper=$1 wrapper_home=$2 wrapper_data=$3
  shift 3
  wrapper_binary=$(find "$venv" -path '*/agentsview/bin/agentsview' -type f | head -n 1)
  [ -n "$wrapper_binary" ] || wrapper_binary="$venv/bin/agentsview"
  wrapper_settings=""
  for setting in "$@"; do
    wrapper_settings="$wrapper_settings ${setting%%=*}='${setting#*=}'"
  done
  mkdir -p "$wrapper_home"
  cat > "$wrapper" <<SCRIPT
#!/bin/sh
exec env -i PATH="\$PATH" HOME='$wrapper_home' XDG_CONFIG_HOME='$wrapper_home/.config' XDG_DATA_HOME='$wrapper_home/.local/share' \\
  XDG_CACHE_HOME='$wrapper_home/.cache' AGENTSVIEW_DATA_DIR='$wrapper_data' \\
  AGENTSVIEW_NO_DAEMON=1 AGENTSVIEW_TELEMETRY_ENABLED=0 DO_NOT_TRACK=1 \\
 $wrapper_settings '$wrapper_binary' "\$@"
SCRIPT
}

# The floor program (bench/floor.c), built once into $work: what libgit2 and the machine allow at best for
# what a benchmark times. Prints its path, or nothing when it cannot be built (no C compiler, no libgit2).
floor_binary() {
  floor="$work/floor"
  if [ ! -x "$floor" ] || [ -n "$(find "$bench_dir/floor.c" -newer "$floor")" ]; then
    floor_flags=$(pkg-config --cflags --libs libgit2 2>/dev/null) || return 0
    # shellcheck disable=SC2086 # pkg-config's flags are words
    "${CC:-cc}" -O2 -o "$floor" "$bench_dir/floor.c" $floor_flags -lpthread 2>/dev/null || return 0
  fi
  echo "$floor"
}

# Prints a table from hyperfine JSON exports: each line of $1 is "label|ours.json|peer.json" (peer may be
# empty); the ratio is ours / peer.
print_table() {
  python3 "$bench_dir/table.py" "$@"
}

# The rollup's data (shared with the team ledger's benchmark): ROLLUP_REPOS repositories (100) of
# ROLLUP_COMMITS commits (2,000), each with a usage note of two events, made once under $work/rollup-repos.
# Sets repos, count and commits.
rollup_repositories() {
  repos="$work/rollup-repos"
  mkdir -p "$repos"
  count=${ROLLUP_REPOS:-100}
  commits=${ROLLUP_COMMITS:-2000}
  generated=0
  for number in $(seq -w 1 "$count"); do
    repo="$repos/r$number"
    if [ ! -d "$repo/.git" ]; then
      [ "$generated" -eq 0 ] && echo "generating $count repositories of $commits commits with usage notes" >&2
      generated=1
      python3 "$bench_dir/make-notes-repo.py" "$repo" "$commits" 2
    fi
  done
}
