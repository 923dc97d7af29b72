"""The readable summary printed after an analysis: one block per question."""

from __future__ import annotations

from .contract import STANCES, Analysis

LABELS = {"yesno": "yes/no", "open": "open"}


def short(text: str, limit: int = 90) -> str:
    """A verbatim excerpt, cut at a word boundary; a cut is marked with '…' outside the quote."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return f"“{text}”"
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"“{cut}” …"


def render(analysis: Analysis) -> str:
    st = analysis.stats()
    lines = [
        f"innspill: {analysis.source.get('path')} ({analysis.source.get('format')}, language {analysis.language})",
        f"comments read {st['comments_read']}, distinct {st['distinct']}, duplicates {st['duplicates']}, "
        f"repairs {st['repairs']}, answers {st['answers']}",
    ]
    other = {k: v for k, v in st["by_status"].items() if v and k not in ("kept", "duplicate")}
    if other:
        lines.append("other statuses (counted, not analysed): " + ", ".join(f"{k} {v}" for k, v in other.items()))
    if st.get("linkbacks"):
        lines.append(f"pingbacks/trackbacks {st['linkbacks']} (counted, not comments)")
    for w in analysis.warnings:
        lines.append(f"warning {w['code']}: {w['message']}")
    for q in analysis.questions:
        ans = [a for a in analysis.answers if a.question_id == q.id]
        counts = {s: sum(a.stance == s for a in ans) for s in STANCES}
        lines.append("")
        lines.append(f"{q.id} [{LABELS.get(q.kind, q.kind)}] {q.text}")
        lines.append(f"   answered by {len({a.comment_id for a in ans})} of {st['distinct']}: "
                     + "  ".join(f"{s} {counts[s]}" for s in STANCES))
        if ans:
            top = max(counts, key=lambda s: (counts[s], s != "none"))
            pick = max((a for a in ans if a.stance == top), key=lambda a: (a.confidence, -len(a.evidence)))
            lines.append(f"   {top} ({pick.comment_id}): {short(pick.evidence)}")
    return "\n".join(lines)
