#!/bin/sh
# Prepares .build-static/lib, a folder Package.swift puts first on the linker's search path, so that
# octo-git links libgit2 (with everything it needs), SQLite and libstdc++ statically when their
# archives are installed (libgit2-dev and libsqlite3-dev ship them on Debian).
#
# Why: a hook is a process start. Linked dynamically, octo-git loads 22 shared libraries (libgit2's
# TLS, SSH, Kerberos and regex stacks among them) and the dynamic linker resolves about 9,000 symbols
# before main: 3 to 4 ms of every hook, a fifth of a post-commit run. Linked statically, all of that is
# settled at build time.
#
# How: each file written here is a GNU linker script named like the shared library the build asks for
# (libgit2.so, libsqlite3.so, libstdc++.so); the linker reads it in place of the library and takes the
# archives it lists (as glibc's own libc.so does). Without this folder, or for an archive that is
# missing, the build links the shared libraries as before: slower to start, same behaviour.
#
# mbedTLS's X.509 archive is copied with its two certificate-loading functions made weak, so the
# definitions in Sources/CShims/libgit2_startup.c take their place (see that file for why). libssh2 (with
# OpenSSL's libcrypto) is left out: Sources/CShims/libssh2_unused.c defines the calls libgit2 makes.
#
# ICU's data: Foundation links all of it (34 MB, most of the binary). scripts/icu-data-filter.py writes the
# part octo-git can use (time zones, calendars, the root and English locales) into an archive named first
# in libgit2.so's group, and the group's EXTERN makes the linker take ICU's data symbol from it. That works
# because the link asks for libgit2 (octo-git's objects name it) before the toolchain's -l_FoundationICU:
# the symbol is defined before ICU's archive is searched, so ICU's own copy is never pulled in. `make demo`
# checks the result's size. Without python3, or with a toolchain whose ICU data is not where it is looked
# for, the whole data is linked as before (said in one line).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.build-static/lib"
rm -rf "$out"
mkdir -p "$out"

command -v pkg-config >/dev/null 2>&1 || { echo "static-link: pkg-config missing; linking shared libraries" >&2; exit 0; }
libdir=$(pkg-config --variable=libdir libgit2 2>/dev/null || true)
[ -n "$libdir" ] && [ -f "$libdir/libgit2.a" ] || { echo "static-link: no libgit2.a; linking shared libraries" >&2; exit 0; }

# The archives for a list of -l flags, in order, each once; names without an archive are left out.
# (-pthread and other non -l flags are dropped: the Swift link already brings the thread library.)
archives() {
  seen=""
  for flag in "$@"; do
    case "$flag" in -l*) name=${flag#-l} ;; *) continue ;; esac
    case " $seen " in *" $name "*) continue ;; esac
    seen="$seen $name"
    case "$name" in
      # The C library's parts stay shared: a static copy of them beside a shared libc is not safe.
      c | m | dl | rt | pthread) printf ' -l%s' "$name"; continue ;;
      # See Sources/CShims/libssh2_unused.c.
      ssh2) continue ;;
    esac
    if [ "$name" = mbedx509 ] && [ -f "$libdir/libmbedx509.a" ]; then
      objcopy --weaken-symbol=mbedtls_x509_crt_parse_file --weaken-symbol=mbedtls_x509_crt_parse_path \
        "$libdir/libmbedx509.a" "$out/libmbedx509-weak.a"
      printf ' "%s"' "$out/libmbedx509-weak.a"
    elif [ -f "$libdir/lib$name.a" ]; then
      printf ' "%s"' "$libdir/lib$name.a"
    fi
  done
}

# shellcheck disable=SC2046
git2=$(archives $(pkg-config --static --libs libgit2))
icu=$(sh "$root/scripts/icu-data-archive.sh" "$out" || true)
{
  printf '/* Written by scripts/static-link.sh: libgit2 and its dependencies, linked statically. */\n'
  [ -z "$icu" ] || printf 'EXTERN ( %s )\n' "${icu%% *}"
  printf 'GROUP (%s%s )\n' "${icu:+ \"${icu#* }\"}" "$git2"
} > "$out/libgit2.so"

if [ -f "$libdir/libsqlite3.a" ]; then
  # shellcheck disable=SC2046
  sqlite=$(archives $(pkg-config --static --libs sqlite3 2>/dev/null || echo -lsqlite3))
  printf '/* Written by scripts/static-link.sh: SQLite, linked statically. */\nGROUP (%s )\n' "$sqlite" > "$out/libsqlite3.so"
fi

cxx=$(gcc -print-file-name=libstdc++.a 2>/dev/null || true)
if [ -f "$cxx" ]; then
  printf '/* Written by scripts/static-link.sh: the C++ runtime the Swift runtime uses, linked statically. */\nINPUT ( %s )\n' \
    "$cxx" > "$out/libstdc++.so"
fi
