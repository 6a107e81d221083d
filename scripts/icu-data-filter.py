#!/usr/bin/env python3
"""Writes a smaller copy of ICU's packaged data (an ICU "common data" file) for octo-git's static link.

Usage: icu-data-filter.py IN.dat OUT.dat

Foundation links all of ICU's data into every program: 34 MB, most of the binary. octo-git formats nothing
by the user's locale (reports use en_US_POSIX and their own money and date formats); what it asks ICU for is
time zones, the Gregorian calendar, the root and English locales, normalisation and case folding.

The copy keeps every item that is not tied to a language, and the root and English locales of the main
tree and of the trees of time-zone names, collation, break rules, currencies and units, so number, currency,
date, list and byte-count formats, sorting and case mapping work as with the whole data (checked against
it), and any locale's lookup falls back to English or root data as ICU does for a locale it lacks. It
leaves out the other languages' locales, the names of languages and regions (`Locale.localizedString(for…)`
returns nil), charset converters (UTF-8, UTF-16 and Latin-1 are in ICU's code), stringprep profiles, the
dictionaries and rules of CJK, Thai, Lao, Khmer and Burmese breaking, character names, confusables (spoof
checks), transliterators and spell-out rules: those ICU services are unavailable in the release binary.

Format (ICU's udata.h and ucmndata.h): a header of `headerSize` bytes (magic 0xda27, data format "CmnD"),
then a table of contents: a uint32 count and `count` pairs of uint32 (name offset, data offset), both from
the start of the table; the names (sorted, NUL-terminated, "icudt76l/zone/en.res"), then each item's data,
16-byte aligned, each item a data file with its own 0xda27 header. The copy keeps the header, the order and
the alignment. Any inconsistency in the input ends the script with one line and exit status 1.
"""

import re
import struct
import sys

LOCALE = re.compile(r"^([a-z]{2,3}|root)(_[A-Za-z0-9]+)*$")
KEPT_LOCALES = {"root", "en", "en_US", "en_US_POSIX"}
LEFT_OUT_SUFFIXES = (".cnv", ".spp", ".dict", "_cj.brk")
LEFT_OUT_TREES = {"translit", "rbnf", "lang", "region"}
LEFT_OUT_NAMES = {"unames.icu", "confusables.cfu"}


def keep(name: str) -> bool:
    parts = name.split("/")[1:]
    leaf = parts[-1]
    if leaf.endswith(LEFT_OUT_SUFFIXES) or leaf in LEFT_OUT_NAMES:
        return False
    if len(parts) > 1 and parts[0] in LEFT_OUT_TREES:
        return False
    base = leaf.rsplit(".", 1)[0]
    if leaf.endswith(".res") and LOCALE.match(base) and base != "res_index":
        return base in KEPT_LOCALES
    return True


def fail(message: str) -> None:
    sys.exit(f"icu-data-filter: {message}")


def read_items(data: bytes) -> tuple[int, list[tuple[str, bytes]]]:
    """The header's size and every item (name, bytes) of an ICU common data file, checked."""
    if len(data) < 32:
        fail("the input is too short to be ICU data")
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD" or data[8] != 0:
        fail("the input is not little-endian ICU common data")
    if header_size % 16 or header_size + 4 > len(data):
        fail(f"unexpected header size {header_size}")
    toc = header_size
    (count,) = struct.unpack_from("<I", data, toc)
    table_end = 4 + 8 * count
    if count == 0 or toc + table_end > len(data):
        fail(f"a table of {count} items does not fit the input")
    entries = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
    items = []
    previous_name = ""
    for index, (name_offset, data_offset) in enumerate(entries):
        end = entries[index + 1][1] if index + 1 < count else len(data) - toc
        if not table_end <= name_offset < data_offset <= end <= len(data) - toc or data_offset % 16:
            fail(f"item {index}: offsets out of order or out of bounds")
        name_end = data.find(b"\0", toc + name_offset, toc + data_offset)
        if name_end < 0:
            fail(f"item {index}: its name has no end")
        name = data[toc + name_offset : name_end].decode("ascii", errors="replace")
        if name <= previous_name:
            fail(f"item {index} ({name}): names are not sorted")
        body = data[toc + data_offset : toc + end]
        if len(body) < 4 or body[2:4] != b"\xda\x27":
            fail(f"item {name} is not an ICU data file")
        items.append((name, body))
        previous_name = name
    return header_size, items


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: icu-data-filter.py IN.dat OUT.dat")
    try:
        data = open(sys.argv[1], "rb").read()
    except OSError as error:
        fail(f"cannot read {sys.argv[1]}: {error.strerror}")
    header_size, items = read_items(data)
    kept = [(name, body) for name, body in items if keep(name)]

    names = b"".join(name.encode("ascii") + b"\0" for name, _ in kept)
    table_size = 4 + 8 * len(kept)
    first_data = table_size + len(names)
    first_data += -first_data % 16
    table = bytearray(struct.pack("<I", len(kept)))
    bodies = bytearray()
    name_offset, data_offset = table_size, first_data
    for name, body in kept:
        table += struct.pack("<II", name_offset, data_offset)
        name_offset += len(name) + 1
        padded = body + b"\0" * (-len(body) % 16)
        bodies += padded
        data_offset += len(padded)
    out = data[:header_size] + table + names + b"\0" * (first_data - table_size - len(names)) + bodies
    try:
        open(sys.argv[2], "wb").write(out)
    except OSError as error:
        fail(f"cannot write {sys.argv[2]}: {error.strerror}")


if __name__ == "__main__":
    main()
