"""Decide the text encoding of an input file, and record how it was decided.

``auto`` honours a byte-order mark, then strict UTF-8. Where the format allows a
guess (CSV, HTML), bytes that are not UTF-8 are handed to charset-normalizer and
its decision is recorded (``source.encoding_detected_by``); a plain-text thread
or JSONL that is not UTF-8 stays an error (E104), since a wrong guess there would
be silently repaired into the wrong letters.
"""

from __future__ import annotations

import codecs

from ..errors import InnspillError

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# charset-normalizer names that we report under their common name
ALIASES = {"windows_1252": "cp1252", "latin_1": "latin-1", "iso8859_1": "latin-1", "iso8859_15": "iso8859-15",
           "utf_8": "utf-8", "ascii": "utf-8"}
# preferred when charset-normalizer finds several encodings equally good (Western European exports)
PREFERRED = ("utf_8", "cp1252", "windows_1252", "iso8859_15", "latin_1", "iso8859_1")


def bom_encoding(data: bytes) -> str | None:
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    return None


def choose(data: bytes, requested: str, guess: bool) -> tuple[str, str]:
    """The encoding to decode ``data`` with, and how it was chosen.

    ``requested`` is the user's ``--encoding`` (``auto`` or a codec name).
    """
    if requested != "auto":
        return requested, "option"
    bom = bom_encoding(data)
    if bom:
        return bom, "byte-order mark"
    try:
        data.decode("utf-8")
        return "utf-8", "valid utf-8"
    except UnicodeDecodeError:
        if not guess:
            return "utf-8", "default"
    return detect(data), "charset-normalizer"


def detect(data: bytes) -> str:
    """charset-normalizer's best guess, preferring cp1252 among equally good Western encodings."""
    from charset_normalizer import from_bytes

    results = from_bytes(data[:1_000_000])
    best = results.best()
    if best is None:
        return "cp1252"  # decodes every byte but five; those give E104 with a place
    name = best.encoding
    candidates = {m.encoding for m in results if m.chaos <= best.chaos + 0.01}
    for pref in PREFERRED:
        if pref in candidates:
            name = pref
            break
    name = ALIASES.get(name, name.replace("_", "-"))
    try:
        codecs.lookup(name)
    except LookupError:
        return "cp1252"
    return name


def check_codec(name: str) -> None:
    try:
        codecs.lookup(name)
    except LookupError:
        raise InnspillError("E301", f"unknown encoding {name!r}",
                            hint="use auto, utf-8, cp1252, latin-1 or utf-16") from None
