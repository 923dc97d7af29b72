"""Read an input file into questions and comments, whatever its format.

``read_threads`` checks the file (exists, size, not binary, decodes), sniffs the
format unless one is given, and dispatches to one reader module per format:
``text`` (a thread copied from a page), ``jsonl``, ``wxr`` (WordPress export),
``disqus`` (Disqus export), ``html`` (a saved page), ``csv`` and ``xlsx``.
Every reader returns :class:`Thread` objects (one per post in the file); no
comment read is dropped. ``read_input`` returns the one thread of a file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from ..contract import Comment, Question
from ..errors import InnspillError, warning
from .encoding import check_codec, choose

# formats whose post has a title of its own: a post there without questions is the one question (W203)
POST_FORMATS = ("wxr", "disqus")
FORMATS = ("auto", "text", "jsonl", "wxr", "disqus", "html", "csv", "xlsx")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
HEAD_BYTES = 16384


@dataclass
class Thread:
    post: str
    questions: list[Question]
    comments: list[Comment]
    source: dict
    warnings: list[dict] = field(default_factory=list)
    notes: dict = field(default_factory=dict)  # reader facts added to ``source``


@dataclass
class ReadOptions:
    """How to read a file: the options of ``innspill analyze`` and ``innspill inspect``."""

    fmt: str = "auto"
    encoding: str = "auto"
    max_bytes: int = DEFAULT_MAX_BYTES
    post: str | None = None  # WordPress post id or slug, Disqus thread id, link or title
    partial: bool = False  # a broken file gives what was read before the break, with a warning
    text_col: str | None = None
    author_col: str | None = None
    question_cols: list[str] | None = None


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
    if not n > 0 or n == float("inf"):
        raise InnspillError("E301", f"size must be positive, not {value!r}")
    return int(n * mult)


def check_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """The file's size, after checking that it exists, is a file, and is within the limit."""
    if not os.path.exists(path):
        raise InnspillError("E101", "no such file", path=path,
                            hint="check the path; run from the folder that holds the file")
    if not os.path.isfile(path):
        raise InnspillError("E108", "not a regular file (a folder?)", path=path)
    size = os.path.getsize(path)
    if size > max_bytes:
        raise InnspillError(
            "E106", f"file is {size / 1024**2:.1f} MB, over the limit of {max_bytes / 1024**2:.1f} MB",
            path=path, hint=f"raise the limit with --max-size, e.g. --max-size {size // 1024**2 + 1}MB")
    return size


def load_bytes(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    check_file(path, max_bytes)
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.strip():
        raise InnspillError("E102", "the file is empty (nothing but whitespace)", path=path)
    return data


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def looks_binary(data: bytes) -> int | None:
    """Offset of the first sign that ``data`` is binary (NUL or many control bytes)."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return None
    nul = head.find(b"\x00")
    if nul >= 0:
        return nul
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls / len(head) > 0.05:
        return 0
    return None


def decode_text(data: bytes, path: str, encoding: str = "auto", guess: bool = False) -> tuple[str, str, str]:
    """Decode ``data``: the text, the encoding used, and how it was chosen (see ``encoding.choose``)."""
    off = looks_binary(data)
    if off is not None:
        line = data[:off].count(b"\n") + 1
        raise InnspillError("E103", f"the file looks binary (byte {off})", path=path, line=line,
                            hint="give a text, JSONL or supported export file")
    if encoding != "auto":
        check_codec(encoding)
    name, how = choose(data, encoding, guess)
    if name.replace("_", "-").lower() in ("utf-8", "utf8") and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InnspillError(
            "E104", f"not valid {name} at byte {exc.start} (column {col}): {exc.reason}",
            path=path, line=line,
            hint="if the file was saved by an older Windows program, try --encoding cp1252",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), name, how


def decode(data: bytes, path: str, encoding: str = "auto") -> str:
    return decode_text(data, path, encoding)[0]


def _head_text(head: bytes) -> str:
    from .encoding import bom_encoding

    enc = bom_encoding(head) or "utf-8"
    return head.decode(enc, errors="replace").lstrip("\ufeff \t\r\n")


def sniff(path: str, head: bytes) -> str:
    """The format of a file from its name and first bytes."""
    ext = os.path.splitext(path)[1].lower()
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path, ext)
    text = _head_text(head)
    low = text[:HEAD_BYTES].lower()
    if low.startswith("<"):
        if "<rss" in low and "wordpress.org/export" in low:
            return "wxr"
        if "<disqus" in low:
            return "disqus"
        if ext in (".html", ".htm", ".xhtml") or any(t in low for t in ("<html", "<!doctype html", "<body")):
            return "html"
        raise InnspillError(
            "E105", "XML that is neither a WordPress (WXR) nor a Disqus export", path=path,
            hint="give --format wxr, disqus or html if it is one of those")
    if ext in (".csv", ".tsv", ".tab"):
        return "csv"
    if ext in (".jsonl", ".ndjson") or low.startswith("{"):
        return "jsonl"
    if ext in (".xls", ".ods", ".pdf", ".docx", ".doc", ".odt", ".zip"):
        raise InnspillError("E105", f"cannot read {ext} files", path=path,
                            hint="save the answers as .xlsx or CSV (UTF-8)")
    return "text"


def _sniff_zip(path: str, ext: str) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        names = set()
    if "xl/workbook.xml" in names or ext in (".xlsx", ".xlsm"):
        return "xlsx"
    raise InnspillError("E105", "a zip file that is not an Excel workbook", path=path,
                        hint="save the answers as .xlsx or CSV")


def read_threads(path: str, opts: ReadOptions | None = None, questions_file: str | None = None,
                 require_questions: bool = True) -> list[Thread]:
    """Every thread (post) of the file, or the one chosen with ``opts.post``."""
    from . import questions

    opts = opts or ReadOptions()
    if opts.fmt not in FORMATS:
        raise InnspillError("E301", f"unknown format {opts.fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    size = check_file(path, opts.max_bytes)
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise InnspillError("E102", "the file is empty (nothing but whitespace)", path=path)
    fmt = sniff(path, head) if opts.fmt == "auto" else opts.fmt
    threads, facts = _dispatch(fmt, path, head, opts)
    base = {"path": os.path.basename(path), "format": fmt, "sha256": file_sha256(path), "bytes": size, **facts}
    if opts.post is not None:
        threads = _choose_post(threads, opts.post, path)
    asked = questions.read_questions_file(questions_file, opts.max_bytes) if questions_file else None
    for t in threads:
        t.source = {**base, **t.notes}
        if asked is not None:
            t.questions = [Question(q.id, q.number, q.text, q.kind) for q in asked]
        elif not t.questions and fmt in POST_FORMATS:
            _post_is_the_question(t, path)
        if require_questions and not t.questions:
            raise InnspillError(
                "E201", "no questions found in the post", path=path,
                hint="number the questions in the post, or give them with --questions FILE (one a line)")
        if not t.comments:
            t.warnings.append(warning("W202", "no comments found; the analysis is empty", path))
    return threads


def _post_is_the_question(t: Thread, path: str) -> None:
    """A post that asks nothing by number (most blog posts): the post itself, its title with its
    lead as context, becomes the one open question, and warning W203 says so."""
    from .questions import post_as_question

    q = post_as_question(t.post, t.notes.get("post_title"))
    if q is None:
        return
    t.questions = [q]
    post = t.notes.get("post_id")
    t.warnings.append(warning("W203", f"the post asks no numbered question; the post itself is the one question "
                                      f"({q.text!r}, open); comments are read toward its claim",
                              f"{path}, post {post}" if post else path))


def _choose_post(threads: list[Thread], post: str, path: str) -> list[Thread]:
    if threads and not any("post_id" in t.notes for t in threads):
        raise InnspillError("E301", "--post applies to WordPress (WXR) and Disqus exports only", path=path)
    chosen = [t for t in threads if post in (str(t.notes.get("post_id")), t.notes.get("post_slug"))]
    if not chosen:
        raise InnspillError("E112", f"no post {post!r} with comments in the file", path=path,
                            hint="available: " + list_posts(threads))
    return chosen


def list_posts(threads: list[Thread], limit: int = 10) -> str:
    shown = ", ".join(f"{t.notes.get('post_id')} ({t.notes.get('post_slug') or '-'})" for t in threads[:limit])
    return shown + (f" and {len(threads) - limit} more" if len(threads) > limit else "")


def _dispatch(fmt: str, path: str, head: bytes, opts: ReadOptions) -> tuple[list[Thread], dict]:
    """Run the reader for ``fmt``: its threads, and facts about the file for ``source``."""
    from importlib import import_module

    def reader(name: str):
        return import_module(f"{__name__}.{name}")

    if fmt in ("wxr", "disqus"):
        if opts.encoding != "auto":
            check_codec(opts.encoding)
        threads = reader(fmt).read(path, opts)
        return threads, {"encoding": opts.encoding if opts.encoding != "auto" else None,
                         "encoding_detected_by": "option" if opts.encoding != "auto" else "xml declaration"}
    if fmt == "xlsx":
        return reader("table").read_xlsx(path, opts), {"encoding": None, "encoding_detected_by": None}
    data = load_bytes(path, opts.max_bytes)
    if fmt == "html":
        thread, enc, how = reader("webpage").read(data, path, opts)
        return [thread], {"encoding": enc, "encoding_detected_by": how}
    content, enc, how = decode_text(data, path, opts.encoding, guess=fmt == "csv")
    del data  # the bytes are not needed once decoded (a large file: its size less at the read's peak)
    if fmt == "csv":
        threads = [reader("table").read_csv(content, path, opts)]
    else:
        threads = [_read_text_format(reader(fmt), content, path, opts.partial)]
    return threads, {"encoding": enc, "encoding_detected_by": how}


def _read_text_format(module, content: str, path: str, partial: bool) -> Thread:
    """A text or JSONL reader; with ``partial``, a JSONL file is read up to its first broken record."""
    try:
        return module.read(content, path)
    except InnspillError as exc:
        if not (partial and exc.code == "E107" and exc.line):
            raise
        broken = exc
    thread = module.read("\n".join(content.split("\n")[: broken.line - 1]), path)
    thread.warnings.append(warning("W105", f"record at line {broken.line} is broken ({broken.message}); "
                                           "the records before it are analysed (--partial)",
                                   f"{path}, line {broken.line}"))
    return thread


def read_input(path: str, fmt: str = "auto", questions_file: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, encoding: str = "auto",
               opts: ReadOptions | None = None) -> Thread:
    """The one thread of ``path``; a file with several posts needs ``opts.post`` (error E112)."""
    opts = opts or ReadOptions(fmt=fmt, encoding=encoding, max_bytes=max_bytes)
    threads = read_threads(path, opts, questions_file)
    if len(threads) > 1:
        raise InnspillError("E112", f"the file holds {len(threads)} posts with comments: {list_posts(threads)}",
                            path=path,
                            hint="choose one with --post ID or --post SLUG")
    return threads[0]
