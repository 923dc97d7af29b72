"""Stance of each answer toward its question: for / against / mixed / none.

Rules first, strongest first, each named in ``provenance.stance_rule``; they are the registry
:data:`innspill.stance_rules.STANCE_RULES` (small named functions, each with its rationale and a
real example), and this module holds the cue machinery they use:

1. ``decline``: "har jeg ingen kommentar til", "no opinion" → none;
2. ``opener-mixed``: the answer starts "Ja og nei", "Det kommer an på", "It depends" → mixed;
3. ``opener-yes`` / ``opener-no``: "Helt klart.", "Nei.", "Absolutely" …; a condition in the
   first sentences ("Jeg mener det. Så lenge …") makes it ``opener-conditional`` → mixed;
4. ``conditional``: a positive judgement tied to a condition ("greit hvis …", "så lenge …") → mixed;
5. ``polarity``: per sentence, evaluative words (greit, feil, neppe veien å gå …) with
   negation in a window before them; the sentence's *direction* toward the question's
   proposal (``directions`` lexicon: "subsidien bør fjernes" speaks of the opposite of
   "fortsette å subsidiere", so its judgement counts the other way; words after "i stedet
   for"/"instead of" are the opposite side, in the question and in the answer); a proposed
   alternative ("bruk heller pengene på …") counts against; irony markers ("Oh great, …")
   turn praise into criticism; a yes/no cue opening a later sentence ("So no.") or
   following a colon counts strongly; echoes of the question's own words with or without
   negation count weakly. Summed over the sentences, the first counting most;
6. otherwise none, with low confidence.

Cue lists are data (``lang/*.json``); the evidence is always a sentence copied
verbatim from the comment. For open questions for/against refer to the
question's premise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .contract import Answer, Comment, Question
from .explicit import tables as explicit_tables
from .lang import merged
from .stance_rules import STANCE_RULES, Reading, Verdict
from .textutil import WORD_RE, CueMatcher, content_stems, lower, sentences, stem, stem_hits, words

NEG_WINDOW = 3
# How often each rule's stance was right on the development set (evaluation/threads, the
# examples and the seed: 10 threads, about 560 answers), rounded and shrunk toward 0.5 where
# the rule fired rarely. ``confidence`` is this, a little lower for answers found by meaning
# only; evaluation/RESULTS.md reports its calibration (expected calibration error).
RULE_CONFIDENCE = {
    "opener-yes": 0.97, "opener-no": 0.97, "opener-mixed": 0.88, "opener-conditional": 0.88,
    "decline": 0.9, "conditional": 0.85, "polarity": 0.8, "mixed-cue": 0.75, "open-proposal": 0.87,
    "open-rejects": 0.8, "open-conditional": 0.6, "polarity-both": 0.5, "decline-but-both": 0.45,
    "irony": 0.5, "no-cue": 0.15,
}
SEMANTIC_FACTOR = 0.92
LATE_OPENER = 1.5  # weight of a yes/no cue opening a later sentence
WH_WORDS = {"where", "when", "how", "what", "who", "why", "whether", "hvor", "når", "hvordan", "hva", "hvem", "hvorfor",
            "kvar", "korleis", "kva", "kven", "kvifor", "kor"}
OPINION_VERBS = {"mener", "meiner", "synes", "synest", "tror", "trur", "think", "feel", "believe", "want", "vil"}
MENTION_RE = re.compile(r"\s*@[\w.]+(?:\s+[A-ZÆØÅ][\w.-]*){0,2}\s*[:,–—-]?\s*")
IMPERATIVE_LEADS = {"bare", "berre", "just", "please", "så", "so", "og", "and"}
IMPERATIVE_OBJECTS = {"det", "den", "dei", "dem", "han", "ho", "henne", "it", "them", "this", "that", "these", "those"}
WARNING_IFS = {"hvis", "dersom", "viss", "if"}  # plain conditions; "så lenge", "only if" are conditional answers


@dataclass(frozen=True)
class QuestionVerbs:
    words: frozenset    # the question's words as written
    toward: frozenset   # stems of its verbs and of the terms on the proposal's side
    away: frozenset     # stems of the terms on the opposite side


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
        self.alternatives = CueMatcher(lex.get("alternatives", []))
        self.rejections = CueMatcher(lex.get("rejections", []))
        self.rej_open = CueMatcher(lex.get("rejection_openers", []))
        self.contrast = CueMatcher(["men", "but", "however", "likevel", "derimot", "though"])
        self.instead_of = CueMatcher(lex.get("instead_of", []))
        self.irony = CueMatcher(lex.get("irony", []))
        self.late_openers = sorted(lex.get("late_openers", []), key=len, reverse=True)
        self.no_exceptions = CueMatcher(lex.get("no_exceptions", []))
        self.direction_pairs = lex.get("directions", [])
        self.agree_others = CueMatcher(lex.get("agree_with_others", []))
        self.sentence_negators = set(lex.get("sentence_negators", []))
        # "uten kjøtt" restates "kjøttfri"; only plain negation turns an echo against
        self.echo_negators = self.negators - {"uten", "utan", "without", "lite", "barely", "rarely"}
        self.restrictors = set(lex.get("restrictors", []))
        self._dir_cache: dict[str, tuple] = {}
        ex = explicit_tables(language)
        self.leaders = CueMatcher(ex["intensifiers"] + ex["courtesy"])
        self.concessions = CueMatcher(ex["concessions"])
        self.yes_no = dict(ex["yes_no"])
        self.bare_negations = set(ex["negations"])

    def _stem_lang(self) -> str:
        return "en" if self.language == "en" else "nb"

    def negated(self, text: str, start: int, floor: int = 0) -> bool:
        before = words(text[max(floor, start - 60):start])[-NEG_WINDOW:]
        return any(w in self.negators or w.endswith("n't") for w in before)

    def _led_answer(self, text: str, i: int, e: int) -> int:
        """+1/-1 when an intensifier or a courtesy word leads a yes/no word ("Klart nei", "Takk,
        nei", "Definitely no", "Selvsagt ikke."): the yes/no word decides; else 0."""
        m = self.leaders.first(text, i, min(e, i + 30))
        if m is None or m[0] != i:
            return 0
        j = m[1]
        while j < e and text[j] in " ,\t":
            j += 1
        c = self.concessions.first(text, j, min(e, j + 10))
        if c is not None and c[0] == j:  # "Takk, men nei"
            j = c[1]
            while j < e and text[j] in " ,\t":
                j += 1
        cues = [c for c in (self.yes.first(text, j, min(e, j + 40)), self.no.first(text, j, min(e, j + 40)))
                if c is not None and c[0] == j]
        longest = max(cues, key=lambda c: c[1] - c[0])[2] if cues else None
        if longest in self.yes_no:  # not "Sure, no problem": a longer cue decides
            return self.yes_no[longest]
        w = WORD_RE.match(lower(text), j, e)
        if not cues and w and w.group(0) in self.bare_negations and (w.end() >= e or text[w.end()] in ".!,;:–-"):
            return -1
        return 0

    def opener(self, text: str, s: int, e: int, matcher: CueMatcher) -> bool:
        i = s
        while i < e and not text[i].isalnum():
            i += 1
        led = self._led_answer(text, i, e)
        if led:
            return (matcher is self.no and led < 0) or (matcher is self.yes and led > 0)
        m = matcher.first(text, i, min(e, i + 60))
        if m is None or m[0] != i:
            return False
        ag = self.agree_others.first(text, i, min(e, i + 40))
        if ag is not None and ag[0] == i:
            return False  # "Enig med naboen over." agrees with a person, not with the question
        ex = self.no_exceptions.first(text, i, min(e, i + 40))
        return not (ex is not None and ex[0] == i and ex[1] > m[1] - 1 and matcher is self.no)

    def open_verdict(self, text: str, sents, question: Question) -> Verdict:
        """Open questions ("Hvilke regler bør gjelde …?"): for/against refer to the premise. An
        answer that proposes anything is ``for``; "Ingen.", "vi trenger ikke flere regler",
        "the town doesn't owe them anything" reject the premise; a proposal on a condition is
        mixed. Judgement words mostly describe the problem here, so they do not decide."""
        first = sents[0]
        for s, e in sents[:2]:
            m = self.rej_open.first(text, s, e)
            alone = m and (s, e) == first and self.opener(text, s, e, self.rej_open) and \
                (m[1] >= e or text[m[1]] in ".!,;:–-")  # "Ingen." / "None." but not "Ingen lukt, …"
            if self.rejections.first(text, s, e) or alone:
                return Verdict("against", 0.7, (s, e), "open-rejects")
        for s, e in sents:
            c = self.cond.first(text, s, e)
            if c and self.strong_condition(text, s, c):
                return Verdict("mixed", 0.6, (s, e), "open-conditional")
        if len(words(text[first[0]:sents[-1][1]])) >= 3:
            def proposes(se) -> bool:  # "Alle bør rydde etter seg", not "Meir treng vi ikkje"
                ws = words(text[se[0]:se[1]])
                return bool(self.normative.first(text, *se)) and not any(w in self.negators for w in ws)
            best = max(sents, key=lambda se: (proposes(se), -se[0]))
            return Verdict("for", 0.6, best, "open-proposal")
        return Verdict("none", 0.4, first, "no-cue")

    def strong_condition(self, text: str, s: int, c) -> bool:
        """"bare … hvis", "only … if", "så lenge", "as long as": a condition that is the answer."""
        if " " in c[2] and c[2] not in ("if", "hvis", "om", "dersom", "viss"):
            return True  # multi-word conditions: "så lenge", "as long as", "forutsatt at"
        before = words(text[max(s, c[0] - 40):c[0]])[-4:]
        return any(w in self.restrictors for w in before)

    def _late_opener(self, text: str, sents) -> tuple[int, tuple[int, int], bool] | None:
        """A yes/no cue opening a later sentence ("So no."), following a colon in the first
        ("Closing it on Saturdays: yes, please."), or closing a sentence ("Fast plass, ja takk.")."""
        s0, e0 = sents[0]
        cands = []
        colon = max(text.rfind(":", s0, e0), text.rfind(" – ", s0, e0), text.rfind(" - ", s0, e0))
        if colon > s0:
            cands.append((colon + 1, e0, (s0, e0)))
        cands += [(s, e, (s, e)) for s, e in sents[1:]]
        found = None
        for s, e, span in cands:
            hit = self._standalone_cue(text, s, e)
            if hit:
                found = (hit, span, False)
        if found is None:
            for s, e in sents:
                comma = text.rfind(",", s, e)
                if comma <= s:
                    continue
                tail = text[comma + 1:e].strip(" .!")
                conceded = re.match(r"(?:but|men)\s+", tail, flags=re.IGNORECASE)
                tail = re.sub(r"^(?:but|men|so|så)\s+", "", tail, flags=re.IGNORECASE)  # "…, but no."
                for sign, matcher in ((-1, self.no), (1, self.yes)):
                    m = matcher.first(tail)
                    if m and m[0] == 0 and len(words(tail)) <= 3:
                        # "I get the argument …, but no.": what comes before "but" is conceded
                        found = (sign, (s, e), bool(conceded))
                        break
        return found

    def _standalone_cue(self, text: str, s: int, e: int) -> int:
        """+1/-1 when ``text[s:e]`` opens with a yes/no cue that stands alone ("So no, …",
        "Nei.", "Ja frå meg"), not one that starts a clause ("Jeg tror det er …"); else 0."""
        while s < e and not text[s].isalnum():
            s += 1
        low = lower(text[s:e])
        for pre in self.late_openers:
            if low.startswith(pre + " ") or low.startswith(pre + ", "):
                s += len(pre) + 1
                while s < e and not text[s].isalnum():
                    s += 1
                break
        if self.mixed.first(text, s, e) and self.opener(text, s, e, self.mixed):
            return 0
        for sign, matcher in ((-1, self.no), (1, self.yes)):
            m = matcher.first(text, s, e)
            if m and self.opener(text, s, e, matcher) and (m[1] >= e or text[m[1]] in ",.!:;–-"
                                                             or _follower(text, m[1])):
                return sign
        return 0

    def declines(self, text: str, s: int, e: int) -> bool:
        """A decline ("vet ikke", "no idea") that is not the start of a clause about something
        else ("I've no idea where he is", "eg veit ikkje kvar ho er")."""
        for _ms, me, _ in self.decline.find(text, s, e):
            nxt = words(text[me:me + 30])[:3]
            if not nxt or nxt[0] not in WH_WORDS or nxt[2:3] and nxt[2] in OPINION_VERBS:
                return True  # "Vet ikke helt hva jeg mener" is still a decline
        return False

    def judge(self, text: str, start: int, end: int, question: Question) -> Verdict:
        m = MENTION_RE.match(text, start, end)
        if m and m.end() < end:  # "@Jo Whitlock – respectfully, …": the answer starts after the name
            start = m.end()
        sents = sentences(text, start, end) or [(start, end)]
        if len(sents) > 1 and text[sents[0][0]:sents[0][1]].rstrip(" »”\"'").endswith("?"):
            sents = sents[1:]  # «Bør klubbhuset leies ut?» Nei, …: the answer starts after the question
        reading = Reading(self, text, sents, question)
        for rule in STANCE_RULES:  # the registry's order; the first verdict wins
            v = rule.read(reading)
            if v is not None:
                return v
        return Verdict("none", 0.4, sents[0], "no-cue")  # polarity always decides; kept for safety

    def _terms(self, text: str, s: int, e: int, terms) -> list[int]:
        """Offsets in ``text[s:e]`` where any of ``terms`` (single words by stem, phrases as is) occurs."""
        lang = self._stem_lang()
        single = {stem(t, lang) for t in terms if " " not in t}
        out = [m.start() for m in WORD_RE.finditer(lower(text), s, e) if stem(m.group(0), lang) in single]
        phrases = [t for t in terms if " " in t]
        if phrases:
            out += [m[0] for m in CueMatcher(phrases).find(text, s, e)]
        return sorted(out)

    def question_directions(self, question: Question) -> tuple[list[str], list[str]]:
        """Terms that speak for the question's proposal (same side) and for its opposite."""
        if question.text in self._dir_cache:
            return self._dir_cache[question.text]
        qt = question.text
        cut = self.instead_of.first(qt)
        main_end = cut[0] if cut else len(qt)
        same: list[str] = []
        opp: list[str] = []
        for a, b in self.direction_pairs:
            in_a, in_b = bool(self._terms(qt, 0, main_end, a)), bool(self._terms(qt, 0, main_end, b))
            if in_a and not in_b:
                same += a
                opp += b
            elif in_b and not in_a:
                same += b
                opp += a
        if cut:  # "selges … i stedet for å kastes": what follows is the opposite side
            alt = content_stems(qt[cut[1]:], self.stop, self._stem_lang())[:2]
            opp += [w for w in words(qt[cut[1]:]) if stem(w, self._stem_lang()) in alt]
        same_set = set(same) - set(opp)
        result = (sorted(same_set), sorted(set(opp) - same_set))
        self._dir_cache[question.text] = result
        return result

    def direction(self, text: str, s: int, e: int, dirs) -> int:
        """+n when the sentence speaks of the question's proposal, -n of its opposite (negation flips)."""
        same, opp = dirs
        if not same and not opp:
            return 0
        cut = self.instead_of.first(text, s, e)
        first = next(WORD_RE.finditer(lower(text), s, e), None)
        flip, floor = 1, s
        if first and first.group(0) in self.sentence_negators:  # "Ingen ansatte skal …"
            flip, floor = -1, first.end()
        total = 0
        for terms, sign in ((same, 1), (opp, -1)):
            for off in self._terms(text, s, e, terms):
                d = -sign if self.negated(text, off, floor) else sign
                if cut and off >= cut[1]:
                    d = -d
                total += d
        return flip * total

    def _sentence_score(self, text: str, s: int, e: int, q_stems, dirs, verbs: QuestionVerbs) -> float:
        lang = self._stem_lang()
        ev = 0.0
        agreeing = [(a, b) for a, b, _ in self.agree_others.find(text, s, e)]
        negs = list(self.neg.find(text, s, e))
        for ms, _, _ in self.pos.find(text, s, e):
            if any(a <= ms < b for a, b in agreeing):
                continue  # "Enig med naboen": agrees with a person; what follows decides
            if any(a <= ms < b for a, b, _ in negs):
                continue  # "who thought this was a good idea": the praise is inside the criticism
            ev += -1.0 if self.negated(text, ms) else 1.0
        for ms, _, _ in negs:
            ev += 0.5 if self.negated(text, ms) else -1.0
        if self.irony.first(text, s, e):
            ev = -abs(ev) - 1.0
        if ev <= 0 and self._warning(text, s, e, q_stems, dirs):
            return min(ev, -0.75)
        if not ev:
            imp = self._imperative(text, s, e, verbs)
            if imp:
                return 0.75 * imp
        d = self.direction(text, s, e, dirs)
        if d:
            if ev:
                return ev if d > 0 else -ev
            weight = 0.75 if self.normative.first(text, s, e) else 0.5
            return weight if d > 0 else -weight
        if ev:
            return ev
        hits = stem_hits(q_stems, text[s:e], self.stop, lang)
        echo = len(hits) / max(1, len(q_stems))
        sent_words = words(text[s:e])
        if echo >= 0.3:
            # no judgement word: does the sentence restate the question, negated or as a norm?
            if any(w in self.echo_negators or w.endswith("n't") for w in sent_words):
                return -0.75
            if self.normative.first(text, s, e):
                return 0.75
        alt = self.alternatives.first(text, s, e)
        if alt and words(text[alt[1]:alt[1] + 12])[:1] in (["enn"], ["than"]):
            alt = None  # "heller enn", "rather than": a comparison, not an alternative proposal
        if alt and len(hits) <= 1 and not self.negated(text, alt[1] + 1) and \
                not any(w in self.negators for w in words(text[alt[1]:alt[1] + 8])):
            return -0.75  # proposes something else instead
        return 0.0

    def _question_verbs(self, question: Question, q_stems, dirs) -> QuestionVerbs:
        """Once per question: what an imperative is compared with in ``_imperative``."""
        lang = self._stem_lang()
        same, opp = dirs
        # a Norwegian question often has the passive ("leies", "innføres", "seljast")
        toward = set(q_stems) | {re.sub(r"(?:es|ast|s)$", "", q) for q in q_stems}
        return QuestionVerbs(words=frozenset(words(question.text)),
                             toward=frozenset(toward | {stem(t, lang) for t in same if " " not in t}),
                             away=frozenset(stem(t, lang) for t in opp if " " not in t))

    def _imperative(self, text: str, s: int, e: int, verbs: QuestionVerbs) -> int:
        """"Lei det ut!", "Sel han", "Ban them", "Ikkje avgrens det": an imperative of the
        question's own verb on a pronoun is +1 (-1 when negated, or when the verb is the opposite
        of the proposal: "Behold dem" when the question is about merging); else 0."""
        ws = words(text[s:e])
        while ws and ws[0] in IMPERATIVE_LEADS:
            ws = ws[1:]
        sign = 1
        if ws and (ws[0] in self.negators or ws[0].endswith("n't")):
            sign, ws = -1, ws[1:]
        if len(ws) < 2 or ws[1] not in IMPERATIVE_OBJECTS or ws[0] in self.stop:
            return 0
        lang = self._stem_lang()
        if lang != "en" and ws[0] in verbs.words:
            return 0  # "Klubbhuset det gjeld …": a noun of the question, not an imperative ("lei", "sel")
        verb = stem(ws[0], lang)
        if verb in verbs.away:
            return -sign
        return sign if verb in verbs.toward else 0

    def _warning(self, text: str, s: int, e: int, q_stems, dirs) -> bool:
        """"Hvis legevakta flytter, kommer folk til å la være å ringe", "If you take the phones at
        the gate, half of Year 9 will bring a second one": the sentence opens with a plain "if"
        whose clause restates the proposal, and the consequence has no good word in it: a
        warning, which counts against."""
        c = self.cond.first(text, s, min(e, s + 30))
        if c is None or c[2] not in WARNING_IFS or words(text[s:c[0]]):
            return False
        comma = text.find(",", c[1], e)
        if comma < 0:
            return False
        if self.direction(text, c[1], comma, dirs) <= 0 and \
                not stem_hits(q_stems, text[c[1]:comma], self.stop, self._stem_lang()):
            return False
        return not any(not self.negated(text, m[0]) for m in self.pos.find(text, comma, e))

    def polarity(self, text: str, sents, question: Question) -> Verdict:
        q_stems = set(content_stems(question.text, self.stop, self._stem_lang()))
        dirs = self.question_directions(question)
        verbs = self._question_verbs(question, q_stems, dirs)
        total, best, best_score = 0.0, None, 0.0
        pos_seen = neg_seen = False
        late = self._late_opener(text, sents)
        for i, (s, e) in enumerate(sents):
            if late and late[2] and late[1] == (s, e):
                continue  # a concession ending in "but no": the tail alone counts
            score = self._sentence_score(text, s, e, q_stems, dirs, verbs)
            weight = 1.5 if i == 0 else 1.0
            total += weight * score
            pos_seen |= score >= 1
            neg_seen |= score <= -1
            if abs(score) > abs(best_score):
                best, best_score = (s, e), score
        if late:
            total += LATE_OPENER * late[0]
            if abs(total) >= 0.75 and (late[0] > 0) == (total > 0):
                best = late[1]
        if pos_seen and neg_seen and abs(total) < 1.0 and not late:
            return Verdict("mixed", 0.5, best or sents[0], "polarity-both")
        if total >= 0.75:
            return self.oriented(Verdict("for", min(0.85, 0.55 + 0.1 * total), best, "polarity"), question)
        if total <= -0.75:
            return self.oriented(Verdict("against", min(0.85, 0.55 - 0.1 * total), best, "polarity"), question)
        return Verdict("none", 0.4, sents[0], "no-cue")

    def oriented(self, v: Verdict, question: Question) -> Verdict:
        """Flip for/against when the question itself is negated ("Er det ikke …?")."""
        if any(w in self.negators for w in words(lower(question.text))[:6]):
            v.stance = {"for": "against", "against": "for"}.get(v.stance, v.stance)
        return v


def _follower(text: str, pos: int) -> bool:
    """"Nei til økning", "ja takk", "yes please", "ja frå meg": a cue and its usual companion."""
    nxt = words(text[pos:pos + 20])[:2]
    return bool(nxt) and (nxt[0] in ("til", "to", "takk", "please", "thanks") or nxt in (["fra", "meg"], ["frå", "meg"],
                                                                                         ["from", "me"]))


def assign_stances(answers: list[Answer], comments: list[Comment], questions: list[Question],
                   language: str = "nb") -> None:
    finder = StanceFinder(language)
    by_id = {c.id: c for c in comments}
    qs = {q.id: q for q in questions}
    for a in answers:
        c = by_id[a.comment_id]
        v = finder.judge(c.text, a.start, a.end, qs[a.question_id])
        base = RULE_CONFIDENCE.get(v.rule, v.confidence)
        a.stance, a.confidence = v.stance, round(base * (SEMANTIC_FACTOR if a.how == "semantic" else 1.0), 3)
        a.evidence = c.text[v.span[0]:v.span[1]]
        a.provenance = {**a.provenance, "stance_rule": v.rule, "evidence_start": v.span[0]}
