"""The live vote in the brief: results of a live debate (``innspill.live/1`` with results) as brief data.

The results file is what ``innspill.votes.results.build_results`` returns (the session's export
with ``counts``, ``groups``, ``consensus``, ``divisive`` … added; see /work/notes/live-format.md
and README). A plain export without results is computed here when that package is installed.
Statement texts are shown as statements put to the room, never as quotes of comments.
"""

from __future__ import annotations

from ..errors import InnspillError

SCHEMA = "innspill.live/1"
VOTES = ("agree", "disagree", "pass")
RESULT_KEYS = ("counts", "participants_voting", "straight_liners", "straight_liners_included", "groups",
               "consensus", "divisive", "notes", "notes_detail")


def _bad(msg: str, path: str | None) -> InnspillError:
    return InnspillError("E303", msg, path=path,
                         hint="give the results a live debate exported (innspill.live/1 with counts)")


def _count(x, what: str, path: str | None) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 0:
        raise _bad(f"{what} must be a whole number of votes, not {x!r}", path)
    return x


def check(data, path: str | None = None, include_straight_liners: bool | None = None) -> dict:
    """The results, checked; computed from a plain export (or computed again, when
    ``include_straight_liners`` is given and the file holds the votes) when the live package is there."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise _bad(f"not an {SCHEMA} file", path)
    sts = data.get("statements")
    if not isinstance(sts, list) or not all(isinstance(s, dict) and isinstance(s.get("id"), int)
                                            and isinstance(s.get("text"), str)
                                            and s.get("kind") in ("question", "statement") for s in sts):
        raise _bad("statements must be a list of {id, kind: question|statement, text}", path)
    recompute = include_straight_liners is not None and isinstance(data.get("votes"), list) and \
        bool(data.get("straight_liners_included", True)) != include_straight_liners
    if "counts" not in data or recompute:
        try:
            from ..votes.results import build_results
        except ImportError:
            raise _bad("the file holds no results (counts); export the results of the live debate", path) from None
        plain = {k: v for k, v in data.items() if k not in RESULT_KEYS}
        data = build_results(plain, include_straight_liners=True if include_straight_liners is None
                             else include_straight_liners)
    elif include_straight_liners is not None and bool(data.get("straight_liners_included", True)) != \
            include_straight_liners:
        raise _bad("the results were computed with the other straight-liner choice and hold no votes to "
                   "compute them again", path)
    counts = data.get("counts")
    if not isinstance(counts, dict):
        raise _bad("counts must be an object keyed by statement id", path)
    for sid, c in counts.items():
        if not isinstance(c, dict):
            raise _bad(f"counts of statement {sid} must be an object", path)
        for k in VOTES:
            _count(c.get(k, 0), f"counts[{sid}].{k}", path)
    for key in ("consensus", "divisive", "straight_liners"):
        if not isinstance(data.get(key) or [], list):
            raise _bad(f"{key} must be a list", path)
    if data.get("groups") is not None and not isinstance(data["groups"], dict):
        raise _bad("groups must be an object or null", path)
    return data


def load(path: str, include_straight_liners: bool | None = None) -> dict:
    from ..evaluate import load_json

    return check(load_json(path, "live results"), path, include_straight_liners)


def model(res: dict, question_ids: set[str], min_answers: int) -> dict:
    """The live section of the brief model."""
    cons = {c.get("statement"): c for c in res.get("consensus") or []}
    div = {d.get("statement"): d for d in res.get("divisive") or []}
    groups = res.get("groups")
    by_group = (groups or {}).get("by_group") or {}
    statements, hidden = [], 0
    for s in sorted(res["statements"], key=lambda s: (s.get("position") or 0, s["id"])):
        if s.get("hidden"):
            hidden += 1
            continue
        c = res["counts"].get(str(s["id"])) or {}
        n = {k: int(c.get(k, 0)) for k in VOTES}
        total = sum(n.values())
        qid = s.get("question_id") if s.get("question_id") in question_ids else None
        statements.append({
            "id": s["id"], "kind": s["kind"], "text": s["text"], "source": s.get("source"),
            "question_id": qid, "comment_id": s.get("comment_id"),
            "counts": n, "total": total, "shares": {k: n[k] / total if total else 0.0 for k in VOTES},
            "few": total < min_answers,
            "consensus": cons[s["id"]].get("direction") if s["id"] in cons else None,
            "consensus_share": cons[s["id"]].get("min_share") if s["id"] in cons else None,
            "divisive": div[s["id"]].get("spread") if s["id"] in div else None,
            "by_group": [{"group": g.get("group"), "n": g.get("n", 0),
                          **{k: g.get(k, 0) for k in VOTES}} for g in by_group.get(str(s["id"]), [])],
        })
    shown = {s["id"] for s in statements}
    session = res.get("session") or {}
    return {
        "session": {k: session.get(k) for k in ("code", "title", "started", "ended", "exported")},
        "participants": len(res.get("participants") or []),
        "participants_voting": res.get("participants_voting", 0),
        "straight_liners": len(res.get("straight_liners") or []),
        "straight_liners_included": bool(res.get("straight_liners_included", True)),
        "groups": None if not groups else {
            "k": groups.get("k"), "sizes": list(groups.get("sizes") or []), "method": groups.get("method"),
            "silhouette": groups.get("silhouette"), "min_votes": groups.get("min_votes")},
        "consensus": [c["statement"] for c in res.get("consensus") or [] if c.get("statement") in shown],
        "divisive": [d["statement"] for d in res.get("divisive") or [] if d.get("statement") in shown],
        "notes": list(res.get("notes") or []),
        "hidden": hidden,
        "statements": statements,
    }
