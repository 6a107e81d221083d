#!/usr/bin/env python3
"""Writes a smaller copy of ICU's packaged data (an ICU "common data" file) for octo-git's static link.

Usage: icu-data-filter.py IN.dat OUT.dat

Foundation links all of ICU's data into every program: 34 MB, most of the binary. octo-git formats nothing
by the user's locale (reports use en_US_POSIX and their own money and date formats); what it asks ICU for is
time zones, the Gregorian calendar, the root and English locales, normalisation and case folding. The copy
keeps every item that is not tied to a language, the root and English locales of the main tree and of the
time-zone names and break rules; it leaves out collation, currency, language, region and unit names,
transliterators, spell-out rules, charset converters, stringprep profiles, character names, confusables,
and the dictionaries and variant rules of CJK, Thai, Lao, Khmer and Burmese breaking. A locale whose data is
left out falls back to root, as ICU does for any locale it lacks.

Format (ICU's udata.h and ucmndata.h): a header of `headerSize` bytes (magic 0xda27, data format "CmnD"),
then a table of contents: a uint32 count and `count` pairs of uint32 (name offset, data offset), both from
the start of the table; the names (sorted, NUL-terminated, "icudt76l/zone/en.res"), then each item's data,
16-byte aligned. The copy keeps the header, the order and the alignment.
"""

import re
import struct
import sys

LOCALE = re.compile(r"^([a-z]{2,3}|root)(_[A-Za-z0-9]+)*$")
KEPT_LOCALES = {"root", "en", "en_US", "en_US_POSIX"}
LEFT_OUT_SUFFIXES = (".cnv", ".spp", ".dict")
LEFT_OUT_TREES = {"translit", "rbnf", "coll", "curr", "lang", "region", "unit"}
LEFT_OUT_NAMES = {"unames.icu", "confusables.cfu"}
# Break rules kept: the plain ones (the variants are for CJK and phrase line breaking, Finnish and Greek).
KEPT_BREAK_RULES = {"char.brk", "word.brk", "line.brk", "sent.brk", "title.brk"}


def keep(name: str) -> bool:
    parts = name.split("/")[1:]
    leaf = parts[-1]
    if leaf.endswith(LEFT_OUT_SUFFIXES) or leaf in LEFT_OUT_NAMES:
        return False
    if len(parts) > 1 and parts[0] in LEFT_OUT_TREES:
        return False
    if leaf.endswith(".brk"):
        return leaf in KEPT_BREAK_RULES
    base = leaf.rsplit(".", 1)[0]
    if leaf.endswith(".res") and LOCALE.match(base) and base != "res_index":
        return base in KEPT_LOCALES
    return True


def fail(message: str) -> None:
    sys.exit(f"icu-data-filter: {message}")


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: icu-data-filter.py IN.dat OUT.dat")
    data = open(sys.argv[1], "rb").read()
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD" or data[8] != 0:
        fail("not a little-endian ICU common data file")
    toc = header_size
    (count,) = struct.unpack_from("<I", data, toc)
    entries = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for index, (name_offset, data_offset) in enumerate(entries):
        end = entries[index + 1][1] if index + 1 < count else len(data) - toc
        name_end = data.index(b"\0", toc + name_offset)
        name = data[toc + name_offset : name_end].decode("ascii")
        items.append((name, data[toc + data_offset : toc + end]))
    kept = [(name, body) for name, body in items if keep(name)]

    names = b"".join(name.encode("ascii") + b"\0" for name, _ in kept)
    table_size = 4 + 8 * len(kept)
    first_data = table_size + len(names)
    first_data += -first_data % 16
    out = bytearray(data[:header_size])
    table = bytearray(struct.pack("<I", len(kept)))
    name_offset, data_offset = table_size, first_data
    bodies = bytearray()
    for name, body in kept:
        table += struct.pack("<II", name_offset, data_offset)
        name_offset += len(name) + 1
        padded = body + b"\0" * (-len(body) % 16)
        bodies += padded
        data_offset += len(padded)
    out += table + names + b"\0" * (first_data - table_size - len(names)) + bodies
    open(sys.argv[2], "wb").write(out)


if __name__ == "__main__":
    main()
