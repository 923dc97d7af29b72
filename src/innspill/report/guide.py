"""The reading guide's facts, and copies told apart from campaigns, from an ``innspill.analysis/1`` dict.

The dedupe stage links every repeated text to its first copy (``duplicate_of``, ``duplicate_how``).
A group of linked comments is either

* **copies**: one person's text posted more than once: the same author (normalised name), or,
  where a name is missing, a double post (within ``COPY_WINDOW`` comments of an earlier copy, or
  posted within ``COPY_MINUTES`` of it); or
* a **campaign** (form letter): the same or nearly the same text from two or more different
  people (the members left when each person's own copies are taken out).

Copies always count once. A campaign counts once by default (``count_campaigns="once"``: its
first copy carries the answers), or once per author (``"all"``).
"""

from __future__ import annotations

from datetime import datetime

COPY_WINDOW = 3  # an unsigned copy this many comments or fewer after another is a double post
COPY_MINUTES = 10  # ... or one posted this soon after it
TAKING_PART = ("kept", "duplicate")
CAMPAIGN_MODES = ("once", "all")
FIRST_WORDS = 160  # characters of a campaign's text quoted (its first sentence, cut at a word)


def _author(c: dict) -> str | None:
    a = c.get("author")
    if not isinstance(a, str) or not a.strip():
        return None
    return " ".join(a.split()).casefold()


def _when(c: dict) -> datetime | None:
    t = c.get("posted_at")
    if not isinstance(t, str) or not t:
        return None
    try:
        d = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d.replace(tzinfo=None) if d.tzinfo is None else d


def _minutes_apart(a: dict, b: dict) -> float | None:
    da, db = _when(a), _when(b)
    if da is None or db is None or (da.tzinfo is None) != (db.tzinfo is None):
        return None
    return abs((da - db).total_seconds()) / 60


def same_person(earlier: dict, later: dict) -> bool:
    """Whether ``later`` is ``earlier``'s author posting the text again."""
    a, b = _author(earlier), _author(later)
    if a and b:
        return a == b
    if abs(later["position"] - earlier["position"]) <= COPY_WINDOW:
        return True
    apart = _minutes_apart(earlier, later)
    return apart is not None and apart <= COPY_MINUTES


def _root(cid: str, by_id: dict) -> str:
    seen = set()
    while by_id.get(cid, {}).get("duplicate_of") and cid not in seen:
        seen.add(cid)
        cid = by_id[cid]["duplicate_of"]
    return cid


def duplicate_groups(comments: list[dict]) -> list[dict]:
    """Every group of linked comments (first copy and its duplicates), told apart as copies or campaign.

    Each group: ``comment_id`` (the first copy, which carries the answers), ``members`` (ids, in
    input order), ``size``, ``authors`` (people behind it: members that are not another member's
    own copy), ``kind`` (``copies`` | ``campaign``), ``how`` (the dedupe kinds seen), ``named``
    (members with an author name).
    """
    by_id = {c["id"]: c for c in comments}
    groups: dict[str, list[dict]] = {}
    for c in comments:
        if c.get("status") in TAKING_PART and c.get("duplicate_of"):
            root = _root(c["id"], by_id)
            if root in by_id and root != c["id"]:
                groups.setdefault(root, []).append(c)
    out = []
    for root, dups in groups.items():
        members = sorted([by_id[root], *dups], key=lambda c: c["position"])
        voices = [c for k, c in enumerate(members) if not any(same_person(m, c) for m in members[:k])]
        out.append({"comment_id": root, "members": [c["id"] for c in members], "size": len(members),
                    "authors": len(voices), "kind": "campaign" if len(voices) >= 2 else "copies",
                    "how": sorted({c.get("duplicate_how") or "exact" for c in dups}),
                    "named": sum(_author(c) is not None for c in members)})
    out.sort(key=lambda g: by_id[g["comment_id"]]["position"])
    k = 0
    for g in out:
        if g["kind"] == "campaign":
            k += 1
            g["id"] = f"k{k}"
        else:
            g["id"] = None
    return out


def first_sentence(text: str) -> tuple[int, int]:
    """Offsets of the opening of ``text``: its first sentence, or its first ``FIRST_WORDS`` characters cut at a word."""
    start = len(text) - len(text.lstrip())
    end = len(text)
    for k in range(start, len(text)):
        ch = text[k]
        if ch == "\n" or (ch in ".!?" and (k + 1 == len(text) or text[k + 1].isspace())):
            if len(text[start:k].split()) >= 4:  # not "1." or "Hei!" alone
                end = k + 1 if ch != "\n" else k
                break
    if end - start > FIRST_WORDS:
        cut = text.rfind(" ", start, start + FIRST_WORDS)
        end = cut if cut > start else start + FIRST_WORDS
    return start, end


def weights(groups: list[dict], count_campaigns: str) -> dict[str, int]:
    """How many answers each first copy counts for (absent: 1)."""
    if count_campaigns == "once":
        return {}
    return {g["comment_id"]: g["authors"] for g in groups if g["kind"] == "campaign"}


def facts(data: dict, groups: list[dict], *, min_answers: int, count_campaigns: str) -> dict:
    """What the reading guide says, as data: who answered and how, the period, copies and campaigns."""
    comments = data["comments"]
    part = [c for c in comments if c.get("status") in TAKING_PART]
    named = [c for c in part if _author(c)]
    dates = sorted(d for d in (_when(c) for c in part) if d is not None and d.tzinfo is None) or \
        sorted(d for d in (_when(c) for c in part) if d is not None and d.tzinfo is not None)
    by_status = data.get("stats", {}).get("by_status") or {}
    excluded = {s: n for s, n in by_status.items() if s not in TAKING_PART and n}
    copies = [g for g in groups if g["kind"] == "copies"]
    campaigns = [g for g in groups if g["kind"] == "campaign"]
    pos = {c["id"]: c["position"] for c in part}
    adjacent = sum(pos[b] - pos[a] == 1 for g in copies for a, b in zip(g["members"], g["members"][1:]))
    return {
        "source_format": data["source"].get("format"),
        "source_path": data["source"].get("path"),
        "comments_read": data.get("stats", {}).get("comments_read", len(comments)),
        "taking_part": len(part),
        "excluded": excluded,
        "distinct": sum(1 for c in part if not c.get("duplicate_of")),
        "named": len(named),
        "unnamed": len(part) - len(named),
        "people": len({_author(c) for c in named}) if named else None,
        "period": {"first": dates[0].date().isoformat(), "last": dates[-1].date().isoformat()} if dates else None,
        "representative": False,
        "min_answers": min_answers,
        "count_campaigns": count_campaigns,
        "copies": {"groups": len(copies), "comments": sum(g["size"] for g in copies),
                   "extra": sum(g["size"] - 1 for g in copies),
                   "double_posts": adjacent},  # copies that come right after the one before
        "campaigns": {"groups": len(campaigns), "comments": sum(g["size"] for g in campaigns),
                      "authors": sum(g["authors"] for g in campaigns),
                      "extra_if_all": sum(g["authors"] - 1 for g in campaigns)},
    }
