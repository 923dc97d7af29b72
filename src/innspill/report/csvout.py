"""CSV of answers for spreadsheets: comment, question, stance (yes/no questions only: empty on an open
question, which has no for or against), proposal (open questions only: ``proposed``,
``proposed-with-conditions``, ``rejects-premise`` or ``no-proposal``), confidence, evidence, theme, and how many
answers the row counts for (``counted_as``: more than 1 only for a campaign's text with
``--count-campaigns all``) with its campaign id, then the consultation's title (empty when the source
names none) and the period of the answers (``first/last``, ISO days, empty without dates) on every row. No percentages: nothing to put a count beside."""

from __future__ import annotations

import io

from .. import csvsafe

# what an answer to an open question did, for the ``proposal`` column (the stance read on it)
PROPOSAL = {"for": "proposed", "mixed": "proposed-with-conditions", "against": "rejects-premise",
            "none": "no-proposal"}


def to_csv(brief: dict, T) -> str:
    numbers = {q["id"]: q["number"] for q in brief["questions"]}
    buf = io.StringIO()
    w = csvsafe.writer(buf, lineterminator="\n")
    campaign = {d["comment_id"]: d for d in brief["duplicates"] if d["kind"] == "campaign"}
    all_ = brief["guide"]["count_campaigns"] == "all"
    kind = {q["id"]: q.get("kind") for q in brief["questions"]}
    w.writerow(["comment", "question", "stance", "proposal", "confidence", "evidence", "evidence_masked", "theme_id",
                "theme", "campaign", "counted_as", "consultation", "period"])
    about = brief.get("consultation")
    p = brief["guide"].get("period")  # a brief model made before the period was recorded has none
    where = [about["title"] if about else "", f"{p['first']}/{p['last']}" if p else ""]
    for r in brief["answers"]:
        evidence = r["evidence"] if r["evidence"] is not None else (T._("[withheld: sensitive]")
                                                                     if r["evidence_withheld"] else "")
        theme = T._("other") if r["theme_other"] else (r["theme"] or "")
        is_open = kind.get(r["question_id"]) == "open"
        w.writerow([r["comment_id"], numbers.get(r["question_id"], r["question_id"]),
                    "" if is_open else r["stance"], PROPOSAL.get(r["stance"], "") if is_open else "",
                    f"{r['confidence']:.3f}", evidence, "yes" if r["evidence_masked"] else "", r["theme_id"] or "",
                    theme, campaign[r["comment_id"]]["id"] if r["comment_id"] in campaign else "",
                    campaign[r["comment_id"]]["authors"] if all_ and r["comment_id"] in campaign else 1, *where])
    return buf.getvalue()
