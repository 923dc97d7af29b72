"""Read an input file into questions and comments, whatever its format.

``read_input`` checks the file (exists, size, not binary, decodes), sniffs the
format unless one is given, and dispatches to one reader module per format.
Every reader returns a :class:`Thread`; no comment read is dropped.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from ..errors import InnspillError
from ..model import Comment, Question

FORMATS = ("auto", "text", "jsonl")
DEFAULT_MAX_BYTES = 25 * 1024 * 1024


@dataclass
class Thread:
    post: str
    questions: list[Question]
    comments: list[Comment]
    source: dict
    warnings: list[dict] = field(default_factory=list)
    notes: dict = field(default_factory=dict)  # reader facts added to ``source``


def parse_size(value: str) -> int:
    """Parse '25MB', '200 mb', '1GB', '5000' into bytes."""
    v = value.strip().upper().replace(" ", "")
    units = {"KB": 1024, "MB": 1024**2, "GB": 1024**3, "B": 1}
    unit = next((u for u in units if v.endswith(u)), "")
    num, mult = (v[: -len(unit)], units[unit]) if unit else (v, 1)
    try:
        n = float(num)
    except ValueError:
        raise InnspillError("E301", f"cannot read size {value!r}",
                            hint="write it like 25MB or 1GB") from None
    if n <= 0:
        raise InnspillError("E301", f"size must be positive, not {value!r}")
    return int(n * mult)


def load_bytes(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    if not os.path.exists(path):
        raise InnspillError("E101", "no such file", path=path,
                            hint="check the path; run from the folder that holds the file")
    if not os.path.isfile(path):
        raise InnspillError("E108", "not a regular file (a folder?)", path=path)
    size = os.path.getsize(path)
    if size > max_bytes:
        raise InnspillError(
            "E106", f"file is {size / 1024**2:.1f} MB, over the limit of {max_bytes / 1024**2:.1f} MB",
            path=path, hint="raise the limit with --max-size, e.g. --max-size 200MB")
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.strip():
        raise InnspillError("E102", "the file is empty (nothing but whitespace)", path=path)
    return data


def looks_binary(data: bytes) -> int | None:
    """Offset of the first sign that ``data`` is binary (NUL or many control bytes)."""
    head = data[:8192]
    nul = head.find(b"\x00")
    if nul >= 0 and not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff")):
        return nul
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls / len(head) > 0.05:
        return 0
    return None


def decode(data: bytes, path: str, encoding: str = "utf-8") -> str:
    off = looks_binary(data)
    if off is not None:
        line = data[:off].count(b"\n") + 1
        raise InnspillError("E103", f"the file looks binary (byte {off})", path=path, line=line,
                            hint="give a text, JSONL or supported export file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InnspillError(
            "E104", f"not valid {encoding} at byte {exc.start} (column {col}): {exc.reason}",
            path=path, line=line,
            hint="if the file was saved by an older Windows program, try --encoding cp1252",
        ) from None
    except LookupError:
        raise InnspillError("E301", f"unknown encoding {encoding!r}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff(path: str, text: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    head = text.lstrip()[:2000]
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("<") or ext in (".xml", ".html", ".htm", ".csv", ".xlsx", ".pdf", ".docx"):
        raise InnspillError(
            "E105", f"cannot read this format yet ({ext or 'markup'})", path=path,
            hint="supported now: plain-text threads (--format text) and JSONL (--format jsonl)")
    return "text"


def read_input(path: str, fmt: str = "auto", questions_file: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, encoding: str = "utf-8") -> Thread:
    from . import jsonl, questions
    from . import text as text_reader

    if fmt not in FORMATS:
        raise InnspillError("E301", f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    data = load_bytes(path, max_bytes)
    content = decode(data, path, encoding)
    if fmt == "auto":
        fmt = sniff(path, content)
    if fmt == "jsonl":
        thread = jsonl.read(content, path)
    else:
        thread = text_reader.read(content, path)
    thread.source = {"path": os.path.basename(path), "format": fmt,
                     "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                     "encoding": encoding, **thread.notes}
    if questions_file:
        thread.questions = questions.read_questions_file(questions_file, max_bytes)
    if not thread.questions:
        raise InnspillError(
            "E201", "no questions found in the post", path=path,
            hint="number the questions in the post, or give them with --questions FILE (one a line)")
    if not thread.comments:
        thread.warnings.append({"code": "W202", "message": "no comments found; the analysis is empty",
                                "place": path})
    return thread
