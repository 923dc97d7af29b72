"""The brief as data, built once from an ``innspill.analysis/1`` dict; every writer renders this.

Nothing here is user-facing prose: the model holds numbers, ids, verbatim (or masked)
quotes and keys that the writers translate. In anonymised mode (the default) names,
e-mail addresses and phone numbers inside quotes are replaced by placeholders, quotes
never come from a sentence flagged sensitive, and a sensitive personal story is listed
by its categories only (a summary), never quoted.
"""

from __future__ import annotations

from datetime import date

from ..contract import STANCES
from ..errors import InnspillError
from ..privacy import mask, overlaps
from ..themes import shown_labels
from . import guide as guide_mod
from . import live_votes as live_mod

SCHEMA = "innspill.brief/1"
STATEMENT_WORDS = (6, 32)
MAX_STATEMENTS = 8
MIN_ANSWERS = 5  # a number resting on fewer answers than this is marked "few answers"


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


def _counts(answers: list[dict], weight: dict | None = None) -> dict:
    weight = weight or {}
    return {s: sum(weight.get(a["comment_id"], 1) for a in answers if a["stance"] == s) for s in STANCES}


def verdict(counts: dict, min_answers: int = 3) -> str:
    """Where people stand on a question: agree-for/-against, divided, conditional, no-side, few, unanswered."""
    n = sum(counts.values())
    decided = counts["for"] + counts["against"]
    if n == 0:
        return "unanswered"
    if n < max(3, min_answers):
        return "few"
    if counts["mixed"] >= max(counts["for"], counts["against"]) and counts["mixed"] >= 0.3 * n:
        return "conditional"
    if decided == 0 or decided < 0.3 * n:
        return "no-side"
    minor = min(counts["for"], counts["against"])
    if minor >= 0.25 * decided and minor >= 1:
        return "divided"
    return "agree-for" if counts["for"] > counts["against"] else "agree-against"


def _open_verdict(v: str) -> str:
    """An open question has no yes or no to count: read as what people proposed (``open``), unless
    nobody or too few answered."""
    return v if v in ("unanswered", "few") else "open"


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


def check_options(min_answers, count_campaigns) -> None:
    if isinstance(min_answers, bool) or not isinstance(min_answers, int) or min_answers < 1:
        raise InnspillError("E301", f"--min-answers must be a whole number of at least 1, not {min_answers!r}")
    if count_campaigns not in guide_mod.CAMPAIGN_MODES:
        raise InnspillError("E301", f"--count-campaigns must be once or all, not {count_campaigns!r}")


def build_brief(data: dict, *, anonymise: bool = True, placeholders: dict | None = None,
                min_answers: int = MIN_ANSWERS, count_campaigns: str = "once", live: dict | None = None) -> dict:
    """The brief model of analysis ``data`` (an ``innspill.analysis/1`` dict).

    ``min_answers``: a number resting on fewer answers is flagged ``few``. ``count_campaigns``:
    ``once`` (a campaign's text counts as one answer) or ``all`` (once per author). ``live``: the
    results of a live debate (``innspill.live/1`` with results) to set beside each question.
    """
    check_options(min_answers, count_campaigns)
    placeholders = placeholders or {"name": "[name]", "email": "[e-mail]", "phone": "[phone]"}
    comments = {c["id"]: c for c in data["comments"]}
    masker = Masker(comments, anonymise, placeholders)
    distinct = [c for c in data["comments"] if c["status"] == "kept" and c.get("duplicate_of") is None]
    names = shown_labels(data)  # a theme's name, unless the comment it was copied from was withdrawn since
    data = {**data, "themes": [{**t, "label": names.get(t["id"], t["label"])} for t in data.get("themes") or []]}
    theme_of = {aid: t for t in data.get("themes", []) for aid in t["answer_ids"]}
    groups = guide_mod.duplicate_groups(data["comments"])
    weight = guide_mod.weights(groups, count_campaigns)
    campaign_of = {g["comment_id"]: g["id"] for g in groups if g["kind"] == "campaign"}
    questions = [_question(q, data, masker, distinct, theme_of, weight, campaign_of, min_answers)
                 for q in data["questions"]]
    live_part = None
    if live is not None:
        live_part = live_mod.model(live_mod.check(live), {q["id"] for q in questions}, min_answers)
        for q in questions:
            q["live"] = [s["id"] for s in live_part["statements"] if s["question_id"] == q["id"]]
    stats = data["stats"]
    facts = guide_mod.facts(data, groups, min_answers=min_answers, count_campaigns=count_campaigns)
    facts["counted"] = sum(weight.get(c["id"], 1) for c in distinct)
    about = consultation(data["source"])
    if about and about["period"]:
        facts["period"] = about["period"]
    return {
        "schema": SCHEMA,
        "analysis_schema": data.get("schema"),
        "source": {k: data["source"].get(k) for k in ("path", "format", "sha256")},
        "consultation": about,
        "language": data.get("language"),
        "mode": "anonymised" if anonymise else "include-sensitive",
        "stats": {k: stats.get(k) for k in ("comments_read", "distinct", "duplicates", "answers")},
        "guide": facts,
        "duplicates": [_group(g, masker) for g in groups],
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
        "live": live_part,
    }


def _period(p) -> dict | None:
    """A source's ``period`` ({first, last} ISO days), or None when it is not one."""
    if not isinstance(p, dict):
        return None
    try:
        first, last = date.fromisoformat(p["first"]), date.fromisoformat(p["last"])
    except (KeyError, TypeError, ValueError):
        return None
    return {"first": first.isoformat(), "last": last.isoformat()} if first <= last else None


def consultation(source: dict) -> dict | None:
    """What the source says of the consultation it comes from (the web app's analyses: ``title``,
    ``intro``, ``period`` of the answers, ``consultation`` slug), or None when it names none."""
    title = source.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    intro = source.get("intro")
    slug = source.get("consultation")
    return {"title": title.strip(), "intro": intro.strip() if isinstance(intro, str) else "",
            "slug": slug if isinstance(slug, str) else None, "period": _period(source.get("period"))}


def _group(g: dict, masker: Masker) -> dict:
    """A group of linked comments, with its opening quoted (verbatim, masked) when it is a campaign."""
    out = dict(g)
    out["quote"] = None
    if g["kind"] == "campaign":
        start, end = guide_mod.first_sentence(masker.comments[g["comment_id"]]["text"])
        out["quote"] = masker.quote(g["comment_id"], start, end) if end > start else None
    return out


def tally(q: dict, answers: list[dict]) -> dict | None:
    """A scale's or multiple-choice question's buttons counted (the web app's ``questions[].form``
    and each answer's ``provenance.button``): ``kind``, ``options``, ``counts`` (one per option, in
    order), ``answered`` (answers with a button pressed), ``shares``, and on a scale ``mean`` and
    ``ends`` (its words for 1 and 5). None for any other question."""
    form = q.get("form")
    if not isinstance(form, dict) or form.get("kind") not in ("scale", "choice"):
        return None
    options = [str(o) for o in form.get("options") or []]
    pressed: dict[str, str] = {}
    for a in answers:
        button = (a.get("provenance") or {}).get("button")
        if button in options:
            pressed.setdefault(a["comment_id"], button)  # one per comment
    counts = [sum(1 for b in pressed.values() if b == o) for o in options]
    n = sum(counts)
    out = {"kind": form["kind"], "options": options, "counts": counts, "answered": n,
           "shares": [c / n if n else 0.0 for c in counts]}
    if form["kind"] == "scale":
        out["mean"] = round(sum(int(o) * c for o, c in zip(options, counts)) / n, 2) if n else None
        ends = form.get("ends")
        out["ends"] = [str(x) for x in ends] if isinstance(ends, list) and len(ends) == 2 else None
    return out


def _question(q: dict, data: dict, masker: Masker, distinct: list[dict], theme_of: dict, weight: dict,
              campaign_of: dict, min_answers: int) -> dict:
    answers = [a for a in data["answers"] if a["question_id"] == q["id"]]
    counts = _counts(answers, weight)
    n_answered = sum(counts.values())
    themes = []
    for t in (t for t in data.get("themes", []) if t["question_id"] == q["id"]):
        refs = t.get("quote_refs") or []
        quotes = [x for x in (masker.quote(r["comment_id"], r["start"], r["end"]) for r in refs) if x]
        size = sum(weight.get(aid.split(":", 1)[0], 1) for aid in t["answer_ids"]) if weight else t["size"]
        themes.append({"id": t["id"], "label": t["label"], "stance": t["stance"], "size": size,
                       "other": t.get("other", False), "share": size / n_answered if n_answered else 0.0,
                       "quotes": quotes, "no_quote": not quotes})
    answered = {a["comment_id"] for a in answers}
    declined = [a for a in answers if a.get("provenance", {}).get("stance_rule") == "decline"]
    declined_quotes = []
    for a in declined:
        start = a.get("provenance", {}).get("evidence_start", a["start"])
        x = masker.quote(a["comment_id"], start, start + len(a["evidence"])) if a["evidence"] else None
        declined_quotes.append(x or {"text": None, "comment_id": a["comment_id"]})
    other = next((t for t in themes if t["other"]), None)
    not_addressed = [c["id"] for c in distinct if c["id"] not in answered]
    n_declined = sum(weight.get(a["comment_id"], 1) for a in declined)
    return {
        "id": q["id"], "number": q["number"], "text": q["text"], "kind": q["kind"],
        "answered": n_answered, "distinct": sum(weight.get(c["id"], 1) for c in distinct), "counts": counts,
        "shares": {s: counts[s] / n_answered if n_answered else 0.0 for s in STANCES},
        "few": n_answered < min_answers,
        "verdict": _open_verdict(verdict(counts, min_answers)) if q["kind"] == "open" else verdict(counts, min_answers),
        "proposals": ({"proposed": counts["for"] + counts["mixed"], "with_conditions": counts["mixed"],
                       "rejected": counts["against"], "no_proposal": counts["none"]} if q["kind"] == "open" else None),
        "themes": [t for t in themes if not t["other"]],
        "other": {"size": other["size"], "share": other["share"], "label": other["label"]} if other else
                 {"size": 0, "share": 0.0, "label": ""},
        "minority": _minority(themes, counts),
        "declined": declined_quotes,
        "declined_n": n_declined,
        "no_side": counts["none"] - n_declined,
        "not_addressed": not_addressed,
        "not_addressed_n": sum(weight.get(cid, 1) for cid in not_addressed),
        "campaigns": sorted({campaign_of[cid] for cid in answered if cid in campaign_of}),
        "live": [],
        **({"tally": counted} if (counted := tally(q, answers)) else {}),  # only on a scale or multiple choice
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
