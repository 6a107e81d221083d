#!/bin/sh
# Usage: icu-data-archive.sh OUT_DIR
# Writes OUT_DIR/libocto-icu-data.a, one object defining ICU's data symbol (icudtNN_dat) with the part of the
# toolchain's ICU data that scripts/icu-data-filter.py keeps, and prints "SYMBOL ARCHIVE". Exits 1, printing
# nothing, when the toolchain's ICU archive or a tool is missing: the link then takes the whole data.
set -eu

out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
swift=$(command -v swift) || exit 1
icu="$(dirname "$(readlink -f "$swift")")/../lib/swift_static/linux/lib_FoundationICU.a"
[ -f "$icu" ] || exit 1
for tool in python3 ar nm objcopy as; do
  command -v "$tool" >/dev/null 2>&1 || { echo "static-link: no $tool; linking ICU's whole data" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
member=$(ar t "$icu" | grep '^icu_packaged_data' | head -n 1)
[ -n "$member" ] || exit 1
(cd "$work" && ar x "$icu" "$member")
# The data is the member's whole .rodata: one symbol at offset 0 spanning the section.
set -- $(nm -S "$work/$member" | awk '$3 == "R" && $4 ~ /^icudt[0-9]+_dat$/ { print $1, $2, $4 }')
[ $# -eq 3 ] && [ "$((0x$1))" -eq 0 ] || exit 1
symbol=$3
objcopy -O binary --only-section=.rodata "$work/$member" "$work/whole.dat"
[ "$(wc -c < "$work/whole.dat")" -eq "$((0x$2))" ] || exit 1
python3 "$root/scripts/icu-data-filter.py" "$work/whole.dat" "$work/kept.dat" || exit 1
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
