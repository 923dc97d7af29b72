"""The data contract ``innspill.analysis/1`` as dataclasses.

One :class:`Analysis` object flows through the pipeline stages; each stage
reads some fields and adds others. ``Analysis.to_dict`` writes the contract
documented in ``docs/contract.md``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass, field

from . import SCHEMA

STANCES = ("for", "against", "mixed", "none")
STATUSES = ("kept", "duplicate", "spam", "trash", "held", "empty", "rejected")


@dataclass
class Question:
    id: str
    number: int
    text: str
    kind: str  # "yesno" | "open"
    context: str | None = None  # only when the post itself is the question (W203): its lead, or ""


def question_dict(q: Question) -> dict:
    """A question as the contract writes it: ``context`` only when there is one (added field)."""
    d = asdict(q)
    if d["context"] is None:
        del d["context"]
    return d


@dataclass
class Repair:
    rule: str
    offset: int  # index into the comment's ``original``
    before: str
    after: str


# comments and answers are the objects a run holds by the million: ``slots`` keeps their fields in
# the object itself, without a dictionary per object (issue 19's memory at 1,000,000 answers)
@dataclass(slots=True)
class Comment:
    id: str
    position: int
    original: str
    text: str = ""
    author: str | None = None
    posted_at: str | None = None
    parent_id: str | None = None
    duplicate_of: str | None = None
    duplicate_how: str | None = None  # exact | prefix | near
    status: str = "kept"
    reason: str | None = None
    language: str | None = None
    line: int | None = None  # 1-based line of the comment in the input file
    source_id: str | None = None  # the comment's own id in the source, if it had one
    markup: str | None = None  # the comment as the source held it (HTML), when that differs from ``original``
    fields: dict[str, list[int]] | None = None  # question id -> [start, end] in ``original`` (a table cell)
    repairs: list[Repair] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    privacy: dict | None = None  # set by the privacy stage (distinct comments only)

    def __post_init__(self):
        if not self.text:
            self.text = self.original

    def to_dict(self) -> dict:
        d = asdict(self)
        order = ["id", "position", "author", "posted_at", "parent_id", "text", "original",
                 "duplicate_of", "duplicate_how", "status", "reason", "language", "line", "source_id",
                 "repairs", "flags", "markup", "fields"]
        out = {k: d[k] for k in order}
        if self.privacy is not None:
            out["privacy"] = d["privacy"]
        return out


class Probs(Mapping):
    """The stance model's four probabilities (``provenance.model_probs``) in slots, keys in
    :data:`STANCES` order: a dict to read (64 bytes instead of 184), not to change in place (one
    object is shared by every answer with the same numbers). :meth:`compact` makes one from a dict
    with those keys in that order; a copy (``copy.deepcopy``, so ``to_dict``) is a plain dict."""

    __slots__ = ("_for", "_against", "_mixed", "_none")
    _SLOT = {k: "_" + k for k in STANCES}

    def __init__(self, values: dict):
        for k in STANCES:
            object.__setattr__(self, "_" + k, values[k])

    @classmethod
    def compact(cls, d):
        return cls(d) if type(d) is dict and tuple(d) == STANCES else d

    def __getitem__(self, key):
        slot = self._SLOT.get(key)
        if slot is None:
            raise KeyError(key)
        return getattr(self, slot)

    def __iter__(self):
        return iter(STANCES)

    def __len__(self):
        return len(STANCES)

    def __repr__(self):
        return repr(dict(self))

    def __setattr__(self, name, value):
        raise TypeError("Probs are shared between answers: replace them, do not change them")

    def __reduce__(self):
        return (Probs, (dict(self),))

    def __deepcopy__(self, memo):
        return dict(self)


PROVENANCE_KEYS = ("stage", "parts", "stance_rule", "evidence_start", "rule_stance", "model_probs", "stance_by")


class Provenance(MutableMapping):
    """An answer's ``provenance`` in slots: a dict in all but size (about 100 bytes instead of 272;
    1,500,000 answers hold some 250 MB less). The usual keys (:data:`PROVENANCE_KEYS`) live in
    slots, in that order; any other key, or a usual one added out of that order, in a dict after
    them, so the keys iterate in the order they were added, as a dict's do, and the analysis
    written is the same (tested). Made by :meth:`compact` once the answers are read; every stage
    that changes a provenance afterwards replaces it (``{**a.provenance, ...}``) or sets keys."""

    __slots__ = tuple("_" + k for k in PROVENANCE_KEYS) + ("_extra",)
    _SLOT = {k: "_" + k for k in PROVENANCE_KEYS}

    def __init__(self, items=()):
        self._extra = None
        for k, v in dict(items).items():
            self[k] = v

    @classmethod
    def compact(cls, d: dict):
        """``d`` as a Provenance when its usual keys come first and in the usual order (then the
        order is kept), else ``d`` itself."""
        if type(d) is not dict:
            return d
        keys = list(d)
        usual = [k for k in keys if k in cls._SLOT]
        if keys[:len(usual)] != usual or usual != [k for k in PROVENANCE_KEYS if k in d]:
            return d
        return cls(d)

    def __getitem__(self, key):
        slot = self._SLOT.get(key)
        if slot is not None:
            try:
                return getattr(self, slot)
            except AttributeError:
                pass
        if self._extra is not None and key in self._extra:
            return self._extra[key]
        raise KeyError(key)

    def __setitem__(self, key, value):
        slot = self._SLOT.get(key)
        if slot is not None and (hasattr(self, slot) or (
                self._extra is None and not any(hasattr(self, s) for s in self.__slots__[
                    PROVENANCE_KEYS.index(key) + 1:-1]))):
            setattr(self, slot, value)  # set in place, or added after every usual key present
            return
        if self._extra is None:
            self._extra = {}
        self._extra[key] = value

    def __delitem__(self, key):
        slot = self._SLOT.get(key)
        if slot is not None and hasattr(self, slot):
            delattr(self, slot)
        elif self._extra is not None and key in self._extra:
            del self._extra[key]
        else:
            raise KeyError(key)

    def __iter__(self):
        for k in PROVENANCE_KEYS:
            if hasattr(self, "_" + k):
                yield k
        if self._extra:
            yield from self._extra

    def __len__(self):
        return sum(hasattr(self, s) for s in self.__slots__[:-1]) + len(self._extra or ())

    def __repr__(self):
        return repr(dict(self))

    def __deepcopy__(self, memo):
        return Provenance(copy.deepcopy(dict(self), memo))


@dataclass(slots=True)
class Answer:
    comment_id: str
    question_id: str
    text: str
    start: int
    end: int
    how: str  # numbered, quoted, reference, semantic, field, post; "corrected" in web corrections (docs/contract.md)
    stance: str = "none"
    confidence: float = 0.0
    evidence: str = ""
    score: float = 0.0  # segmentation score (how sure we are it addresses the question)
    provenance: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        if not isinstance(d["provenance"], dict):  # a Provenance (a copy): as the dict it stands for
            d["provenance"] = dict(d["provenance"])
        d["confidence"] = round(d["confidence"], 3)
        d["score"] = round(d["score"], 3)
        return d


@dataclass
class Analysis:
    source: dict
    questions: list[Question]
    comments: list[Comment]
    post: str = ""
    language: str = "und"
    answers: list[Answer] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)

    def distinct(self) -> list[Comment]:
        """Comments that are analysed: kept and not a duplicate. Comments kept partly on disk
        (:class:`innspill.comment_spill.SpilledComments`) are looked for among those in memory:
        the others were not analysed, and are not read back for this."""
        comments = getattr(self.comments, "analysed", self.comments)
        return [c for c in comments if c.status == "kept" and c.duplicate_of is None]

    def stats(self) -> dict:
        by_status = {s: 0 for s in STATUSES}
        for c in self.comments:
            by_status[c.status] = by_status.get(c.status, 0) + 1
        answered = {}
        for a in self.answers:
            answered.setdefault(a.question_id, set()).add(a.comment_id)
        source = self.source or {}
        return {
            "comments_read": len(self.comments),
            "distinct": len(self.distinct()),
            "duplicates": by_status["duplicate"],
            "by_status": by_status,
            "answers": len(self.answers),
            "repairs": sum(len(c.repairs) for c in self.comments),
            "answered_by_question": {q.id: len(answered.get(q.id, ())) for q in self.questions},
            "reconciled": sum(by_status.values()) == len(self.comments),
            "linkbacks": int(source.get("pingbacks") or 0) + int(source.get("trackbacks") or 0),
        }

    def write_json(self, fh, provenance_extra: dict | None = None) -> None:
        """Write ``to_dict()`` as JSON (``indent=1``, byte for byte what ``json.dump`` writes)
        one comment and one answer at a time, so writing 100,000 comments does not first build
        a second copy of them all in memory."""
        head = self.to_dict(items=False)
        if provenance_extra:
            head["provenance"] = {**head["provenance"], **provenance_extra}
        fh.write("{")
        for n, (key, value) in enumerate(head.items()):
            fh.write(("," if n else "") + "\n " + json.dumps(key, ensure_ascii=False) + ": ")
            if key in ("comments", "answers"):
                items = self.comments if key == "comments" else self.answers
                if not items:
                    fh.write("[]")
                    continue
                fh.write("[")
                for i, item in enumerate(items):
                    text = json.dumps(item.to_dict(), ensure_ascii=False, indent=1).replace("\n", "\n  ")
                    fh.write(("," if i else "") + "\n  " + text)
                fh.write("\n ]")
            else:
                fh.write(json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n "))
        fh.write("\n}")

    def to_dict(self, items: bool = True) -> dict:
        """The contract as a dict; ``items=False`` leaves the comment and answer lists empty
        (for :meth:`write_json`, which writes them one by one)."""
        return {
            "schema": SCHEMA,
            "source": self.source,
            "language": self.language,
            "questions": [question_dict(q) for q in self.questions],
            "comments": [c.to_dict() for c in self.comments] if items else [],
            "answers": [a.to_dict() for a in self.answers] if items else [],
            "themes": self.themes,
            "stats": self.stats(),
            "warnings": self.warnings,
            "provenance": self.provenance,
        }
