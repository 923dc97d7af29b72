"""One exception family with stable codes and plain messages.

Every error a user can cause is an :class:`InnspillError` with a code
(``E1xx`` input, ``E2xx`` content, ``E3xx`` options) and, where known, the
place (file, line, record). The CLI prints it and exits with status 2.
"""

from __future__ import annotations

CODES = {
    "E101": "input file not found",
    "E102": "input is empty",
    "E103": "input is binary, not text",
    "E104": "input is not valid UTF-8",
    "E105": "input format not recognised",
    "E106": "input is too large",
    "E107": "a record in the input is malformed",
    "E108": "input path is not a regular file",
    "E109": "unsafe XML refused (DTD, entities)",
    "E110": "input is malformed or truncated",
    "E111": "table columns cannot be mapped",
    "E112": "post not chosen or not found",
    "E120": "the stance model file is missing or corrupt",
    "E201": "no questions found",
    "E202": "no comments found",
    "E203": "gold file is malformed",
    "E204": "analysis file is malformed",
    "E301": "invalid option value",
    "E302": "an optional output dependency is missing",
    "E303": "live results file is malformed",
}

# warnings: kept in the analysis under ``warnings`` (never fatal)
WARNINGS = {
    "W101": "the page's comment counter differs from the comments listed",
    "W102": "a comment number out of sequence",
    "W103": "a JSONL id used twice",
    "W104": "a reply whose parent is not in the file (read as top level)",
    "W105": "a broken file read up to the break (--partial)",
    "W106": "a part of an .xlsx workbook was skipped",
    "W201": "no questions found (inspect only)",
    "W202": "no comments found",
    "W203": "the post asks no numbered question: the post itself (its title) is the one question",
    "W301": "stance read by the rules alone (--no-embeddings): the trained stance model was not used",
}


class InnspillError(Exception):
    """An error caused by input or options; printed without a traceback."""

    def __init__(self, code: str, message: str, *, path: str | None = None,
                 line: int | None = None, record: int | None = None,
                 hint: str | None = None):
        assert code in CODES, code
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.record = record
        self.hint = hint
        super().__init__(self.format())

    @property
    def place(self) -> str:
        parts = []
        if self.path:
            parts.append(str(self.path))
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        return ", ".join(parts)

    def format(self) -> str:
        text = f"error {self.code}: {self.message}"
        if self.place:
            text += f" ({self.place})"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InnspillWarning:
    """A non-fatal note about the input, kept in the analysis under ``warnings``."""

    def __init__(self, code: str, message: str, place: str = ""):
        self.code = code
        self.message = message
        self.place = place

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "place": self.place}
