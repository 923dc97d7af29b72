"""The brief as data, built once from an ``innspill.analysis/1`` dict; every writer renders this.

Nothing here is user-facing prose: the model holds numbers, ids, verbatim (or masked)
quotes and keys that the writers translate. In anonymised mode (the default) names,
e-mail addresses and phone numbers inside quotes are replaced by placeholders, quotes
never come from a sentence flagged sensitive, and a sensitive personal story is listed
by its categories only (a summary), never quoted.
"""

from __future__ import annotations

from ..model import STANCES
from ..privacy import mask, overlaps

SCHEMA = "innspill.brief/1"
STATEMENT_WORDS = (6, 32)
MAX_STATEMENTS = 8


class Masker:
    """Quotes from comment text, masked in anonymised mode; offsets stay those of the comment."""

    def __init__(self, comments: dict, anonymise: bool, placeholders: dict):
        self.comments = comments
        self.anonymise = anonymise
        self.placeholders = placeholders
        self.masked_count = 0

    def privacy(self, cid: str) -> dict:
        return self.comments[cid].get("privacy") or {}

    def quote(self, cid: str, start: int, end: int) -> dict | None:
        """A quote dict, or None when the span is sensitive and the brief is anonymised."""
        text = self.comments[cid]["text"]
        p = self.privacy(cid)
        if self.anonymise and (overlaps(p.get("sensitive", []), start, end) or p.get("sensitive_story")):
            return None
        shown, n = (mask(text, start, end, p.get("personal_data", []), self.placeholders)
                    if self.anonymise else (text[start:end], 0))
        self.masked_count += n
        return {"text": shown, "comment_id": cid, "start": start, "end": end, "masked": n > 0}


def _counts(answers: list[dict]) -> dict:
    return {s: sum(a["stance"] == s for a in answers) for s in STANCES}


def verdict(counts: dict) -> str:
    """Where people stand on a question: agree-for/-against, divided, conditional, no-side, few, unanswered."""
    n = sum(counts.values())
    decided = counts["for"] + counts["against"]
    if n == 0:
        return "unanswered"
    if n < 3:
        return "few"
    if counts["mixed"] >= max(counts["for"], counts["against"]) and counts["mixed"] >= 0.3 * n:
        return "conditional"
    if decided == 0 or decided < 0.3 * n:
        return "no-side"
    minor = min(counts["for"], counts["against"])
    if minor >= 0.25 * decided and minor >= 1:
        return "divided"
    return "agree-for" if counts["for"] > counts["against"] else "agree-against"


def _minority(themes: list[dict], counts: dict) -> list[str]:
    """Theme ids on the least-represented side that still has answers (when under a third)."""
    n = sum(counts.values())
    sides = [s for s in ("for", "against", "mixed") if counts[s]]
    if len(sides) < 2:
        return []
    least = min(sides, key=lambda s: (counts[s], STANCES.index(s)))
    if counts[least] >= n / 3:
        return []
    return [t["id"] for t in themes if t["stance"] == least and not t["other"]]


def build_brief(data: dict, *, anonymise: bool = True, placeholders: dict | None = None) -> dict:
    """The brief model of analysis ``data`` (an ``innspill.analysis/1`` dict)."""
    placeholders = placeholders or {"name": "[name]", "email": "[e-mail]", "phone": "[phone]"}
    comments = {c["id"]: c for c in data["comments"]}
    masker = Masker(comments, anonymise, placeholders)
    distinct = [c for c in data["comments"] if c["status"] == "kept" and c.get("duplicate_of") is None]
    theme_of = {aid: t for t in data.get("themes", []) for aid in t["answer_ids"]}
    questions = [_question(q, data, masker, distinct, theme_of) for q in data["questions"]]
    stats = data["stats"]
    return {
        "schema": SCHEMA,
        "analysis_schema": data.get("schema"),
        "source": {k: data["source"].get(k) for k in ("path", "format", "sha256")},
        "language": data.get("language"),
        "mode": "anonymised" if anonymise else "include-sensitive",
        "stats": {k: stats.get(k) for k in ("comments_read", "distinct", "duplicates", "answers")},
        "questions": questions,
        "statements": _statements(questions),
        "stories": _stories(distinct, data, masker),
        "answers": _answer_rows(data, masker, theme_of),
        "sources": _sources(distinct, data, anonymise),
        "privacy": {
            "masked": masker.masked_count,
            "flagged": {f: sum(f in c.get("flags", []) for c in distinct)
                        for f in ("personal-data", "sensitive", "personal-story", "sensitive-story")},
        },
        "tool": data.get("provenance", {}).get("tool"),
    }


def _question(q: dict, data: dict, masker: Masker, distinct: list[dict], theme_of: dict) -> dict:
    answers = [a for a in data["answers"] if a["question_id"] == q["id"]]
    counts = _counts(answers)
    themes = []
    for t in (t for t in data.get("themes", []) if t["question_id"] == q["id"]):
        refs = t.get("quote_refs") or []
        quotes = [x for x in (masker.quote(r["comment_id"], r["start"], r["end"]) for r in refs) if x]
        themes.append({"id": t["id"], "label": t["label"], "stance": t["stance"], "size": t["size"],
                       "other": t.get("other", False), "share": t["size"] / len(answers) if answers else 0.0,
                       "quotes": quotes, "no_quote": not quotes})
    answered = {a["comment_id"] for a in answers}
    declined = [a for a in answers if a.get("provenance", {}).get("stance_rule") == "decline"]
    declined_quotes = []
    for a in declined:
        start = a.get("provenance", {}).get("evidence_start", a["start"])
        x = masker.quote(a["comment_id"], start, start + len(a["evidence"])) if a["evidence"] else None
        declined_quotes.append(x or {"text": None, "comment_id": a["comment_id"]})
    other = next((t for t in themes if t["other"]), None)
    return {
        "id": q["id"], "number": q["number"], "text": q["text"], "kind": q["kind"],
        "answered": len(answered), "distinct": len(distinct), "counts": counts,
        "verdict": verdict(counts),
        "themes": [t for t in themes if not t["other"]],
        "other": {"size": other["size"], "share": other["share"], "label": other["label"]} if other else
                 {"size": 0, "share": 0.0, "label": ""},
        "minority": _minority(themes, counts),
        "declined": declined_quotes,
        "no_side": counts["none"] - len(declined),
        "not_addressed": [c["id"] for c in distinct if c["id"] not in answered],
    }


def _statements(questions: list[dict]) -> list[dict]:
    """Agree/disagree statements: a verbatim sentence per side per question, from its largest themes."""
    out = []
    for q in questions:
        for side in ("for", "against", "mixed"):
            for t in sorted((t for t in q["themes"] if t["stance"] == side), key=lambda t: -t["size"]):
                quote = next((x for x in t["quotes"]
                              if STATEMENT_WORDS[0] <= len(x["text"].split()) <= STATEMENT_WORDS[1]
                              and "?" not in x["text"] and x["text"][:1].isupper()), None)
                if quote:
                    out.append({"question_id": q["id"], "side": side, "theme_id": t["id"], **quote})
                    break
    sides = ("for", "against", "mixed")
    out.sort(key=lambda s: (s["side"] == "mixed", s["question_id"]))  # both sides first, conditions if room
    return sorted(out[:MAX_STATEMENTS], key=lambda s: (s["question_id"], sides.index(s["side"])))


def _stories(distinct: list[dict], data: dict, masker: Masker) -> list[dict]:
    """First-person stories; sensitive ones are summarised (categories) unless sensitive content is included."""
    out = []
    for c in distinct:
        p = c.get("privacy") or {}
        if not p.get("story"):
            continue
        qids = sorted({a["question_id"] for a in data["answers"] if a["comment_id"] == c["id"]})
        story = {"comment_id": c["id"], "questions": qids, "sensitive": bool(p.get("sensitive_story")),
                 "categories": p.get("categories", []), "quotes": []}
        spans = p["story"] if not story["sensitive"] else [s for s in p["story"]
                                                            if overlaps(p.get("sensitive", []), s["start"], s["end"])]
        for s in spans[:2]:
            x = masker.quote(c["id"], s["start"], s["end"])
            if x:
                story["quotes"].append(x)
        story["summarised"] = not story["quotes"]
        out.append(story)
    return sorted(out, key=lambda s: (not s["sensitive"], int(s["comment_id"].lstrip("c") or 0)))


def _answer_rows(data: dict, masker: Masker, theme_of: dict) -> list[dict]:
    rows = []
    for a in data["answers"]:
        start = a.get("provenance", {}).get("evidence_start")
        ev = None
        if a["evidence"] and start is not None:
            ev = masker.quote(a["comment_id"], start, start + len(a["evidence"]))
        elif a["evidence"] and not masker.anonymise:
            ev = {"text": a["evidence"], "masked": False}
        t = theme_of.get(f"{a['comment_id']}:{a['question_id']}")
        rows.append({"comment_id": a["comment_id"], "question_id": a["question_id"], "stance": a["stance"],
                     "confidence": a["confidence"], "evidence": ev["text"] if ev else None,
                     "evidence_masked": bool(ev and ev.get("masked")), "evidence_withheld": bool(a["evidence"]) and not ev,
                     "theme_id": t["id"] if t else None, "theme": t["label"] if t else None,
                     "theme_other": bool(t and t.get("other"))})
    return rows


def _sources(distinct: list[dict], data: dict, anonymise: bool) -> list[dict]:
    out = []
    for c in distinct:
        stances = {a["question_id"]: a["stance"] for a in data["answers"] if a["comment_id"] == c["id"]}
        out.append({"comment_id": c["id"], "position": c["position"], "line": c.get("line"),
                    "author": None if anonymise else c.get("author"), "stances": stances,
                    "flags": [f for f in c.get("flags", []) if f != "personal-data" or not anonymise]})
    return out
