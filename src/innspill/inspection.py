"""``innspill inspect FILE``: what would be read, without analysing.

Shows the detected format and encoding, the posts (threads) found, the
questions, comment counts by status, the first lines of the first comments and
any warnings; ``--json`` gives the same as one JSON object.
"""

from __future__ import annotations

from collections import Counter

from .contract import STATUSES
from .errors import warning
from .ingest import ReadOptions, Thread, read_threads

SHOWN_COMMENTS = 3


def inspect_file(path: str, opts: ReadOptions, questions_file: str | None = None) -> dict:
    threads = read_threads(path, opts, questions_file, require_questions=False)
    first = threads[0].source if threads else {}
    keep = ("path", "format", "bytes", "sha256", "encoding", "encoding_detected_by")
    return {"file": {k: first.get(k) for k in keep}, "threads": [_thread(t) for t in threads]}


def _thread(t: Thread) -> dict:
    by_status = Counter(c.status for c in t.comments)
    facts = {k: v for k, v in t.source.items()
             if k not in ("path", "format", "bytes", "sha256", "encoding", "encoding_detected_by")}
    return {
        "source": facts,
        "questions": [{"id": q.id, "number": q.number, "text": q.text, "kind": q.kind} for q in t.questions],
        "comments": len(t.comments),
        "by_status": {s: by_status.get(s, 0) for s in STATUSES if s != "duplicate"},
        "replies": sum(1 for c in t.comments if c.parent_id),
        "first_comments": [{"id": c.id, "author": c.author, "status": c.status,
                            "first_line": next((ln for ln in c.original.split("\n") if ln.strip()), "")[:120]}
                           for c in t.comments[:SHOWN_COMMENTS]],
        "warnings": t.warnings if t.questions else
        t.warnings + [warning("W201", "no questions found; give them with --questions FILE",
                              t.source.get("path", ""))],
    }


def render(report: dict) -> str:
    f = report["file"]
    lines = [f"{f['path']}: {f['format']}, {f['bytes']} bytes, encoding {f['encoding']} "
             f"({f['encoding_detected_by']})"]
    for t in report["threads"]:
        src = t["source"]
        lines.append("")
        if src.get("post_id") is not None or src.get("post_title"):
            lines.append(f"post {src.get('post_id')} ({src.get('post_slug') or '-'}): {src.get('post_title') or ''}")
        extra = {k: v for k, v in src.items() if k not in ("post_id", "post_slug", "post_title") and v is not None}
        if extra:
            lines.append("  " + ", ".join(f"{k} {v}" for k, v in extra.items()))
        lines.append(f"  questions {len(t['questions'])}:")
        lines += [f"    {q['id']} [{q['kind']}] {q['text']}" for q in t["questions"]]
        counts = ", ".join(f"{k} {v}" for k, v in t["by_status"].items() if v)
        lines.append(f"  comments {t['comments']} ({counts or 'none'}), replies {t['replies']}")
        for c in t["first_comments"]:
            lines.append(f"    {c['id']} {c['author'] or '-'} [{c['status']}]: {c['first_line']}")
        for w in t["warnings"]:
            lines.append(f"  warning {w['code']}: {w['message']}")
    return "\n".join(lines)
