"""What a live session's cached results look like to each audience, from a results-cache
``Entry`` (``services.get_entry``): the participants' and the projector's view (never the counts
of a statement before it is revealed, never hidden statements or unapproved ideas) and the
presenter's (everything), with the presenter's notes, counts and groups in words in the active
language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import AudienceIdea

if TYPE_CHECKING:
    from .services import Entry


def _consensus_view(c: dict, text: dict, kinds: dict, counts: dict) -> dict:
    """A consensus statement with its direction in numbers: how many of the statement's voters
    went that way (``n`` of ``total``), and the share the least convinced group reached."""
    n = counts.get(str(c["statement"]), {})
    return {**c, "text": text[c["statement"]], "kind": kinds[c["statement"]],
            "n": n.get(c["direction"], 0), "total": n.get("total", 0)}


def _divisive_view(d: dict, text: dict, kinds: dict, by_group: dict) -> dict:
    """A divisive statement with each group's share agreeing (group order: A, B, …)."""
    shares = [g["agree_share"] for g in by_group.get(str(d["statement"]), []) if g["n"]]
    return {**d, "text": text[d["statement"]], "kind": kinds[d["statement"]], "agree_shares": shares}


def _groups_wait(details: list[dict]) -> dict | None:
    """Why there are no opinion groups yet, as numbers the projector words (the first reason)."""
    for d in details:
        if d.get("code") in ("too_few_statements", "too_few_participants", "no_differences"):
            return {k: v for k, v in d.items() if k in ("code", "need", "have", "min_votes", "participants")}
    return None


def _statement_view(s: dict, counts: dict, number: int, total: int) -> dict:
    return {"id": s["id"], "kind": s["kind"], "text": s["text"], "locked": s["locked"], "revealed": s["revealed"],
            "number": number, "of": total,
            "counts": counts.get(str(s["id"]), {"agree": 0, "disagree": 0, "pass": 0, "total": 0})
            if s["revealed"] else None}


def public_state(e: Entry, view: str) -> dict:
    """What participants (``view="participant"``) or the projector see: never the counts of a
    statement before it is revealed, never hidden statements, never pending or rejected ideas."""
    res = e.results
    visible = [s for s in res["statements"] if not s["hidden"]]
    by_id = {s["id"]: s for s in visible}
    counts = res.get("counts", {})
    cur = by_id.get(e.session["current"])
    out = {"code": e.session["code"], "state": e.session["state"], "title": e.session["title"],
           "participants": e.session["participants"],
           "statement": _statement_view(cur, counts, visible.index(cur) + 1, len(visible)) if cur else None,
           "ideas": [{"id": i["id"], "text": i["text"], "upvotes": i["n"]} for i in e.ideas
                     if i["state"] == AudienceIdea.APPROVED and not i["promoted_to_id"]][:20]}
    out["active"] = e.session.get("active", e.session["participants"])
    if view == "projector":
        out["voting"] = res.get("participants_voting", 0)
        revealed = {s["id"] for s in visible if s["revealed"]}
        text = {s["id"]: s["text"] for s in visible}
        kinds = {s["id"]: s["kind"] for s in visible}
        g = res.get("groups")
        # consensus and divisive statements are shown only beside opinion groups: before there
        # are groups, a 60 % majority of a handful of votes is no consensus worth a headline
        out["consensus"] = [] if not g else [_consensus_view(c, text, kinds, counts) for c in res.get("consensus", [])
                                             if c["statement"] in revealed]
        out["divisive"] = [] if not g else [_divisive_view(d, text, kinds, g.get("by_group", {}))
                                            for d in res.get("divisive", []) if d["statement"] in revealed]
        from innspill.votes.results import CONSENSUS_SHARE

        out["threshold"] = round(CONSENSUS_SHARE * 100)
        out["groups_wait"] = None if g else _groups_wait(res.get("notes_detail", []))
        out["groups"] = None if not g else {
            "k": g["k"], "sizes": g["sizes"],
            "points": [[round(p[0], 3), round(p[1], 3), g["members"].get(pid, 0)] for pid, p in g["points"].items()]}
    return out


def notes_text(details: list[dict]) -> list[str]:
    """The results' notes (why there are no opinion groups yet, repeated votes) in the active
    language, the presenter's, written from their codes; the English ``notes`` of the results
    file stay as they are for the exports."""
    from django.utils.translation import gettext, ngettext

    out = []
    for d in details:
        code = d.get("code")
        if code == "repeated_votes":
            out.append(ngettext("%(n)s repeated vote on the same statement by the same participant: the latest counts.",
                                "%(n)s repeated votes on the same statement by the same participant: the latest counts.",
                                d["count"]) % {"n": d["count"]})
        elif code == "too_few_statements":
            out.append(gettext("Opinion groups need at least %(need)s visible statements with votes; "
                               "%(have)s so far.") % d)
        elif code == "too_few_participants":
            text = gettext("Opinion groups need at least %(need)s participants with %(min_votes)s votes each; "
                           "%(have)s so far.") % d
            if d.get("straight_liners_excluded"):
                text += " " + gettext("Participants who voted the same way on everything are not counted.")
            out.append(text)
        elif code == "no_differences":
            out.append(gettext("The votes do not separate the participants into groups "
                               "(%(participants)s participants with enough votes).") % d)
    return out


def words_list(items: list) -> str:
    """"3, 2, 2 og 1" / "3, 2, 2 and 1" in the active language."""
    from django.utils.translation import gettext

    items = [str(x) for x in items]
    if len(items) < 2:
        return "".join(items)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def active_text(active: int, joined: int) -> str:
    """"12 participants now (15 have joined)" in the active language: ``active`` counts the
    open connections (:func:`connected`)."""
    from django.utils.translation import ngettext

    text = ngettext("%(n)s participant now", "%(n)s participants now", active) % {"n": active}
    if joined != active:
        text += " " + ngettext("(%(n)s has joined)", "(%(n)s have joined)", joined) % {"n": joined}
    return text


def groups_text(sizes: list[int]) -> str:
    """The opinion groups in words: "4 grupper: 3, 2, 2 og 1 deltakere" (active language)."""
    from django.utils.translation import ngettext

    return ngettext("%(k)s group: %(sizes)s participants", "%(k)s groups: %(sizes)s participants",
                    len(sizes)) % {"k": len(sizes), "sizes": words_list(sizes)}


def refused_text(refused: dict) -> str:
    """"3 votes refused · 1 join refused" in the active language ("" when nothing was refused)."""
    from django.utils.translation import ngettext

    words = {"votes": lambda n: ngettext("%(n)s vote refused", "%(n)s votes refused", n),
             "joins": lambda n: ngettext("%(n)s new participant refused", "%(n)s new participants refused", n),
             "ideas": lambda n: ngettext("%(n)s idea refused", "%(n)s ideas refused", n)}
    return " · ".join(words[k](refused[k]) % {"n": refused[k]} for k in ("votes", "joins", "ideas")
                      if refused.get(k))


def presenter_state(e: Entry) -> dict:
    """Everything, for the presenter: counts of every statement (revealed or not), straight-liners,
    ideas in every state."""
    res = e.results
    return {"session": e.session, "counts": res.get("counts", {}), "participants_voting": res.get("participants_voting", 0),
            "refused": e.session.get("refused", {}), "refused_text": refused_text(e.session.get("refused", {})),
            "straight_liners": res.get("straight_liners", []),
            "straight_liners_included": res.get("straight_liners_included", True),
            "groups": None if not res.get("groups") else {"k": res["groups"]["k"], "sizes": res["groups"]["sizes"],
                                                          "text": groups_text(res["groups"]["sizes"])},
            "active": e.session.get("active", e.session["participants"]),
            "active_text": active_text(e.session.get("active", e.session["participants"]),
                                       e.session["participants"]),
            "consensus": res.get("consensus", []), "divisive": res.get("divisive", []),
            "notes": notes_text(res.get("notes_detail", [])),
            "ideas": [{"id": i["id"], "text": i["text"], "state": i["state"], "upvotes": i["n"],
                       "promoted": i["promoted_to_id"], "by": f"p{i['participant__number']}"} for i in e.ideas]}
