"""Organisers' corrections, stored apart from the analysis and applied on top of any run.

A correction names a stored comment (database id) and, for answers, a question number, so it
survives re-analysis; it also records the hash of the comment's text, and is reported as stale
(not applied) when the participant has since changed the text. The corrected analysis is still
an ``innspill.analysis/1`` document; it gains ``corrections`` (what was applied) and each
corrected answer ``provenance.corrected`` (additive fields, see docs/contract.md).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re

from ... import contract
from ...evaluate import is_sensitive as flagged_sensitive
from ..consultations.models import Comment
from .models import Correction

SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def is_sensitive(comment: dict) -> bool:
    """Flagged sensitive by the privacy stage or by an organiser."""
    return flagged_sensitive(comment) or bool((comment.get("privacy") or {}).get("sensitive_story"))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _evidence(text: str, start: int, end: int, old: str) -> str:
    span = text[start:end]
    if old and old in span:
        return old
    m = SENTENCE.search(span)
    return m.group(0).strip() if m and m.group(0).strip() else span.strip()


def _analysis(data: dict) -> contract.Analysis:
    """The corrected document as the library's Analysis object (repairs left out: not needed here)."""
    def build(cls, d):
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names and k not in ("repairs",)})

    return contract.Analysis(source=data.get("source") or {}, language=data.get("language", "und"),
                          questions=[build(contract.Question, q) for q in data["questions"]],
                          comments=[build(contract.Comment, c) for c in data["comments"]],
                          answers=[build(contract.Answer, x) for x in data["answers"]])


def restage(data: dict, themes: bool) -> None:
    """``stats`` by the library's Analysis.stats and, after a correction, ``themes`` by the themes
    stage itself (answers moved, removed or re-labelled, stories marked sensitive)."""
    a = _analysis(data)
    stats = a.stats()
    stats["repairs"] = sum(len(c.get("repairs") or ()) for c in data["comments"])
    data["stats"] = stats
    if themes and "themes" in data:
        from django.conf import settings

        from ...themes import build_themes
        from .services import embedder

        data["themes"] = build_themes(a, embedder() if settings.USE_EMBEDDINGS else None)


def apply(data: dict, comment_map: dict[str, int], corrections) -> dict:
    """A copy of analysis ``data`` with ``corrections`` (oldest first) applied."""
    data = copy.deepcopy(data)
    cid_of = {pk: cid for cid, pk in comment_map.items()}
    comments = {c["id"]: c for c in data["comments"]}
    qid_of = {q["number"]: q["id"] for q in data["questions"]}
    applied = []
    for corr in corrections:
        cid = cid_of.get(corr.comment_id)
        c = comments.get(cid)
        entry = {"id": corr.pk, "kind": corr.kind, "comment_id": cid, "question": corr.question_number,
                 "before": corr.before, "after": corr.after, "by": corr.user.get_username() if corr.user else None,
                 "at": corr.at.isoformat()}
        if c is None or text_hash(c["original"]) != corr.text_sha256:
            applied.append({**entry, "applied": False, "why": "the comment changed or is gone"})
            continue
        ok = _apply_one(data, c, qid_of.get(corr.question_number), corr, entry)
        applied.append({**entry, "applied": ok} if ok else {**entry, "applied": False, "why": "nothing to correct"})
    order = {q["id"]: i for i, q in enumerate(data["questions"])}
    pos = {c["id"]: c["position"] for c in data["comments"]}
    data["answers"].sort(key=lambda a: (pos[a["comment_id"]], order.get(a["question_id"], 99), a["start"]))
    data["corrections"] = applied
    restage(data, themes=any(x["applied"] for x in applied))
    return data


def _apply_one(data: dict, c: dict, qid: str | None, corr: Correction, entry: dict) -> bool:
    answers = data["answers"]
    mine = [a for a in answers if a["comment_id"] == c["id"] and (qid is None or a["question_id"] == qid)]
    mark = {"by": entry["by"], "at": entry["at"], "kind": corr.kind, "before": corr.before}
    after = corr.after or {}
    if corr.kind == Correction.STANCE:
        if not mine:
            return False
        for a in mine:
            a["stance"], a["confidence"] = after["stance"], 1.0
            a.setdefault("provenance", {})["corrected"] = mark
        return True
    if corr.kind == Correction.SPAN:
        if c["status"] != "kept" or c.get("duplicate_of"):
            return False
        for a in mine:
            answers.remove(a)
        if after.get("start") is None:
            return bool(mine)
        s, e = int(after["start"]), int(after["end"])
        text = c["text"]
        if not 0 <= s < e <= len(text):
            return False
        old = mine[0] if mine else {}
        answers.append({
            "comment_id": c["id"], "question_id": qid, "text": text[s:e], "start": s, "end": e,
            "how": old.get("how", "corrected"), "stance": after.get("stance") or old.get("stance", "none"),
            "confidence": 1.0, "evidence": _evidence(text, s, e, old.get("evidence", "")),
            "score": 1.0, "provenance": {**old.get("provenance", {}), "corrected": mark}})
        return True
    if corr.kind == Correction.SENSITIVE:
        on = bool(after.get("sensitive"))
        c["flags"] = [f for f in c.get("flags") or [] if f not in ("sensitive", "sensitive-story")] + \
            (["sensitive-story"] if on else [])
        privacy = c.get("privacy")
        if isinstance(privacy, dict):  # the privacy stage's record: the brief never quotes a sensitive story
            privacy["sensitive_story"] = on
            if not on:
                privacy["sensitive"] = []
            privacy["corrected"] = mark
        elif on:
            c["privacy"] = {"sensitive": [], "sensitive_story": True, "corrected": mark}
        return True
    if corr.kind == Correction.DUPLICATE:
        target = next((x for x in data["comments"] if x["id"] == after.get("duplicate_of_id")), None)
        if target is None or target["id"] == c["id"]:
            return False
        c["duplicate_of"], c["duplicate_how"], c["status"] = target["id"], "manual", "duplicate"
        data["answers"] = [a for a in answers if a["comment_id"] != c["id"]]
        return True
    return False


def record(consultation, comment: Comment, kind: str, after: dict | None, user, question_number=None,
           before=None) -> Correction:
    return Correction.objects.create(consultation=consultation, comment=comment, kind=kind, after=after,
                                     before=before, question_number=question_number, user=user,
                                     text_sha256=text_hash(comment.text if comment.state != Comment.WITHDRAWN else ""))


def follow_question_numbers(sender, consultation, changes: dict[int, int], **kwargs) -> None:
    """``questions_renumbered``'s receiver: corrections follow their question to its new number
    (``changes``: {old: new}; a deleted question's corrections keep its old number)."""
    for row in list(Correction.objects.filter(consultation=consultation)):  # all read before any is changed
        if row.question_number in changes:
            Correction.objects.filter(pk=row.pk).update(question_number=changes[row.question_number])


def corrected(run) -> dict:
    """The run's analysis with every correction of its consultation applied (kept in the cache
    until the run or the corrections change)."""
    from django.core.cache import cache

    corrs = list(run.consultation.corrections.select_related("user").order_by("at", "id"))
    erased = (run.analysis.get("provenance") or {}).get("erased", 0)  # answers withdrawn since the run
    key = f"innspill:corrected:{run.pk}:{erased}:{len(corrs)}:{corrs[-1].pk if corrs else 0}"
    data = cache.get(key)
    if data is None:
        data = apply(run.analysis, {k: int(v) for k, v in run.comment_map.items()}, corrs)
        cache.set(key, data, 600)
    return data


def gold(data: dict, slug: str) -> dict:
    """The corrected analysis as hand labels (``innspill.gold/1``) for ``innspill eval``."""
    pos = {c["id"]: c["position"] for c in data["comments"]}
    qnum = {q["id"]: q["number"] for q in data["questions"]}
    answers: dict[str, dict] = {}
    for a in data["answers"]:
        answers.setdefault(a["comment_id"], {})[str(qnum[a["question_id"]])] = a["stance"]
    out = []
    for c in data["comments"]:
        if c.get("duplicate_of"):
            out.append({"position": c["position"], "duplicate_of": pos[c["duplicate_of"]]})
            continue
        out.append({"position": c["position"], "answers": answers.get(c["id"], {}), "sensitive": is_sensitive(c)})
    return {"schema": "innspill.gold/1", "thread": f"consultation:{slug}",
            "note": "the analysis with the organisers' corrections (innspill web)",
            "questions": [{"number": q["number"], "kind": q["kind"]} for q in data["questions"]],
            "comments": out}


def training_rows(data: dict, slug: str) -> list[dict]:
    """Every answer whose stance an organiser corrected (a stance correction, or a moved span
    given a stance; not a sensitive story, not an answer whose question is gone) as a row of the
    stance model's training corpus (``training/DATACARD.md``):
    the question, the answer's text as the analysis holds it, and the corrected stance.
    ``python training/train_stance.py --corrections FILE`` (``make train CORRECTIONS=FILE``)
    learns from them."""
    questions = {q["id"]: q for q in data["questions"]}
    comments = {c["id"]: c for c in data["comments"]}
    rows = []
    stance_given = {(x["comment_id"], x["question"]) for x in data.get("corrections", [])
                    if x.get("applied") and (x["kind"] == Correction.STANCE
                                             or (x["kind"] == Correction.SPAN and (x.get("after") or {}).get("stance")))}
    for a in data["answers"]:
        mark = (a.get("provenance") or {}).get("corrected")
        q = questions.get(a.get("question_id"))
        if not mark or q is None or (a["comment_id"], q["number"]) not in stance_given:
            continue  # only stances a person gave: a moved span keeps the machine's reading
        c = comments.get(a["comment_id"], {})
        if is_sensitive(c):
            continue  # a sensitive story does not go into a training file
        rows.append({"id": f"corr-{slug}-{a['comment_id']}-{q['number']}", "writer": "corrections",
                     "lang": c.get("language") or data.get("language") or "nb", "topic": slug,
                     "qid": f"corr-{slug}-q{q['number']}", "question": q["text"], "kind": q["kind"],
                     "text": a["text"], "stance": a["stance"], "hows": ["correction"],
                     "before": (mark.get("before") or {}).get("stance"), "source": f"consultation:{slug}"})
    return rows
