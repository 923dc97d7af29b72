"""Split each comment into the parts that answer each question.

How a part is tied to a question (``how``), strongest first (explicit labels, read by the one
grammar of :mod:`.explicit`, win over the other rules):

* ``numbered``: the comment uses the question's number ("2. …", "Til spørsmål 2:");
* ``quoted``: it repeats the question (or a clause of it) as a heading;
* ``reference``: it names the question ("det siste spørsmålet ditt", "the first question");
* ``semantic``: by meaning only: the bundled embedding model's cosine, calibrated
  per thread (raw e5 cosines are bunched around 0.8–0.9), plus word overlap with
  the question's distinctive words.

One part may answer several questions; a comment may answer none. Where the explicit sections
begin is found by the text rules of :mod:`.segment_anchors`; this module cuts the sections, scores
the rest by meaning and picks the answers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .contract import Answer, Comment, Question
from .segment_anchors import REST, AnchorRules
from .segment_spans import paragraph_end, trim_span
from .textutil import CueMatcher, paragraphs, sentences, stem_hits, words

# semantic thresholds on the calibrated score (standard deviations above the thread's mean).
# Chosen by training/segtune.py (session 11) on 133 threads generated from the training corpus
# (answers to a topic's questions joined into comments; answers to a question the thread does not
# ask and whole comments that answer nothing, training/chatter, mixed in; text that no rule and no
# evaluation thread has seen) together with the development threads: of the grid points that keep
# the seed and both examples at segmentation F1 >= 0.92 (the product's tested target), the one with
# the best mean F1 of the two sets. Generated threads 0.637 -> 0.687 (recall 0.553 -> 0.669),
# development threads 0.898 -> 0.872 (precision 0.864 -> 0.805: these constants were first set on
# them, 0.55 / 1.2 / 0.9 with sentences read from three a paragraph); seed 0.914 -> 0.946
PARA_THRESHOLD = 0.4
SENT_THRESHOLD = 0.8
EXTRA_MARGIN = 0.5  # a second question in the same unit must be this close to the best
ASKS_PENALTY = 2.0  # a paragraph that asks the readers something and takes no side is rarely an answer
SCORE_SLICE = 4096  # units embedded and scored at a time (about 6 MB of vectors)
SEGMENT_BATCH = 2000  # comments planned and scored at a time (see Segmenter.segment)
LEX_WEIGHT = 0.9
PRIOR_STD = 0.022  # spread of relative e5 cosines seen on real threads; used for tiny threads
PRIOR_N = 20
SENTENCE_UNITS_FROM = 2  # a paragraph of this many sentences is also read sentence by sentence
SECOND_TOPIC_MIN = 0.0  # a unit also answers a weaker question when it names that question's own words
# The order people answer in. Of the comments of the development threads, the seed and the examples
# whose two or more answers (found, and right by the gold) are not all numbered, 81 answer in the
# questions' order and 16 do not (each thread: 4-10 in order, 0-3 not; training/order_prior.py).
# The units of a comment can be read as a sequence, decoded by :func:`decode_order`: the
# question a unit answers is scored against the last question answered before it in the comment
# (ORDER_NEXT added for the next question, ORDER_REPEAT taken off for the same one again, ORDER_BACK
# for an earlier one). All three 0: every unit on its own (the shipped reader).
# Tried in session 16 with NEXT 0.7, REPEAT 0, BACK 2.0 (`training/segtune.py --order-grid`) and not
# adopted by the criteria written before the run (docs/figures.md): generated threads F1 0.687 -> 0.720
# and the thread battery's found answers 0.605 -> 0.629, but every written thread set lost segmentation
# precision (development 0.872 -> 0.862, three of its threads below their tested floors) and no stance
# end to end moved
ORDER_NEXT = 0.0
ORDER_REPEAT = 0.0
ORDER_BACK = 0.0


@dataclass
class Unit:
    comment: Comment
    start: int
    end: int
    level: str  # "para" | "sent"
    scores: np.ndarray = field(default=None)


class Segmenter:
    """Answers for the comments of one thread: explicit sections (:class:`AnchorRules`), then
    paragraphs and sentences matched to the questions by meaning, calibrated over the thread."""

    def __init__(self, questions: list[Question], language: str = "nb", embedder=None):
        self.questions = questions
        self.language = language
        self.embedder = embedder
        self.rules = AnchorRules(questions, language)
        self.asks = CueMatcher(self.rules.lex.get("asks_others", []))
        self.judgements = [CueMatcher(self.rules.lex[k]) for k in ("positive", "negative", "normative")]

    # ----- sections ------------------------------------------------------
    def sections(self, c: Comment) -> tuple[list[tuple[int, int, int, str]], list[tuple[int, int]]]:
        """Explicit sections (start, end, question index, how) and the free regions left."""
        text = c.text
        anchors = self.rules.anchors(text)
        secs = []
        for i, a in enumerate(anchors):
            end = next((b.head for b in anchors[i + 1:] if b.head > a.head), len(text))
            if a.paragraph_only:
                pe = paragraph_end(text, a.start)
                end = min(end, pe)
            if a.end is not None:
                end = min(end, a.end)
            secs.append((a.start, end, a.question, a.how, a.head))
        covered = sorted((h, e) for s, e, _, _, h in secs)
        free, pos = [], 0
        for h, e in covered:
            if h > pos:
                free.append((pos, h))
            pos = max(pos, e)
        if pos < len(text):
            free.append((pos, len(text)))
        return [(s, e, q, how) for s, e, q, how, _ in secs], free

    # ----- semantic --------------------------------------------------------
    def _names_topic(self, text: str, q: int) -> bool:
        """The text uses a word only question ``q`` has (its most distinctive stems)."""
        own = {st for st, w in self.rules.weights[q].items() if w >= max(self.rules.weights[q].values()) - 1e-9}
        return bool(stem_hits(own, text, self.rules.stop, self.rules.stem_lang()))

    def lexical(self, text: str) -> np.ndarray:
        out = np.zeros(len(self.questions), dtype=np.float32)
        for i, weights in enumerate(self.rules.weights):
            if weights:
                hits = stem_hits(weights, text, self.rules.stop, self.rules.stem_lang())
                out[i] = sum(weights[h] for h in hits) / math.sqrt(sum(weights.values()))
        return out

    def raw_scores(self, units: list[Unit]) -> tuple[np.ndarray, np.ndarray]:
        """Per unit and question: the e5 cosine relative to the unit's mean over the questions, and
        the word-overlap score relative likewise. Units are independent here, so this step can run
        on any slice of the units (the distributed runner maps it over partitions)."""
        nq = len(self.questions)
        if not units:
            return np.zeros((0, nq), dtype=np.float32), np.zeros((0, nq), dtype=np.float32)
        lex = np.stack([self.lexical(u.comment.text[u.start:u.end]) for u in units])
        lex_rel = lex - lex.mean(axis=1, keepdims=True) if nq > 1 else lex
        if self.embedder is None:
            return np.zeros_like(lex), lex_rel
        qv = self.embedder.embed([q.text for q in self.questions], query=True)
        uv = self.embedder.embed([u.comment.text[u.start:u.end] for u in units])
        # each cosine on its own, in float64 and in a fixed order (einsum's loop, not BLAS, whose
        # kernels sum a row differently depending on the block it falls in): a unit's score must not
        # depend on how many units were scored with it (the Dask runner's partitions vs the local slices)
        sim = np.einsum("ij,kj->ik", uv.astype(np.float64), qv.astype(np.float64))
        rel = sim - sim.mean(axis=1, keepdims=True) if nq > 1 else sim - 0.82
        return rel.astype(np.float32), lex_rel.astype(np.float32)

    def calibration(self, rel: np.ndarray, para: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]] | None:
        """Per unit level ("para" rows where ``para`` is true, "sent" the others): the mean and
        spread of the relative cosines over the whole thread, shrunk towards a prior for tiny
        threads. ``None`` without embeddings (the word-overlap score is used as it is)."""
        if self.embedder is None:
            return None
        out = {}
        for level, mask in (("para", para), ("sent", ~para)):
            block = rel[mask]
            k = len(block)
            if not k:
                continue
            mean = block.mean(axis=0) * k / (k + PRIOR_N)
            var = (block.var(axis=0) * k + PRIOR_STD ** 2 * PRIOR_N) / (k + PRIOR_N)
            out[level] = (mean, np.sqrt(var))
        return out

    def apply(self, units: list[Unit], rel: np.ndarray, lex_rel: np.ndarray, calib) -> None:
        """Set each unit's ``scores`` from its raw scores and the thread's calibration (any slice
        of the units, with the matching rows)."""
        rel = rel.copy()
        for level, (mean, sd) in (calib or {}).items():
            idx = [i for i, u in enumerate(units) if u.level == level]
            if idx:
                rel[idx] = (rel[idx] - mean) / sd
        for u, sm, lx in zip(units, rel, lex_rel):
            u.scores = sm + LEX_WEIGHT * lx
            if u.level == "para" and self._asks_others(u.comment.text, u.start, u.end):
                u.scores = u.scores - ASKS_PENALTY

    def sliced_scores(self, units: list[Unit]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`raw_scores` slice by slice (each unit on its own, so slicing changes nothing
        but the size of the vector block in memory)."""
        nq = len(self.questions)
        parts = [self.raw_scores(units[i:i + SCORE_SLICE]) for i in range(0, len(units), SCORE_SLICE)]
        if not parts:
            return np.zeros((0, nq), dtype=np.float32), np.zeros((0, nq), dtype=np.float32)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def _asks_others(self, text: str, s: int, e: int) -> bool:
        """"Hvem skal jeg klage til?", "Does anyone know when …?": a question to the readers,
        with no yes/no, judgement or norm anywhere in the paragraph."""
        sents = sentences(text, s, e)
        asking = any(text[b - 1] == "?" and self.asks.first(text, a, min(b, a + 25)) for a, b in sents)
        if not asking:
            return False
        cues = self.rules.short_answers + self.judgements
        return not any(m.first(text, a, b) for m in cues for a, b in sents if text[b - 1] != "?")

    def free_units(self, c: Comment, free: list[tuple[int, int]]) -> list[Unit]:
        units = []
        for fs, fe in free:
            for ps, pe in paragraphs(c.text, fs, fe):
                if len(words(c.text[ps:pe])) < 3:
                    continue
                units.append(Unit(c, ps, pe, "para"))
                sents = sentences(c.text, ps, pe)
                if len(sents) >= SENTENCE_UNITS_FROM:
                    units.extend(Unit(c, s, e, "sent") for s, e in sents if len(words(c.text[s:e])) >= 4)
        return units

    def plan(self, comments: list[Comment]) -> list[tuple[Comment, list, list[Unit]]]:
        """Per comment: its explicit sections and the free units left for semantic matching."""
        out = []
        for c in comments:
            secs, free = self.sections(c)
            out.append((c, secs, self.free_units(c, free)))
        return out

    def segment(self, comments: list[Comment], progress: Callable[..., None] | None = None) -> list[Answer]:
        """Answers for ``comments``, ``SEGMENT_BATCH`` comments at a time.

        First pass, batch by batch: sections, free units and their raw scores (the embeddings,
        committed to the disk cache as they are made). Only the raw scores are kept between
        batches (two small arrays per unit), not the units, so memory grows with the number of
        units as numbers, not as objects. Then the thread's calibration over all of them, and a
        second pass that plans each batch again (cheap: text rules) and picks its answers. The
        result is the same as one pass over the whole thread: every step but the calibration
        is per unit. ``progress(done, total, desc, unit)`` is told the comments done."""
        batches = [comments[i:i + SEGMENT_BATCH] for i in range(0, len(comments), SEGMENT_BATCH)]
        one = len(batches) <= 1
        plans, rels, lexs, paras = [], [], [], []
        with self._quiet_embedder(not one) as estimate:
            done = 0
            t0 = time.perf_counter()
            for k, batch in enumerate(batches):
                plan = self.plan(batch)
                units = [u for _, _, us in plan for u in us]
                rel, lex = self.sliced_scores(units)
                rels.append(rel)
                lexs.append(lex)
                paras.append(para_mask(units))
                if one:
                    plans.append(plan)
                done += len(batch)
                if k == 0 and estimate:  # only in batches: one estimate for the step, from its first batch
                    estimate(len(units) * len(comments) // len(batch),
                             (time.perf_counter() - t0) * (len(comments) - done) / done)
                if progress is not None and not one:
                    progress(done, len(comments), "segmenting", "comment")
        if not batches:
            return []
        rel, lex, para = np.concatenate(rels), np.concatenate(lexs), np.concatenate(paras)
        del rels, lexs
        calib = self.calibration(rel, para)
        answers: list[Answer] = []
        offset = 0
        for k, batch in enumerate(batches):
            plan = plans[k] if one else self.plan(batch)
            units = [u for _, _, us in plan for u in us]
            n = len(units)
            self.apply(units, rel[offset:offset + n], lex[offset:offset + n], calib)
            offset += n
            answers += self.pick(plan)
        if offset != len(rel):
            raise RuntimeError("the second pass planned different units")  # pragma: no cover
        return answers

    @contextmanager
    def _quiet_embedder(self, quiet: bool):
        """In batches, the embedder's per-call bar and time estimate (one per batch) stay silent:
        the batches report their own progress, and the step gives one estimate after its first
        batch. Yields the embedder's estimate hook (or None)."""
        saved = {}
        if quiet and self.embedder is not None:
            saved = {k: getattr(self.embedder, k) for k in ("progress", "on_estimate") if hasattr(self.embedder, k)}
        try:
            for k in saved:
                setattr(self.embedder, k, None)
            yield saved.get("on_estimate")
        finally:
            for k, v in saved.items():
                setattr(self.embedder, k, v)

    def pick(self, plan) -> list[Answer]:
        """Answers from the explicit sections and the scored units."""
        answers = []
        for c, secs, units in plan:
            picked: dict[int, list[tuple[int, int, str, float]]] = {}
            for s, e, q, how in secs:
                s, e = trim_span(c.text, s, e)
                if e > s:
                    picked.setdefault(q, []).append((s, e, how, 1.0))
            first = {}
            for level in ("para", "sent"):
                chain = [u for u in units if u.level == level]
                thr = PARA_THRESHOLD if level == "para" else SENT_THRESHOLD
                first.update(zip(map(id, chain), decode_order([u.scores for u in chain], thr)))
            for u in units:
                thr = PARA_THRESHOLD if u.level == "para" else SENT_THRESHOLD
                lead = first[id(u)]
                if lead is None:
                    continue
                best = float(u.scores.max())
                # the order moved the unit off its best question: it answers the one the order chose
                alone = lead != int(np.argmax(u.scores))
                how = "semantic" if u.level == "para" else "semantic-sentence"
                for q in np.argsort(-u.scores, kind="stable"):
                    sc = float(u.scores[q])
                    if q == lead:
                        picked.setdefault(int(q), []).append((u.start, u.end, how, sc))
                    elif sc >= thr and sc >= best - EXTRA_MARGIN and not alone:
                        picked.setdefault(int(q), []).append((u.start, u.end, how, sc))
                    elif sc >= SECOND_TOPIC_MIN and self._names_topic(c.text[u.start:u.end], int(q)):
                        # one sentence, two topics: "… Facebook-grupper eller lagt ut … bilder …"
                        picked.setdefault(int(q), []).append((u.start, u.end, how, sc))
            rest = picked.pop(REST, None)
            if rest:  # "Resten får andre meine noko om": every question nothing else answered
                for q in range(len(self.questions)):
                    if q not in picked:
                        picked[q] = list(rest)
            for q, parts in sorted(picked.items()):
                answers.append(self._answer(c, q, parts))
        return answers

    def _answer(self, c: Comment, q: int, parts) -> Answer:
        rank = {"numbered": 0, "quoted": 1, "reference": 2, "semantic": 3, "semantic-sentence": 4}
        explicit = [p for p in parts if not p[2].startswith("semantic")]
        chosen = explicit or parts
        best = min(chosen, key=lambda p: (rank[p[2]], -p[3], p[0]))
        # one answer per comment and question: the best part, widened to overlapping parts of the same kind
        s, e = best[0], best[1]
        for p in sorted(chosen):
            if p[2] == best[2] and p[0] <= e and p[1] >= s:
                s, e = min(s, p[0]), max(e, p[1])
        score = 1.0 if explicit else min(0.99, 0.5 + 0.15 * best[3])
        return Answer(comment_id=c.id, question_id=self.questions[q].id, text=c.text[s:e], start=s, end=e,
                      how=best[2].split("-")[0], score=score, provenance={"stage": "segment", "parts": len(parts)})


def decode_order(scores: list[np.ndarray], thr: float) -> list[int | None]:
    """The question each unit of one comment answers first (``None``: none), the units in text order.

    Each unit either answers nothing (worth 0) or one question ``q`` (worth its score less ``thr``,
    plus the order term against the last question answered before it: ``ORDER_NEXT`` for the next
    question, ``-ORDER_REPEAT`` for the same, ``-ORDER_BACK`` for an earlier one, 0 for a later one
    or for the comment's first answer). The best sequence is found exactly (Viterbi over "last
    question answered"). With the three order constants 0 this is each unit's best question where
    it reaches ``thr``, ties to the lower question, as the units read one by one."""
    if not scores:
        return []
    nq = len(scores[0])
    if len(scores) == 1 or not (ORDER_NEXT or ORDER_REPEAT or ORDER_BACK):
        # one unit (most comments) has no order to read; nor have units when the constants are 0
        return [int(np.argmax(s)) if float(s.max()) >= thr else None for s in scores]
    q = np.arange(nq)
    trans = np.zeros((nq + 1, nq))  # row 0: nothing answered yet; row p + 1: last answered p
    trans[1:] = np.where(q[None, :] == q[:, None] + 1, ORDER_NEXT,
                         np.where(q[None, :] == q[:, None], -ORDER_REPEAT,
                                  np.where(q[None, :] < q[:, None], -ORDER_BACK, 0.0)))
    value = np.full(nq + 1, -np.inf)
    value[0] = 0.0
    back = []
    for s in scores:
        gain = np.where(s >= thr - ORDER_NEXT, s.astype(np.float64) - thr, -np.inf)  # out of reach: never
        cand = value[:, None] + gain[None, :] + trans  # from state (row) to answering q (column)
        src = np.argmax(cand, axis=0)  # first best row: ties keep the earlier state
        new = value.copy()  # answering nothing keeps the state
        came = np.arange(nq + 1)  # state -> itself (answered nothing)
        take = cand[src, q] > new[1:]
        new[1:] = np.where(take, cand[src, q], new[1:])
        came[1:] = np.where(take, src, came[1:])
        back.append((came, take))
        value = new
    state = int(np.argmax(value))
    out: list[int | None] = []
    for came, take in reversed(back):
        if state > 0 and take[state - 1]:
            out.append(state - 1)
        else:
            out.append(None)
        state = int(came[state])
    return out[::-1]


def para_mask(units: list[Unit]) -> np.ndarray:
    """Which units are whole paragraphs (the rest are sentences), as a boolean array; the
    calibration is made separately for each kind (the Dask runner uses it too)."""
    return np.fromiter((u.level == "para" for u in units), dtype=bool, count=len(units))
