"""Stance of each answer toward its question: for / against / mixed / none.

Rules first, strongest first, each named in ``provenance.rule``:

1. ``decline``: "har jeg ingen kommentar til", "no opinion" → none;
2. ``opener-mixed``: the answer starts "Ja og nei", "Det kommer an på", "It depends" → mixed;
3. ``opener-yes`` / ``opener-no``: "Helt klart.", "Nei.", "Absolutely" …; a condition in the
   first sentences ("Jeg mener det. Så lenge …") makes it ``opener-conditional`` → mixed;
4. ``conditional``: a positive judgement tied to a condition ("greit hvis …", "så lenge …") → mixed;
5. ``polarity``: evaluative words (greit, feil, neppe veien å gå …) with negation in a
   window before them, and echoes of the question's own words with or without
   negation, summed over the sentences (the first counts most);
6. otherwise none, with low confidence.

Cue lists are data (``lang/*.json``); the evidence is always a sentence copied
verbatim from the comment. For open questions for/against refer to the
question's premise.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lang import merged
from .model import Answer, Comment, Question
from .textutil import CueMatcher, content_stems, lower, sentences, stem_hits, words

NEG_WINDOW = 3


@dataclass
class Verdict:
    stance: str
    confidence: float
    span: tuple[int, int]
    rule: str


class StanceFinder:
    def __init__(self, language: str = "nb"):
        lex = merged(language)
        self.language = language
        self.lex = lex
        self.yes = CueMatcher(lex["answer_yes"])
        self.no = CueMatcher(lex["answer_no"])
        self.mixed = CueMatcher(lex["answer_mixed"])
        self.cond = CueMatcher(lex["conditions"])
        self.decline = CueMatcher(lex["declines"])
        self.pos = CueMatcher(lex["positive"])
        self.neg = CueMatcher(lex["negative"])
        self.negators = set(lex["negators"])
        self.normative = CueMatcher(lex["normative"])
        self.stop = frozenset(lex["stopwords"])

    def _stem_lang(self) -> str:
        return "en" if self.language == "en" else "nb"

    def _negated(self, text: str, start: int) -> bool:
        before = words(text[max(0, start - 60):start])[-NEG_WINDOW:]
        return any(w in self.negators or w.endswith("n't") for w in before)

    def _opener(self, text: str, s: int, e: int, matcher: CueMatcher) -> bool:
        i = s
        while i < e and not text[i].isalnum():
            i += 1
        m = matcher.first(text, i, min(e, i + 60))
        return m is not None and m[0] == i

    def judge(self, text: str, start: int, end: int, question: Question) -> Verdict:
        sents = sentences(text, start, end) or [(start, end)]
        first = sents[0]
        head = sents[:2]
        # 1. decline
        for s, e in sents[:3]:
            if self.decline.first(text, s, e):
                return Verdict("none", 0.85, (s, e), "decline")
        # 2. opener-mixed
        if self._opener(text, *first, self.mixed):
            return Verdict("mixed", 0.88, first, "opener-mixed")
        for s, e in sents[:2]:
            if self.mixed.first(text, s, e) and not self._negated(text, self.mixed.first(text, s, e)[0]):
                return Verdict("mixed", 0.7, (s, e), "mixed-cue")
        # 3. yes/no opener
        conditional = next(((s, e) for s, e in head if self.cond.first(text, s, e)), None)
        if self._opener(text, *first, self.no):
            if conditional and conditional != first:
                return Verdict("mixed", 0.6, conditional, "opener-conditional")
            return self._oriented(Verdict("against", 0.9, first, "opener-no"), question)
        if self._opener(text, *first, self.yes):
            if conditional:
                return Verdict("mixed", 0.75, conditional, "opener-conditional")
            return self._oriented(Verdict("for", 0.9, first, "opener-yes"), question)
        # 4. conditional positive judgement
        for s, e in sents:
            c = self.cond.first(text, s, e)
            p = next((m for m in self.pos.find(text, s, e) if not self._negated(text, m[0])), None)
            if c and p:
                return Verdict("mixed", 0.75, (s, e), "conditional")
        # 5. polarity
        return self._polarity(text, sents, question)

    def _polarity(self, text: str, sents, question: Question) -> Verdict:
        q_stems = set(content_stems(question.text, self.stop, self._stem_lang()))
        lang = self._stem_lang()
        total, best, best_score = 0.0, None, 0.0
        pos_seen = neg_seen = False
        for i, (s, e) in enumerate(sents):
            score = 0.0
            for ms, _, _ in self.pos.find(text, s, e):
                score += -1.0 if self._negated(text, ms) else 1.0
            for ms, _, _ in self.neg.find(text, s, e):
                score += 0.5 if self._negated(text, ms) else -1.0
            sent_words = words(text[s:e])
            echo = len(stem_hits(q_stems, text[s:e], self.stop, lang)) / max(1, len(q_stems))
            if echo >= 0.3 and score == 0.0:
                # no judgement word: does the sentence restate the question, negated or as a norm?
                has_neg = any(w in self.negators or w.endswith("n't") for w in sent_words)
                if has_neg:
                    score -= 0.75
                elif self.normative.first(text, s, e):
                    score += 0.75
            weight = 1.5 if i == 0 else 1.0
            total += weight * score
            pos_seen |= score >= 1
            neg_seen |= score <= -1
            if abs(score) > abs(best_score):
                best, best_score = (s, e), score
        if pos_seen and neg_seen and abs(total) < 1.5:
            return Verdict("mixed", 0.5, best or sents[0], "polarity-both")
        if total >= 0.75:
            return self._oriented(Verdict("for", min(0.85, 0.55 + 0.1 * total), best, "polarity"), question)
        if total <= -0.75:
            return self._oriented(Verdict("against", min(0.85, 0.55 - 0.1 * total), best, "polarity"), question)
        return Verdict("none", 0.4, sents[0], "no-cue")

    def _oriented(self, v: Verdict, question: Question) -> Verdict:
        """Flip for/against when the question itself is negated ("Er det ikke …?")."""
        if any(w in self.negators for w in words(lower(question.text))[:6]):
            v.stance = {"for": "against", "against": "for"}.get(v.stance, v.stance)
        return v


def assign_stances(answers: list[Answer], comments: list[Comment], questions: list[Question],
                   language: str = "nb") -> None:
    finder = StanceFinder(language)
    by_id = {c.id: c for c in comments}
    qs = {q.id: q for q in questions}
    for a in answers:
        c = by_id[a.comment_id]
        v = finder.judge(c.text, a.start, a.end, qs[a.question_id])
        a.stance, a.confidence = v.stance, round(v.confidence * (0.6 + 0.4 * a.score), 3)
        a.evidence = c.text[v.span[0]:v.span[1]]
        a.provenance = {**a.provenance, "stance_rule": v.rule, "evidence_start": v.span[0]}
