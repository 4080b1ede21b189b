"""Which encoding a CSV file is in, from its first bytes.

A byte order mark decides first. Then UTF-8, which almost never decodes by accident. Else the
file is in a one-byte code page, and the choice is between Windows-1251 (Cyrillic) and
Latin-1/Windows-1252 (Western European): in Russian text the letters above ASCII come in runs,
whole words of them, while in German or French one accented letter sits between ASCII letters
("Müller", "Hélène"). Counting both patterns decides quickly and reliably on names and
addresses, where letter frequencies have too little text to work on.
"""

from __future__ import annotations

import codecs
import re

SAMPLE_BYTES = 1 << 20
# Letters in both code pages: 0xC0-0xFF, and Ё/ё at 0xA8/0xB8 in Windows-1251.
_RUN = re.compile(rb"[\xa8\xb8\xc0-\xff]{2,}")
_MIXED = re.compile(rb"[A-Za-z][\xc0-\xff]|[\xc0-\xff][A-Za-z]")
# Bytes that Windows-1252 reads as printable (the euro sign, curly quotes) and Latin-1 as
# control characters.
_CP1252_ONLY = re.compile(rb"[\x80\x82-\x8c\x8e\x91-\x9c\x9e\x9f]")


def detect_encoding(head: bytes, complete: bool) -> str:
    """The encoding of a file that starts with `head` (all of it when `complete`)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # Incremental, so that a character cut at the end of the sample does not count.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return _one_byte_code_page(head)
    return "utf-8"


def _one_byte_code_page(head: bytes) -> str:
    cyrillic = sum(len(run) for run in _RUN.findall(head))
    western = len(_MIXED.findall(head))
    if cyrillic > western:
        return "cp1251"
    return "cp1252" if _CP1252_ONLY.search(head) else "latin-1"
