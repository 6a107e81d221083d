#!/bin/sh
# Usage: icu-data-archive.sh OUT_DIR
# Writes OUT_DIR/libocto-icu-data.a, one object defining ICU's data symbol (icudtNN_dat) with the part of the
# toolchain's ICU data that scripts/icu-data-filter.py keeps, and prints "SYMBOL ARCHIVE". When the
# toolchain's ICU archive or a tool is missing it says why in one line on standard error and exits 1: the
# link then takes the whole data.
set -eu

out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# Why the whole data is linked instead, in one line on standard error; the link goes on.
skip() { echo "static-link: $*; linking ICU's whole data (a binary about 34 MB larger)" >&2; exit 1; }
for tool in python3 ar nm objcopy as; do
  command -v "$tool" >/dev/null 2>&1 || skip "no $tool"
done
# The toolchain's static libraries are beside its runtime resources (swiftly's proxy and symlinks included).
resources=$(${SWIFTC:-swiftc} -print-target-info 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["paths"]["runtimeResourcePath"])' 2>/dev/null) ||
  skip "swiftc -print-target-info did not name the toolchain's resources"
icu="${resources}_static/linux/lib_FoundationICU.a"
[ -f "$icu" ] || skip "no $icu"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
member=$(ar t "$icu" | grep '^icu_packaged_data' | head -n 1)
[ -n "$member" ] || skip "no packaged data in $icu"
(cd "$work" && ar x "$icu" "$member")
# The data is the member's whole .rodata: one symbol at offset 0 spanning the section.
# shellcheck disable=SC2046  # the three fields of nm's line, split on purpose
set -- $(nm -S "$work/$member" | awk '$3 == "R" && $4 ~ /^icudt[0-9]+_dat$/ { print $1, $2, $4 }')
[ $# -eq 3 ] && [ "$((0x$1))" -eq 0 ] || skip "ICU's data symbol is not where it was looked for in $member"
symbol=$3
objcopy -O binary --only-section=.rodata "$work/$member" "$work/whole.dat"
[ "$(wc -c < "$work/whole.dat")" -eq "$((0x$2))" ] || skip "ICU's data does not fill $member's .rodata"
python3 "$root/scripts/icu-data-filter.py" "$work/whole.dat" "$work/kept.dat" || skip "the filter refused it"
cat > "$work/data.s" <<ASM
	.section .rodata.$symbol,"a"
	.globl $symbol
	.type $symbol, @object
	.balign 16
$symbol:
	.incbin "$work/kept.dat"
	.size $symbol, . - $symbol
	.section .note.GNU-stack,"",@progbits
ASM
as -o "$work/data.o" "$work/data.s"
rm -f "$out/libocto-icu-data.a"
ar rcs "$out/libocto-icu-data.a" "$work/data.o"
echo "$symbol $out/libocto-icu-data.a"
