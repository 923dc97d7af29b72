"""The debate brief: one model (``brief_data.build_brief``), several writers (HTML, PDF, Markdown, JSON, CSV, PPTX)."""

from __future__ import annotations

import json
import os

from ..errors import InnspillError
from .brief_data import MIN_ANSWERS, build_brief
from .i18n import LANGS, Text

FORMATS = ("html", "pdf", "md", "pptx", "csv", "json")
EXTENSIONS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md", ".markdown": "md",
              ".pptx": "pptx", ".csv": "csv", ".json": "json"}


def format_for(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    ext = os.path.splitext(path)[1].lower()
    if ext not in EXTENSIONS:
        raise InnspillError("E301", f"cannot tell the brief format from {path!r}",
                            hint="give --format html|pdf|md|pptx|csv|json or a file name ending in one of them")
    return EXTENSIONS[ext]


def render(data: dict, fmt: str, lang: str, anonymise: bool = True, *, min_answers: int = MIN_ANSWERS,
           count_campaigns: str = "once", live: dict | None = None) -> bytes:
    """The brief of analysis ``data`` in ``fmt`` as bytes.

    ``min_answers``: numbers resting on fewer answers are marked; ``count_campaigns``: ``once`` or
    ``all``; ``live``: results of a live debate (``innspill.live/1`` with results) to merge in."""
    if fmt not in FORMATS:
        raise InnspillError("E301", f"unknown brief format {fmt!r}", hint="use one of " + ", ".join(FORMATS))
    if lang not in LANGS:
        raise InnspillError("E301", f"unknown brief language {lang!r}", hint="use nb or en")
    T = Text(lang)
    brief = build_brief(data, anonymise=anonymise, placeholders=T.placeholders(), min_answers=min_answers,
                        count_campaigns=count_campaigns, live=live)
    if fmt == "json":
        return (json.dumps(brief, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt == "csv":
        from .csvout import to_csv
        return to_csv(brief, T).encode("utf-8")
    if fmt == "pptx":
        from .slides import to_pptx
        return to_pptx(brief, T)
    from . import htmldoc as r
    if fmt == "html":
        return r.to_html(brief, lang).encode("utf-8")
    if fmt == "md":
        return r.to_markdown(brief, lang).encode("utf-8")
    return r.to_pdf(brief, lang)


def write_brief(data: dict, path: str, fmt: str | None = None, lang: str | None = None,
                anonymise: bool = True, *, min_answers: int = MIN_ANSWERS, count_campaigns: str = "once",
                live: dict | None = None) -> str:
    """Write the brief to ``path``; returns the format written."""
    fmt = format_for(path, fmt)
    lang = lang or ("nb" if data.get("language") in ("nb", "nn") else "en")
    payload = render(data, fmt, lang, anonymise, min_answers=min_answers, count_campaigns=count_campaigns,
                     live=live)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except OSError as exc:
        raise InnspillError("E304", f"cannot write the brief: {exc.strerror}", path=path) from None
    return fmt
