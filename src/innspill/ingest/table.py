"""Read consultation answers from CSV or Excel (.xlsx).

Two shapes, told apart by the options or by the header row:

* **a column per question** (``--question-cols``, or guessed: headers that end
  in ``?``): one row per respondent; each header is a question, each non-empty
  cell an answer to it. The comment's text is the row's answers joined by a
  blank line, and ``fields`` gives each answer's span, so the pipeline makes an
  answer with ``how: "field"`` per cell without guessing.
* **a row per comment** (``--text-col``, or guessed from the header: text,
  comment, kommentar, innspill, svar, …, else the column with the longest
  texts): the questions come from ``--questions``.

``--author-col`` names the author column (guessed from author/name/navn);
columns named id, parent, date and status are read when present. A column is
named by its header, its letter (``C``) or its 1-based number. When no mapping
can be guessed the error (E111) lists the headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import warnings
import zipfile

from ..contract import STATUSES, Comment
from ..errors import InnspillError, warning
from . import ReadOptions, Thread
from .questions import ITEM_RE, make_questions
from .wxr import link_parents

TEXT_NAMES = ("text", "tekst", "comment", "comments", "kommentar", "kommentarer", "innspill", "innspel",
              "svar", "answer", "answers", "response", "message", "melding", "body", "content", "merknad",
              "uttalelse", "høringssvar", "fritekst")
AUTHOR_NAMES = ("author", "name", "navn", "namn", "forfatter", "avsender", "respondent name", "full name",
                "fullt navn", "user", "username", "brukernavn")
DATE_NAMES = ("date", "dato", "posted_at", "created", "created_at", "timestamp", "tidspunkt", "tid", "time",
              "submitted", "innsendt", "tidsmerke", "tidsstempel")
ID_NAMES = ("id", "nr", "nummer", "comment_id", "respondent", "respondent id", "response id", "svar-id")
PARENT_NAMES = ("parent", "parent_id", "parent id", "in reply to", "svar på", "reply to")
STATUS_NAMES = ("status", "state", "moderation")
STATUS_MAP = {"approved": "kept", "approve": "kept", "publish": "kept", "published": "kept", "1": "kept",
              "godkjent": "kept", "hold": "held", "pending": "held", "0": "held", "deleted": "trash",
              "slettet": "trash", "søppel": "trash"}
MAX_ZIP_ENTRIES = 10_000


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").split())


def _letter_index(spec: str) -> int | None:
    if not spec.isalpha() or not spec.isascii() or len(spec) > 3:
        return None
    n = 0
    for ch in spec.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class _Columns:
    """The header row and the chosen mapping of columns to meanings."""

    def __init__(self, header: list[str], path: str):
        self.path = path
        self.header = [h.strip() or f"column {_letter(i)}" for i, h in enumerate(header)]
        self.norm = [_norm(h) for h in self.header]

    def resolve(self, spec: str, option: str) -> int:
        spec = spec.strip()
        if _norm(spec) in self.norm:
            return self.norm.index(_norm(spec))
        if spec.isdigit() and 1 <= int(spec) <= len(self.header):
            return int(spec) - 1
        i = _letter_index(spec)
        if i is not None and i < len(self.header) and spec.isupper():
            return i
        raise InnspillError("E111", f"{option} {spec!r} matches no column", path=self.path, line=1,
                            hint=self.listing())

    def find(self, names: tuple) -> int | None:
        for name in names:
            if name in self.norm:
                return self.norm.index(name)
        return None

    def listing(self) -> str:
        cols = "; ".join(f"{_letter(i)}: {h[:40]}" for i, h in enumerate(self.header[:20]))
        return (f"the columns are {cols}. Name the comment column with --text-col, or the question columns "
                "with --question-cols (names, letters or numbers, comma-separated)")


def _question_like(header: str) -> bool:
    return header.rstrip().endswith("?") and len(header.split()) >= 2


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _rows_from_csv(content: str, path: str, partial: bool, warnings: list) -> list[tuple[int, list[str]]]:
    first = next((line for line in content.split("\n") if line.strip()), "")
    ext = os.path.splitext(path)[1].lower()
    delim = "\t" if ext in (".tsv", ".tab") else max(",;\t|", key=lambda d: (first.count(d), d == ","))
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delim, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        msg = f"the CSV breaks in the record starting at line {start}: {exc}"
        if not partial:
            raise InnspillError("E110", msg + f" ({len(rows)} rows were read before it)", path=path, line=start,
                                hint="check the quotes on that line, or give --partial to read the rows before it") from None
        warnings.append(warning("W105", msg + f"; the {len(rows)} rows before it are analysed (--partial)",
                                f"{path}, line {start}"))
    return rows


def read_csv(content: str, path: str, opts: ReadOptions) -> Thread:
    warnings: list[dict] = []
    rows = _rows_from_csv(content, path, opts.partial, warnings)
    thread = _from_rows(rows, path, opts)
    thread.warnings[:0] = warnings
    return thread


def _check_zip(path: str, max_bytes: int) -> None:
    """Refuse a workbook that is not a zip, or that would unpack to more than the size limit (zip bomb)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InnspillError("E110", f"not a readable .xlsx workbook: {exc}", path=path,
                            hint="open it in Excel or LibreOffice and save it again as .xlsx") from None
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_ENTRIES or total > max_bytes:
        raise InnspillError("E106", f"the workbook unpacks to {total / 1024**2:.1f} MB in {len(infos)} parts, "
                                    f"over the limit of {max_bytes / 1024**2:.1f} MB", path=path,
                            hint="raise the limit with --max-size if you trust the file")


def read_xlsx(path: str, opts: ReadOptions) -> list[Thread]:
    _check_zip(path, opts.max_bytes)
    import openpyxl

    try:
        # openpyxl drops what it cannot read (a sheet without its link, a chart) with a Python
        # warning on stderr; keep those as W106 in the result instead, so a lost sheet is seen
        with warnings.catch_warnings(record=True) as dropped:
            warnings.simplefilter("always")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheet, rows = None, []
                for ws in wb.worksheets:
                    rows = [(i, [_cell(v) for v in row]) for i, row in enumerate(ws.iter_rows(values_only=True), 1)]
                    if any(any(c.strip() for c in r) for _, r in rows):
                        sheet = ws.title
                        break
            finally:
                wb.close()
    except InnspillError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of exception on a damaged workbook
        raise InnspillError("E110", f"cannot read the workbook: {type(exc).__name__}: {str(exc)[:200]}",
                            path=path, hint="open it in Excel or LibreOffice and save it again as .xlsx") from None
    skipped = [f"the workbook reader skipped a damaged part: {m}" for m in dict.fromkeys(str(w.message)[:200]
                                                                                        for w in dropped)]
    try:
        thread = _from_rows(rows, path, opts)
    except InnspillError as exc:  # perhaps because of what was skipped: say so
        if skipped:
            exc.hint = "; ".join([*skipped, *([exc.hint] if exc.hint else [])])
        raise
    thread.notes["sheet"] = sheet
    thread.warnings += [warning("W106", f"{m}; open it in Excel or LibreOffice and save it again to check", path)
                        for m in skipped]
    return [thread]


def _from_rows(rows: list[tuple[int, list[str]]], path: str, opts: ReadOptions) -> Thread:
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        return Thread(post="", questions=[], comments=[], source={}, notes={"table_shape": None, "rows": 0})
    (_, header), data = rows[0], rows[1:]
    cols = _Columns(header, path)
    if opts.question_cols:
        qcols = [cols.resolve(s, "--question-cols") for s in opts.question_cols]
    elif opts.text_col:
        qcols = []
    else:
        qcols = [i for i, h in enumerate(cols.header) if _question_like(h)]
    author = cols.resolve(opts.author_col, "--author-col") if opts.author_col else cols.find(AUTHOR_NAMES)
    if qcols:
        thread = _wide(data, cols, qcols, author, path)
    else:
        text = cols.resolve(opts.text_col, "--text-col") if opts.text_col else _guess_text(cols, data)
        thread = _long(data, cols, text, author, path)
    thread.notes["rows"] = len(data)
    return thread


def _guess_text(cols: _Columns, data) -> int:
    found = cols.find(TEXT_NAMES)
    if found is not None:
        return found
    meta = {cols.find(n) for n in (AUTHOR_NAMES, DATE_NAMES, ID_NAMES, PARENT_NAMES, STATUS_NAMES)}
    means = []
    for i in range(len(cols.header)):
        if i in meta:
            continue
        cells = [r[i] for _, r in data if i < len(r)]
        means.append((sum(len(c) for c in cells) / max(1, len(cells)), i))
    means.sort(reverse=True)
    if means and means[0][0] >= 20 and (len(means) == 1 or means[0][0] >= 1.5 * means[1][0]):
        return means[0][1]
    raise InnspillError("E111", "cannot tell which column holds the comments", path=cols.path, line=1,
                        hint=cols.listing())


def _get(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _wide(data, cols: _Columns, qcols: list[int], author: int | None, path: str) -> Thread:
    items = []
    for i in qcols:
        m = ITEM_RE.match(cols.header[i])
        items.append((int(m.group("num")), m.group("body")) if m else (0, cols.header[i]))
    questions = make_questions(items)
    comments = []
    for n, row in data:
        parts, fields, at = [], {}, 0
        for q, i in zip(questions, qcols):
            cell = _get(row, i).replace("\r\n", "\n")
            if not cell:
                continue
            if parts:
                at += 2
            fields[q.id] = [at, at + len(cell)]
            parts.append(cell)
            at += len(cell)
        pos = len(comments) + 1
        c = _comment(pos, "\n\n".join(parts), row, n, cols, author)
        c.fields = fields or None
        comments.append(c)
    notes = {"table_shape": "column per question", "question_columns": [cols.header[i] for i in qcols],
             "author_column": cols.header[author] if author is not None else None}
    return Thread(post="", questions=questions, comments=comments, source={},
                  warnings=link_parents(comments, path), notes=notes)


def _long(data, cols: _Columns, text: int, author: int | None, path: str) -> Thread:
    comments = [_comment(k, _get(row, text).replace("\r\n", "\n"), row, n, cols, author)
                for k, (n, row) in enumerate(data, start=1)]
    notes = {"table_shape": "row per comment", "text_column": cols.header[text],
             "author_column": cols.header[author] if author is not None else None}
    return Thread(post="", questions=[], comments=comments, source={}, warnings=link_parents(comments, path),
                  notes=notes)


def _comment(pos: int, text: str, row: list[str], line: int, cols: _Columns, author: int | None) -> Comment:
    raw_status = _norm(_get(row, cols.find(STATUS_NAMES)))
    status = raw_status if raw_status in STATUSES else STATUS_MAP.get(raw_status, "kept")
    reason = None
    if raw_status and raw_status not in STATUSES and raw_status not in STATUS_MAP:
        status, reason = "rejected", f"unknown status {raw_status!r} in the status column"
    if status == "kept" and not text.strip():
        status = "empty"
    return Comment(id=f"c{pos}", position=pos, original=text, author=_get(row, author) or None,
                   posted_at=_get(row, cols.find(DATE_NAMES)) or None,
                   parent_id=_get(row, cols.find(PARENT_NAMES)) or None, status=status, reason=reason,
                   line=line, source_id=_get(row, cols.find(ID_NAMES)) or None)
