"""Split each comment into the parts that answer each question.

How a part is tied to a question (``how``), strongest first (explicit labels, read by the one
grammar of :mod:`.explicit`, win over the other rules):

* ``numbered``: the comment uses the question's number ("2. …", "Til spørsmål 2:");
* ``quoted``: it repeats the question (or a clause of it) as a heading;
* ``reference``: it names the question ("det siste spørsmålet ditt", "the first question");
* ``semantic``: by meaning only: the bundled embedding model's cosine, calibrated
  per thread (raw e5 cosines are bunched around 0.8–0.9), plus word overlap with
  the question's distinctive words.

One part may answer several questions; a comment may answer none.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .explicit import ExplicitGrammar, Label
from .lang import merged
from .model import Answer, Comment, Question
from .textutil import CueMatcher, content_stems, lower, paragraphs, sentences, stem_hits, words

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
REST = -1  # anchor for "the other questions" when nothing else is anchored: resolved after matching


@dataclass
class Anchor:
    start: int  # where the section begins (after any heading)
    head: int  # where the anchor text itself begins
    question: int  # index into questions
    how: str
    paragraph_only: bool = False
    end: int | None = None  # where the section must end, when the anchor knows it


@dataclass
class Unit:
    comment: Comment
    start: int
    end: int
    level: str  # "para" | "sent"
    scores: np.ndarray = field(default=None)


class Segmenter:
    def __init__(self, questions: list[Question], language: str = "nb", embedder=None):
        self.questions = questions
        self.lex = merged(language)
        self.language = language
        self.embedder = embedder
        self.stop = frozenset(self.lex["stopwords"])
        self.numbers = {q.number: i for i, q in enumerate(questions)}
        self.q_stems = [set(content_stems(q.text, self.stop, self._stem_lang())) for q in questions]
        df: dict[str, int] = {}
        for s in self.q_stems:
            for st in s:
                df[st] = df.get(st, 0) + 1
        n = len(questions)
        self.weights = [{st: math.log(1 + n / df[st]) for st in s} for s in self.q_stems]
        self._build_patterns()
        self.explicit = ExplicitGrammar(questions, language)
        self.short_answers = [CueMatcher(self.lex[k]) for k in ("answer_yes", "answer_no", "answer_mixed")]
        self.declines = CueMatcher(self.lex["declines"])
        self.asks = CueMatcher(self.lex.get("asks_others", []))
        self.judgements = [CueMatcher(self.lex[k]) for k in ("positive", "negative", "normative")]
        self.others = CueMatcher(self.lex.get("others", []))
        self.yes_to = CueMatcher(self.lex.get("yes_to", []))

    def _stem_lang(self) -> str:
        return "en" if self.language == "en" else "nb"

    def _build_patterns(self) -> None:
        nouns = "|".join(re.escape(w) for w in sorted(self.lex["question_nouns"], key=len, reverse=True))
        ords = sorted(self.lex["ordinals"], key=len, reverse=True)
        ordre = "|".join(re.escape(o) for o in ords if not o[0].isdigit())
        self.num_line = re.compile(
            rf"^[ \t]*(?:(?:til|re|to|ad)\s+)?(?:(?:{nouns})\s*(?:nr\.?\s*)?)?#?(\d{{1,2}})\s*[.):]\s+",
            re.IGNORECASE | re.MULTILINE)
        self.num_phrase = re.compile(
            rf"(?<!\w)(?:til|om|på|angående|ang\.?|re|on|to|for|about|regarding)?\s*(?:{nouns})\s*(?:nr\.?\s*)?#?(\d{{1,2}})(?!\d)",
            re.IGNORECASE)
        self.ord_phrase = re.compile(
            rf"(?<!\w)(?:det\s+|den\s+|the\s+|your\s+|ditt\s+|dine\s+)?({ordre})\s+(?:(?:\w+\s+)?(?:{nouns})|one)(?!\w)",
            re.IGNORECASE)
        counts = "|".join(re.escape(c) for c in sorted(self.lex.get("ordinal_counts", {}), key=len, reverse=True))
        firstlast = "|".join(re.escape(o) for o in ("første", "fyrste", "siste", "first", "last"))
        self.several_phrase = re.compile(
            rf"(?<!\w)(?:de|dei|the|dine|your)\s+({counts})\s+({firstlast})(?:\s+(?:{nouns}))?(?!\w)", re.IGNORECASE)

    # ----- anchors -------------------------------------------------------
    def _quoted_question(self, line: str) -> int | None:
        """Index of the question this line repeats, if it does."""
        stems = set(content_stems(line, self.stop, self._stem_lang()))
        if len(stems) < 2:
            return None
        best, best_share = None, 0.0
        for i, qs in enumerate(self.q_stems):
            share = len(stems & qs) / len(stems)
            if share > best_share:
                best, best_share = i, share
        ends_q = line.rstrip().rstrip("\"”»’'").endswith("?")
        if best is not None and (best_share >= 0.75 if ends_q else best_share >= 0.9 and len(stems) >= 5):
            return best
        return None

    def anchors(self, text: str) -> list[Anchor]:
        """Where each question's answer begins. Explicit labels (:mod:`.explicit`: "1:", "#2",
        "Til det første:", "1–3: ja", "resten: nei", a quoted question) win: the other rules' anchors
        inside a label, or in the first sentence of its answer, are dropped."""
        labels = self.explicit.find(text)
        if not labels:
            return self._rule_anchors(text)
        mine = [a for lab in labels for a in self._label_anchors(text, lab)]
        named = {a.question for a in mine}
        spans = [(lab.head, _sentence_end(text, lab.start) if lab.start < len(text) else len(text))
                 for lab in labels]
        out = [a for a in self._rule_anchors(text, fallback=False)
               if not (a.how != "quoted" and a.question in named) and not any(h <= a.head < e for h, e in spans)]
        if not out and labels[0].head > 0:  # "Nei, ja, ja. Det siste veit eg ikkje.": short answers before the labels
            before = text[:labels[0].head]
            out = [a for a in self._inline_numbered(before) or self._positional(before) if a.question not in named]
        out += mine
        out.sort(key=lambda a: (a.head, a.question))
        return out

    def _label_anchors(self, text: str, lab: Label) -> list[Anchor]:
        how = {"number": "numbered", "quoted": "quoted"}.get(lab.kind, "reference")
        start = lab.start
        if lab.kind == "number" and len(lab.questions) == 1:
            # "2. Skal vi slå ned på …?" and the answer on the next lines: the answer starts after the question
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
            if self._quoted_question(text[start:line_end]) == lab.questions[0]:
                start = line_end
        return [Anchor(start, lab.head, q, how, paragraph_only=lab.inline) for q in lab.questions]

    def _rule_anchors(self, text: str, fallback: bool = True) -> list[Anchor]:
        """Anchors of the rules below (numbered lines, quoted headings, references, topic labels;
        with ``fallback``, bare inline numbers and short answers in a row when nothing else is found)."""
        out: list[Anchor] = []
        n = len(self.questions)
        # numbered lines ("1. …", "Spørsmål 2: …"), possibly followed by the quoted question
        for m in self.num_line.finditer(text):
            num = int(m.group(1))
            if num not in self.numbers:
                continue
            start = m.end()
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
            line = text[start:line_end]
            q = self._quoted_question(line)
            if q == self.numbers[num]:
                start = line_end
            out.append(Anchor(start, m.start(), self.numbers[num], "numbered"))
        taken = [(a.head, a.start) for a in out]
        # quoted headings (a line that repeats a question or one of its clauses)
        pos = 0
        for line in text.split("\n"):
            s, e = pos, pos + len(line)
            pos = e + 1
            if any(h <= s <= st for h, st in taken) or not line.strip():
                continue
            if len(words(line)) > 40:
                continue
            q = self._quoted_question(line)
            if q is not None:
                if line.rstrip().rstrip("\"”»’'").endswith("?") and len(line) < 300:
                    out.append(Anchor(e, s, q, "quoted"))
        # references ("det siste spørsmålet ditt", "til spørsmål 2")
        others = list(self.others.find(text))
        for m in self.ord_phrase.finditer(text):
            val = self.lex["ordinals"].get(lower(m.group(1)))
            if val is None or any(s <= m.start(1) < e for s, e, _ in others):
                continue  # "de andre spørsmålene" is "the other questions", not the second one
            idx = val - 1 if val > 0 else n + val
            if 0 <= idx < n:
                s0 = _sentence_start(text, m.start())
                if not any(a.head <= m.start() < a.start for a in out):
                    out.append(Anchor(_after_lead_in(text, s0, m.end()), s0, idx, "reference", paragraph_only=True))
        for m in self.num_phrase.finditer(text):
            num = int(m.group(1))
            if num in self.numbers and not any(abs(a.head - m.start()) < 3 for a in out):
                s0 = _sentence_start(text, m.start())
                if not any(a.head <= s0 < a.start for a in out):
                    out.append(Anchor(_after_lead_in(text, s0, m.end()), s0, self.numbers[num], "numbered",
                                      paragraph_only=True))
        out.extend(self._yes_to(text, out))
        out.extend(self._headings(text, out))
        out.extend(self._several(text, out))
        if not out and fallback:
            out.extend(self._inline_numbered(text) or self._positional(text))
        out.extend(self._others(text, others, out))
        out.sort(key=lambda a: (a.head, a.question))
        return out

    def _topic(self, phrase: str) -> int | None:
        """The one question whose distinctive words ``phrase`` shares most (ties: none)."""
        stems = set(content_stems(phrase, self.stop, self._stem_lang()))
        if not stems:
            return None
        scores = [sum(self.weights[i].get(st, 0.0) for st in stems & qs) for i, qs in enumerate(self.q_stems)]
        best = max(scores)
        if best <= 0 or scores.count(best) > 1:
            return None
        return scores.index(best)

    def _yes_to(self, text: str, taken: list[Anchor]) -> list[Anchor]:
        """"Ja til gratis for ungdom, og nei til …": a yes/no tied to a question by its topic."""
        out = []
        for s, e, _ in self.yes_to.find(text):
            if any(a.head <= s < a.start for a in taken):
                continue
            m = re.search(r"[,.;:!?\n]|\s(?:og|men|and|but)\s", text[e:])
            end = e + (m.start() if m else len(text) - e)
            q = self._topic(text[e:end])
            if q is not None:  # the section runs to the end of the sentence (its reason) or the next "ja til"
                out.append(Anchor(s, s, q, "reference", end=_sentence_end(text, s)))
        return out

    def _others(self, text: str, others, taken: list[Anchor]) -> list[Anchor]:
        """"De andre spørsmålene har jeg ikke satt meg inn i": every question not answered elsewhere."""
        # bare "resten"/"the rest" only where it opens the sentence ("Resten vet jeg ikke")
        others = [m for m in others if " " in m[2] and not m[2].startswith("the rest") or
                  len(words(text[_sentence_start(text, m[0]):m[0]])) <= 1]
        if not others:
            return []
        s0 = _sentence_start(text, others[0][0])
        end = next((e for s, e in sentences(text, s0) if e > others[0][0]), len(text))
        if not taken:  # the rest of what the meaning-based step does not find: resolved in pick()
            return [Anchor(s0, s0, REST, "reference", end=end)]
        answered = {a.question for a in taken}
        return [Anchor(s0, s0, q, "reference", end=end) for q in range(len(self.questions)) if q not in answered]

    def _several(self, text: str, taken: list[Anchor]) -> list[Anchor]:
        """"Ja på de to første", "the last two: no": one answer to several questions in order."""
        out = []
        for m in self.several_phrase.finditer(text):
            k = self.lex["ordinal_counts"].get(lower(m.group(1)))
            side = self.lex["ordinals"].get(lower(m.group(2)), 1) if m.group(2) else 1
            if not k or any(a.head <= m.start() < max(a.start, a.end or 0) for a in taken):
                continue
            n = len(self.questions)
            idx = range(k) if side > 0 else range(n - k, n)
            s0 = _sentence_start(text, m.start())
            out += [Anchor(s0, s0, q, "reference", end=_sentence_end(text, s0)) for q in idx if 0 <= q < n]
        return out

    def _inline_numbered(self, text: str) -> list[Anchor]:
        """"1 ja 2 nei 3 ja 4 nei. 5 vet ikke": numbers and short answers on one line; also out of
        order ("4 ja, 1 nei, 2 nei"), each number once, with shorter answers."""
        marks = [m for m in re.finditer(r"(?<![\w.,])(\d{1,2})\s*[.):]?\s+(?=\D)", text[:400])]

        def run_of(ascending: bool) -> list:
            run, seen = [], set()
            for m in marks:
                num = int(m.group(1))
                if num in self.numbers and num not in seen and (not ascending or not run or num > int(run[-1].group(1))):
                    run.append(m)
                    seen.add(num)
            return run
        run, most = run_of(True), 6
        if len(run) < 2:
            run, most = run_of(False), 4
        if len(run) < 2 or run[0].start() > 0 and text[:run[0].start()].strip():
            return []
        out = []
        for m, nxt in zip(run, run[1:] + [None]):
            end = nxt.start() if nxt else _paragraph_end(text, m.end())
            if len(words(text[m.end():end])) > most and (nxt is not None or most < 6):
                return []  # (out of order, the last answer must be short too)
            out.append(Anchor(m.end(), m.start(), self.numbers[int(m.group(1))], "numbered", end=end))
        return out

    def _positional(self, text: str) -> list[Anchor]:
        """"No. No. Yes." or "Nei, ja, ja – og …": bare short answers in a row, read as answers
        to the questions in order."""
        out: list[Anchor] = []
        first_para_end = _paragraph_end(text, 0)
        pos, sep = 0, ""
        for m in re.finditer(r"[,.;:!?–—\n]+|\s(?:og|and)\s", text[:first_para_end] + "\n"):
            s, e = trim_span(text, pos, m.start())
            this_sep, pos = sep, m.end()
            sep = m.group(0).strip()
            if e <= s:
                continue
            if len(out) >= len(self.questions):
                break
            ws = words(text[s:e])
            cues = self.short_answers + ([self.declines] if out else [])
            if not (0 < len(ws) <= 3 and any(c.first(text, s, e) for c in cues)):
                # "Nei, ja, ja – og Skogbrynet.": the rest of the same sentence answers the next one
                if len(out) >= 2 and this_sep not in (".", "!", "?", "") and "\n" not in this_sep:
                    out.append(Anchor(s, s, len(out), "numbered", end=_sentence_end(text, s)))
                break
            out.append(Anchor(s, s, len(out), "numbered", end=e + (1 if text[e:e + 1] in ".!" else 0)))
        return out if len(out) >= 2 else []

    def _headings(self, text: str, taken: list[Anchor]) -> list[Anchor]:
        """"Mobilforbud? Absolutt." / "Hjertesone: helt klart.": a short topic label opening a
        sentence, tied to the one question it names."""
        out = []
        for ps, pe in paragraphs(text):
            sents = sentences(text, ps, pe)
            for i, (s, e) in enumerate(sents):
                if any(a.head <= s < max(a.start, a.end or 0) for a in taken):
                    continue
                m = re.match(r"([^:?\n]{2,40})([:?])\s+\S", text[s:e])
                if m and len(words(m.group(1))) <= 4:
                    q = self._topic(m.group(1))
                    if q is not None:
                        out.append(Anchor(s + m.end(2), s, q, "quoted", end=e))
                elif text[e - 1] in ":?" and len(words(text[s:e])) <= 3 and i + 1 < len(sents):
                    q = self._topic(text[s:e])
                    if q is not None:
                        out.append(Anchor(sents[i + 1][0], s, q, "quoted", end=sents[i + 1][1]))
        return out

    # ----- sections ------------------------------------------------------
    def sections(self, c: Comment) -> tuple[list[tuple[int, int, int, str]], list[tuple[int, int]]]:
        """Explicit sections (start, end, question index, how) and the free regions left."""
        text = c.text
        anchors = self.anchors(text)
        secs = []
        for i, a in enumerate(anchors):
            end = next((b.head for b in anchors[i + 1:] if b.head > a.head), len(text))
            if a.paragraph_only:
                pe = _paragraph_end(text, a.start)
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
        own = {st for st, w in self.weights[q].items() if w >= max(self.weights[q].values()) - 1e-9}
        return bool(stem_hits(own, text, self.stop, self._stem_lang()))

    def lexical(self, text: str) -> np.ndarray:
        out = np.zeros(len(self.questions), dtype=np.float32)
        for i, weights in enumerate(self.weights):
            if weights:
                hits = stem_hits(weights, text, self.stop, self._stem_lang())
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

    def calibrate(self, units: list[Unit], rel: np.ndarray, lex_rel: np.ndarray) -> None:
        """Standardise the cosines over the whole thread (per unit level) and set each unit's
        ``scores``; needs all units at once."""
        self.apply(units, rel, lex_rel, self.calibration(rel, para_mask(units)))

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
        cues = self.short_answers + self.judgements
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
            for u in units:
                thr = PARA_THRESHOLD if u.level == "para" else SENT_THRESHOLD
                best = float(u.scores.max())
                if best < thr:
                    continue
                how = "semantic" if u.level == "para" else "semantic-sentence"
                for q in np.argsort(-u.scores, kind="stable"):
                    sc = float(u.scores[q])
                    if sc >= thr and sc >= best - EXTRA_MARGIN:
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


def para_mask(units: list[Unit]) -> np.ndarray:
    """Which units are whole paragraphs (the rest are sentences), as a boolean array; the
    calibration is made separately for each kind (the Dask runner uses it too)."""
    return np.fromiter((u.level == "para" for u in units), dtype=bool, count=len(units))


def _sentence_start(text: str, pos: int) -> int:
    """Start of the sentence that holds ``pos``."""
    cuts = [text.rfind("\n", 0, pos) + 1] + [text.rfind(p, 0, pos) + 2 for p in (". ", "! ", "? ")
                                             if text.rfind(p, 0, pos) >= 0]
    i = max(cuts)
    while i < pos and text[i].isspace():
        i += 1
    return i


def _after_lead_in(text: str, sentence_start: int, ref_end: int) -> int:
    """Where the answer starts: after "Til spørsmål 2:" / "On question 2," when the reference leads in."""
    m = re.compile(r"(?:\s+(?:ditt|your|then))?\s*[:,–—-]\s*").match(text, ref_end)
    if m and len(words(text[sentence_start:ref_end])) <= 5 and m.end() < len(text):
        return m.end()
    return sentence_start


def _sentence_end(text: str, pos: int) -> int:
    return next((e for s, e in sentences(text, pos) if e > pos), len(text))


def _paragraph_end(text: str, pos: int) -> int:
    m = re.compile(r"\n[ \t]*\n").search(text, pos)
    return m.start() if m else len(text)


def trim_span(text: str, s: int, e: int) -> tuple[int, int]:
    """``text[s:e]`` without its surrounding white space, as (start, end): how segmentation trims
    an answer (the web app's review page trims a corrected span the same way)."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
