"""Where each question's answer begins in a comment, by its text alone: segmentation's rules.

:meth:`AnchorRules.anchors` finds the explicit labels (the one grammar of :mod:`.explicit`:
"1:", "#2", "Til det første:", "1–3: ja", "resten: nei", a quoted question) and the other rules
(numbered lines, quoted headings, references by ordinal or number, "ja til …", topic labels,
"de to første", bare numbers and short answers in a row, "the other questions"). Each
:class:`Anchor` says where a section begins, which question it answers and how it was found;
:class:`innspill.segment.Segmenter` cuts the sections and matches the rest by meaning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from .contract import Question
from .explicit import ExplicitGrammar, Label
from .lang import merged
from .segment_spans import after_lead_in, paragraph_end, sentence_end, sentence_start, trim_span
from .textutil import CueMatcher, content_stems, lower, paragraphs, sentences, words

REST = -1  # anchor for "the other questions" when nothing else is anchored: resolved after matching


@dataclass
class Anchor:
    start: int  # where the section begins (after any heading)
    head: int  # where the anchor text itself begins
    question: int  # index into questions
    how: str
    paragraph_only: bool = False
    end: int | None = None  # where the section must end, when the anchor knows it
    rule: str = "explicit-label"  # the rule that found it (a name in ANCHOR_RULES, or an explicit label)



class AnchorRules:
    """The anchor rules for one thread's questions in one language, with the questions' words
    (their content stems, and how distinctive each stem is among the questions), which the
    meaning-based step uses too."""

    def __init__(self, questions: list[Question], language: str = "nb"):
        self.questions = questions
        self.lex = merged(language)
        self.language = language
        self.stop = frozenset(self.lex["stopwords"])
        self.numbers = {q.number: i for i, q in enumerate(questions)}
        self.q_stems = [set(content_stems(q.text, self.stop, self.stem_lang())) for q in questions]
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
        self.others = CueMatcher(self.lex.get("others", []))
        self.yes_to = CueMatcher(self.lex.get("yes_to", []))

    def stem_lang(self) -> str:
        """The stemmer's language: English, else Norwegian (for nb and nn)."""
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
        stems = set(content_stems(line, self.stop, self.stem_lang()))
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
        spans = [(lab.head, sentence_end(text, lab.start) if lab.start < len(text) else len(text))
                 for lab in labels]
        out = [a for a in self._rule_anchors(text, fallback=False)
               if not (a.how != "quoted" and a.question in named) and not any(h <= a.head < e for h, e in spans)]
        if not out and labels[0].head > 0:  # "Nei, ja, ja. Det siste veit eg ikkje.": short answers before the labels
            before = text[:labels[0].head]
            found, name = self.inline_numbers(before), "inline-numbers"
            if not found:
                found, name = self.short_answers_in_a_row(before), "short-answers-in-a-row"
            out = [a for a in found if a.question not in named]
            for a in out:
                a.rule = name
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
        """Anchors of the rules in :data:`ANCHOR_RULES`, in its order; each sees the anchors found
        before it. The rules marked ``when_none`` run only while nothing is anchored, and only with
        ``fallback`` (not beside explicit labels)."""
        out: list[Anchor] = []
        others = list(self.others.find(text))
        for rule in ANCHOR_RULES:
            if rule.when_none and (out or not fallback):
                continue
            found = rule.find(self, text, out, others)
            for a in found:
                a.rule = rule.name
            out.extend(found)
        out.sort(key=lambda a: (a.head, a.question))
        return out

    def numbered_lines(self, text: str, taken: list[Anchor], others) -> list[Anchor]:
        """"1. …", "Spørsmål 2: …" opening a line: the answer to that question, after the question
        itself when the line repeats it ("2. Skal vi …?" and the answer below)."""
        out = []
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
        return out

    def quoted_questions(self, text: str, taken: list[Anchor], others) -> list[Anchor]:
        """A line that repeats a question, or one of its clauses, and ends in "?": a quoted
        heading; the answer follows it."""
        spans = [(a.head, a.start) for a in taken]
        out = []
        pos = 0
        for line in text.split("\n"):
            s, e = pos, pos + len(line)
            pos = e + 1
            if any(h <= s <= st for h, st in spans) or not line.strip():
                continue
            if len(words(line)) > 40:
                continue
            q = self._quoted_question(line)
            if q is not None:
                if line.rstrip().rstrip("\"”»’'").endswith("?") and len(line) < 300:
                    out.append(Anchor(e, s, q, "quoted"))
        return out

    def ordinal_references(self, text: str, taken: list[Anchor], others) -> list[Anchor]:
        """"det siste spørsmålet ditt", "your second question": a question named by its place
        (not "de andre spørsmålene", the other questions); the answer is the rest of the paragraph."""
        out: list[Anchor] = []
        n = len(self.questions)
        for m in self.ord_phrase.finditer(text):
            val = self.lex["ordinals"].get(lower(m.group(1)))
            if val is None or any(s <= m.start(1) < e for s, e, _ in others):
                continue  # "de andre spørsmålene" is "the other questions", not the second one
            idx = val - 1 if val > 0 else n + val
            if 0 <= idx < n:
                s0 = sentence_start(text, m.start())
                if not any(a.head <= m.start() < a.start for a in taken + out):
                    out.append(Anchor(after_lead_in(text, s0, m.end()), s0, idx, "reference", paragraph_only=True))
        return out

    def number_references(self, text: str, taken: list[Anchor], others) -> list[Anchor]:
        """"til spørsmål 2", "on question 3": a question named by its number inside a sentence."""
        out: list[Anchor] = []
        for m in self.num_phrase.finditer(text):
            num = int(m.group(1))
            if num in self.numbers and not any(abs(a.head - m.start()) < 3 for a in taken + out):
                s0 = sentence_start(text, m.start())
                if not any(a.head <= s0 < a.start for a in taken + out):
                    out.append(Anchor(after_lead_in(text, s0, m.end()), s0, self.numbers[num], "numbered",
                                      paragraph_only=True))
        return out

    def _topic(self, phrase: str) -> int | None:
        """The one question whose distinctive words ``phrase`` shares most (ties: none)."""
        stems = set(content_stems(phrase, self.stop, self.stem_lang()))
        if not stems:
            return None
        scores = [sum(self.weights[i].get(st, 0.0) for st in stems & qs) for i, qs in enumerate(self.q_stems)]
        best = max(scores)
        if best <= 0 or scores.count(best) > 1:
            return None
        return scores.index(best)

    def yes_to(self, text: str, taken: list[Anchor], others=None) -> list[Anchor]:
        """"Ja til gratis for ungdom, og nei til …": a yes/no tied to a question by its topic."""
        out = []
        for s, e, _ in self.yes_to.find(text):
            if any(a.head <= s < a.start for a in taken):
                continue
            m = re.search(r"[,.;:!?\n]|\s(?:og|men|and|but)\s", text[e:])
            end = e + (m.start() if m else len(text) - e)
            q = self._topic(text[e:end])
            if q is not None:  # the section runs to the end of the sentence (its reason) or the next "ja til"
                out.append(Anchor(s, s, q, "reference", end=sentence_end(text, s)))
        return out

    def the_others(self, text: str, taken: list[Anchor], others) -> list[Anchor]:
        """"De andre spørsmålene har jeg ikke satt meg inn i": every question not answered elsewhere."""
        # bare "resten"/"the rest" only where it opens the sentence ("Resten vet jeg ikke")
        others = [m for m in others if " " in m[2] and not m[2].startswith("the rest") or
                  len(words(text[sentence_start(text, m[0]):m[0]])) <= 1]
        if not others:
            return []
        s0 = sentence_start(text, others[0][0])
        end = next((e for s, e in sentences(text, s0) if e > others[0][0]), len(text))
        if not taken:  # the rest of what the meaning-based step does not find: resolved in pick()
            return [Anchor(s0, s0, REST, "reference", end=end)]
        answered = {a.question for a in taken}
        return [Anchor(s0, s0, q, "reference", end=end) for q in range(len(self.questions)) if q not in answered]

    def several(self, text: str, taken: list[Anchor], others=None) -> list[Anchor]:
        """"Ja på de to første", "the last two: no": one answer to several questions in order."""
        out = []
        for m in self.several_phrase.finditer(text):
            k = self.lex["ordinal_counts"].get(lower(m.group(1)))
            side = self.lex["ordinals"].get(lower(m.group(2)), 1) if m.group(2) else 1
            if not k or any(a.head <= m.start() < max(a.start, a.end or 0) for a in taken):
                continue
            n = len(self.questions)
            idx = range(k) if side > 0 else range(n - k, n)
            s0 = sentence_start(text, m.start())
            out += [Anchor(s0, s0, q, "reference", end=sentence_end(text, s0)) for q in idx if 0 <= q < n]
        return out

    def inline_numbers(self, text: str, taken: list[Anchor] | None = None, others=None) -> list[Anchor]:
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
            end = nxt.start() if nxt else paragraph_end(text, m.end())
            if len(words(text[m.end():end])) > most and (nxt is not None or most < 6):
                return []  # (out of order, the last answer must be short too)
            out.append(Anchor(m.end(), m.start(), self.numbers[int(m.group(1))], "numbered", end=end))
        return out

    def short_answers_in_a_row(self, text: str, taken: list[Anchor] | None = None, others=None) -> list[Anchor]:
        """"No. No. Yes." or "Nei, ja, ja – og …": bare short answers in a row, read as answers
        to the questions in order."""
        out: list[Anchor] = []
        first_para_end = paragraph_end(text, 0)
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
                    out.append(Anchor(s, s, len(out), "numbered", end=sentence_end(text, s)))
                break
            out.append(Anchor(s, s, len(out), "numbered", end=e + (1 if text[e:e + 1] in ".!" else 0)))
        return out if len(out) >= 2 else []

    def topic_labels(self, text: str, taken: list[Anchor], others=None) -> list[Anchor]:
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


@dataclass(frozen=True)
class AnchorRule:
    """One of segmentation's rules: ``find(rules, text, taken, others)`` gives the anchors it finds in
    ``text`` beside those ``taken`` by the rules before it (``others``: where the text says "the other
    questions"); with ``when_none`` it runs only while nothing is anchored."""
    name: str
    find: Callable[[AnchorRules, str, list[Anchor], list], list[Anchor]]
    when_none: bool = False

    @property
    def why(self) -> str:
        return (self.find.__doc__ or "").strip().split("\n\n")[0]


#: The rules in the order they run (explicit labels, :mod:`.explicit`, come before all of them).
ANCHOR_RULES: tuple[AnchorRule, ...] = (
    AnchorRule("numbered-line", AnchorRules.numbered_lines),
    AnchorRule("quoted-question", AnchorRules.quoted_questions),
    AnchorRule("ordinal-reference", AnchorRules.ordinal_references),
    AnchorRule("number-reference", AnchorRules.number_references),
    AnchorRule("yes-to-topic", AnchorRules.yes_to),
    AnchorRule("topic-label", AnchorRules.topic_labels),
    AnchorRule("several-in-order", AnchorRules.several),
    AnchorRule("inline-numbers", AnchorRules.inline_numbers, when_none=True),
    AnchorRule("short-answers-in-a-row", AnchorRules.short_answers_in_a_row, when_none=True),
    AnchorRule("the-other-questions", AnchorRules.the_others),
)
