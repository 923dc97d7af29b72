"""One CSV writer for every CSV innspill writes (web exports, the brief's CSV, the Pol.is files),
safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return would be read as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), so it
is written with a single quote in front (OWASP's rule for CSV injection). Numbers (int, float)
are written as they are, so ``-1`` stays a number. A cell that already starts with quotes and
then one of those characters gets one more quote, so :func:`unescape_cell` gives back exactly
what was written."""

from __future__ import annotations

import csv
import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def safe_cell(value):
    """``value`` as a spreadsheet reads it as text: ``'`` before a leading formula character."""
    if isinstance(value, str) and value and (value.startswith(TRIGGERS) or _ESCAPED.match(value)):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The inverse of :func:`safe_cell` for a cell read back from a file innspill wrote."""
    return value[1:] if _ESCAPED.match(value) else value


class SafeWriter:
    """``csv.writer`` with every cell through :func:`safe_cell`."""

    def __init__(self, fh, *args, **kwargs):
        self._w = csv.writer(fh, *args, **kwargs)

    def writerow(self, row):
        return self._w.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(fh, *args, **kwargs) -> SafeWriter:
    return SafeWriter(fh, *args, **kwargs)
