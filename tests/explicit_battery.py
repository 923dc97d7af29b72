"""A seeded battery of comments that answer by explicit reference (issue 18), with known answers.

Every comment combines a label style ("1:", "#2", "Spm. 3:", "Til det første:", "1–3:", "alle:",
a quoted question …), a layout (inline, or one answer a line), an order (as asked, or shuffled), a
subset of the questions, yes/no phrasings (plain, with an intensifier, with a courtesy word, with a
short reason) and surrounding prose (none, before, between, after), in nb, nn and en.

``battery()`` gives the comments; ``run_battery()`` writes them as JSONL threads (the questions as
records) and reads them with :func:`innspill.pipeline.analyze`, words only (explicit references need
no model), and returns the failures. Comments that a reader would take for copies of each other
(equal or near-identical texts) go to different threads, so that none is set aside as a duplicate.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass

SEED = 18
REPEATS = 9

QUESTIONS = {
    "nb": ["Bør kantina servere fisk hver fredag?", "Skal skolen innføre mobilforbud i friminuttene?",
           "Bør biblioteket holde åpent på søndager?", "Skal kommunen bygge en ny idrettshall?",
           "Bør kirkeklokkene ringe hver morgen?"],
    "nn": ["Bør kantina servere fisk kvar fredag?", "Skal skulen innføre mobilforbod i friminutta?",
           "Bør biblioteket halde ope på søndagar?", "Skal kommunen byggje ein ny idrettshall?",
           "Bør kyrkjeklokkene ringje kvar morgon?"],
    "en": ["Should the canteen serve fish every Friday?", "Should the school ban phones during breaks?",
           "Should the library open on Sundays?", "Should the council build a new sports hall?",
           "Should the church bells ring every morning?"],
}
N = 5

# phrasings: (kind, text); every one opens with its yes/no (or an intensifier or courtesy word before it)
PHRASES = {
    "nb": {
        "for": {"plain": ["Ja.", "Ja", "Ja!", "Jepp."],
                "intensifier": ["Helt klart ja.", "Klart ja.", "Absolutt ja.", "Ja, absolutt.", "Ja, helt klart.",
                                "Definitivt ja."],
                "courtesy": ["Ja takk.", "Ja, takk.", "Ja gjerne.", "Takk, ja."],
                "reason": ["Ja, det er viktig for mange.", "Ja, det har vi god erfaring med.",
                           "Ja. Det gjør hverdagen bedre.", "Ja, dessverre."]},
        "against": {"plain": ["Nei.", "Nei", "Nei!"],
                    "intensifier": ["Klart nei.", "Helt klart nei.", "Absolutt ikke.", "Absolutt nei.",
                                    "Nei, absolutt ikke.", "Definitivt ikke.", "Selvsagt ikke."],
                    "courtesy": ["Nei takk.", "Nei, takk.", "Takk, men nei."],
                    "reason": ["Nei, det blir for dyrt.", "Nei, det har ikke vært noe problem.",
                               "Nei. Det trengs ikke."]},
    },
    "nn": {
        "for": {"plain": ["Ja.", "Ja", "Jau."],
                "intensifier": ["Heilt klart ja.", "Klart ja.", "Ja, absolutt.", "Absolutt ja."],
                "courtesy": ["Ja takk.", "Ja gjerne.", "Takk, ja."],
                "reason": ["Ja, det er viktig for mange.", "Ja, det har vi god røynsle med.", "Ja, diverre."]},
        "against": {"plain": ["Nei.", "Nei"],
                    "intensifier": ["Klart nei.", "Heilt klart nei.", "Absolutt ikkje.", "Sjølvsagt ikkje."],
                    "courtesy": ["Nei takk.", "Nei, takk."],
                    "reason": ["Nei, det blir for dyrt.", "Nei, klokkene har ikkje vore noko problem.",
                               "Nei. Det trengst ikkje."]},
    },
    "en": {
        "for": {"plain": ["Yes.", "Yes", "Yes!", "Yep."],
                "intensifier": ["Definitely yes.", "Absolutely.", "Yes, absolutely.", "Yes, definitely.",
                                "Clearly yes."],
                "courtesy": ["Yes please.", "Yes, thanks.", "Thanks, yes."],
                "reason": ["Yes, it would help a lot of people.", "Yes. It makes daily life easier.",
                           "Yes, sadly."]},
        "against": {"plain": ["No.", "No", "No!"],
                    "intensifier": ["Definitely not.", "Absolutely not.", "Clearly no.", "Certainly not.",
                                    "Definitely no."],
                    "courtesy": ["No thanks.", "No, thank you.", "Thanks, but no."],
                    "reason": ["No, it costs too much.", "No, it has never been a problem.",
                               "No. It is not needed."]},
    },
}

PROSE = {
    "nb": {"before": ["Hei! Her er svarene mine:", "Takk for at dere spør.", "Mine svar:",
                      "Jeg har bodd her i tjue år."],
           "between": ["Dette har jeg tenkt mye på.", "Jeg har bodd her i tjue år."],
           "after": ["Hilsen Kari", "Lykke til med arbeidet!", "Takk for at dere spør."]},
    "nn": {"before": ["Hei! Her er svara mine:", "Takk for at de spør.", "Svara mine:"],
           "between": ["Dette har eg tenkt mykje på.", "Eg har budd her i tjue år."],
           "after": ["Helsing Kari", "Lukke til med arbeidet!"]},
    "en": {"before": ["Hi! Here are my answers:", "Thanks for asking.", "My answers:"],
           "between": ["I have thought about this a lot.", "I have lived here for twenty years."],
           "after": ["Best wishes, Kari", "Good luck with the work!", "Thanks for asking."]},
}

ORDINALS = {"nb": ["første", "andre", "tredje", "fjerde", "femte"],
            "nn": ["fyrste", "andre", "tredje", "fjerde", "femte"],
            "en": ["first", "second", "third", "fourth", "fifth"]}

# one label per question: "{n}" the number, "{o}" the ordinal, "{q}" the question, "{w}" its first words
SINGLE = {
    "colon": {"*": ["{n}: "]},
    "dot": {"*": ["{n}. "]},
    "paren": {"*": ["{n}) "]},
    "dash": {"*": ["{n} - ", "{n} – "]},
    "bare": {"*": ["{n} "]},
    "hash": {"*": ["#{n} ", "#{n}: "]},
    "q": {"*": ["Q{n} ", "Q{n}: "]},
    "noun": {"nb": ["Spm. {n}: ", "Spørsmål {n}: ", "Spm {n}: ", "Spørsmål nr. {n}: "],
             "nn": ["Spm. {n}: ", "Spørsmål {n}: "],
             "en": ["Question {n}: ", "Q. {n}: ", "Question no. {n}: "]},
    "to": {"nb": ["Til {n}: ", "Til spørsmål {n}: ", "Svar på {n}: ", "Svar på spørsmål {n}: "],
           "nn": ["Til {n}: ", "Til spørsmål {n}: ", "Svar på {n}: "],
           "en": ["To {n}: ", "To question {n}: ", "Answer to {n}: ", "On question {n}: "]},
    "ordinal": {"nb": ["{O}: ", "Til det {o}: ", "Til det {o} spørsmålet: ", "Det {o} spørsmålet: ",
                       "Til det {o} (spørsmålet): "],
                "nn": ["{O}: ", "Til det {o}: ", "Til det {o} spørsmålet: ", "Det {o} spørsmålet: "],
                "en": ["{O}: ", "To the {o} question: ", "On the {o} one: ", "The {o} question: "]},
    "quoted": {"nb": ["«{q}» ", "«{q}»: ", "«{w} …» ", "«{w} …»: ", "{q} "],
               "nn": ["«{q}» ", "«{w} …» ", "{q} "],
               "en": ["\"{q}\" ", "\"{q}\": ", "\"{w}...\" ", "{q} "]},
}
LAST = {"nb": ["Det siste: ", "Til det siste: ", "Det siste spørsmålet: "],
        "nn": ["Det siste: ", "Til det siste: ", "Det siste spørsmålet: "],
        "en": ["The last one: ", "The last question: ", "To the last one: "]}
# one label for several questions
RANGE = {"nb": ["{a}–{b}: ", "{a}-{b}: ", "{a} til {b}: "], "nn": ["{a}–{b}: ", "{a} til {b}: "],
         "en": ["{a}–{b}: ", "{a}-{b}: ", "{a} to {b}: "]}
LIST = {"nb": ["{a} og {b}: ", "{a}, {c} og {b}: "], "nn": ["{a} og {b}: ", "{a}, {c} og {b}: "],
        "en": ["{a} and {b}: ", "{a}, {c} and {b}: ", "{a} & {b}: "]}
COUNT = {"nb": [("De to første: ", (1, 2)), ("De tre første: ", (1, 2, 3)), ("De to siste: ", (4, 5)),
                ("Til de to første: ", (1, 2))],
         "nn": [("Dei to første: ", (1, 2)), ("Dei tre fyrste: ", (1, 2, 3)), ("Dei to siste: ", (4, 5))],
         "en": [("The first two: ", (1, 2)), ("The first three: ", (1, 2, 3)), ("The last two: ", (4, 5))]}
ALL = {"nb": ["Alle: ", "Alle spørsmålene: "], "nn": ["Alle: ", "Alle spørsmåla: "],
       "en": ["All: ", "All of them: "]}
REST = {"nb": ["Resten: ", "De andre: "], "nn": ["Resten: ", "Dei andre: "], "en": ["The rest: ", "The others: "]}

STYLES = [*SINGLE, "range", "list", "count", "all", "rest"]
LAYOUTS = ["inline", "lines"]
PROSE_KINDS = ["none", "before", "between", "after"]


@dataclass
class Case:
    lang: str
    text: str
    gold: dict[int, str]  # question number -> for / against
    style: str
    layout: str


def _phrase(rng: random.Random, lang: str, stance: str) -> str:
    kind = rng.choice(["plain", "intensifier", "courtesy", "reason"])
    return rng.choice(PHRASES[lang][stance][kind])


def _single_label(rng: random.Random, lang: str, style: str, n: int) -> str:
    if style == "ordinal" and n == N and rng.random() < 0.5:
        return rng.choice(LAST[lang])
    forms = SINGLE[style].get(lang) or SINGLE[style]["*"]
    q = QUESTIONS[lang][n - 1]
    o = ORDINALS[lang][n - 1]
    return rng.choice(forms).format(n=n, o=o, O=o.capitalize(), q=q, w=" ".join(q.split()[:4]))


def _items(rng: random.Random, lang: str, style: str) -> tuple[list[tuple[str, str]], dict[int, str]]:
    """(label, stance) items in order and the gold answers."""
    stance = {n: rng.choice(["for", "against"]) for n in range(1, N + 1)}
    if style in SINGLE:
        subset = sorted(rng.sample(range(1, N + 1), rng.randint(1, N)))
        if rng.random() < 0.5:
            rng.shuffle(subset)
        return [(_single_label(rng, lang, style, n), stance[n]) for n in subset], {n: stance[n] for n in subset}
    if style == "all":
        s = rng.choice(["for", "against"])
        return [(rng.choice(ALL[lang]), s)], {n: s for n in range(1, N + 1)}
    if style == "rest":
        named = sorted(rng.sample(range(1, N + 1), rng.randint(1, 3)))
        s = rng.choice(["for", "against"])
        items = [(f"{n}: ", stance[n]) for n in named] + [(rng.choice(REST[lang]), s)]
        return items, {n: (stance[n] if n in named else s) for n in range(1, N + 1)}
    if style == "count":
        label, group = rng.choice(COUNT[lang])
    elif style == "range":
        a = rng.randint(1, N - 1)
        b = rng.randint(a + 1, N)
        group = tuple(range(a, b + 1))
        label = rng.choice(RANGE[lang]).format(a=a, b=b)
    else:  # list
        form = rng.choice(LIST[lang])
        k = 3 if "{c}" in form else 2
        group = tuple(sorted(rng.sample(range(1, N + 1), k)))
        label = form.format(a=group[0], b=group[-1], c=group[1])
    s = rng.choice(["for", "against"])
    others = [n for n in range(1, N + 1) if n not in group and rng.random() < 0.5]
    items = [(label, s)] + [(f"{n}: ", stance[n]) for n in others]
    if rng.random() < 0.5:
        rng.shuffle(items)
    return items, {**{n: s for n in group}, **{n: stance[n] for n in others}}


def _compose(rng: random.Random, lang: str, items, layout: str, prose: str) -> str:
    parts = []
    between_at = rng.randrange(len(items)) if prose == "between" and len(items) > 1 else None
    for i, (label, stance) in enumerate(items):
        answer = _phrase(rng, lang, stance)
        if i == between_at:
            answer = answer.rstrip(".!") + ". " + rng.choice(PROSE[lang]["between"])
        elif layout == "inline" and i < len(items) - 1 and answer[-1] not in ".!" and rng.random() < 0.5:
            answer += ","
        parts.append(label + answer)
    body = (" " if layout == "inline" else "\n").join(parts)
    if prose == "before":
        sep = " " if layout == "inline" else rng.choice(["\n", "\n\n"])
        body = rng.choice(PROSE[lang]["before"]) + sep + body
    elif prose == "after":
        if body[-1] not in ".!":
            body += "."
        sep = " " if layout == "inline" else rng.choice(["\n", "\n\n"])
        body = body + sep + rng.choice(PROSE[lang]["after"])
    return body


def battery(seed: int = SEED, repeats: int = REPEATS) -> list[Case]:
    """Every language x style x layout x prose, ``repeats`` times with random subsets, orders and
    phrasings; no text twice (a combination with too few variants left gives no new case)."""
    rng = random.Random(seed)
    out, seen = [], set()
    for _ in range(repeats):
        for lang in QUESTIONS:
            for style in STYLES:
                for layout in LAYOUTS:
                    for prose in PROSE_KINDS:
                        for _try in range(20):
                            items, gold = _items(rng, lang, style)
                            text = _compose(rng, lang, items, layout, prose)
                            if text not in seen:
                                seen.add(text)
                                out.append(Case(lang, text, gold, style, layout))
                                break
    return out


def _shingles(text: str) -> set[str]:
    ws = re.findall(r"\w+", text.lower())
    return {" ".join(ws[i:i + 3]) for i in range(max(1, len(ws) - 2))}


def threads(cases: list[Case], limit: float = 0.3) -> list[list[Case]]:
    """Cases grouped per language into threads where no two texts look like copies (equal, one the
    start of the other, or word 3-shingles overlapping by ``limit`` or more)."""
    out: list[list[Case]] = []
    for lang in QUESTIONS:
        groups: list[list[tuple[Case, set, str]]] = []
        for c in (c for c in cases if c.lang == lang):
            sh, norm = _shingles(c.text), " ".join(re.findall(r"\w+", c.text.lower()))
            for g in groups:
                if all(len(sh & s2) / len(sh | s2) < limit and not n2.startswith(norm) and not norm.startswith(n2)
                       for _, s2, n2 in g):
                    g.append((c, sh, norm))
                    break
            else:
                groups.append([(c, sh, norm)])
        out += [[c for c, _, _ in g] for g in groups]
    return out


def run_battery(workdir: str, cases: list[Case] | None = None) -> tuple[list[Case], list[str]]:
    """Analyse the battery through the pipeline (JSONL threads, words only); the cases and one line
    per comment read wrong (its text, what was expected and what came out)."""
    from innspill.pipeline import analyze

    cases = battery() if cases is None else cases
    failures = []
    for k, group in enumerate(threads(cases)):
        lang = group[0].lang
        path = os.path.join(workdir, f"battery-{k}-{lang}.jsonl")
        with open(path, "w", encoding="utf-8") as fh:
            for i, q in enumerate(QUESTIONS[lang], start=1):
                fh.write(json.dumps({"question": q, "number": i}, ensure_ascii=False) + "\n")
            for i, c in enumerate(group):
                fh.write(json.dumps({"id": f"b{i}", "author": f"Person {k}-{i}", "text": c.text},
                                    ensure_ascii=False) + "\n")
        analysis = analyze(path, lang=lang, use_embeddings=False)
        numbers = {q.id: q.number for q in analysis.questions}
        got: dict[str, dict[int, str]] = {c.id: {} for c in analysis.comments}
        for a in analysis.answers:
            got[a.comment_id][numbers[a.question_id]] = a.stance
        for c, case in zip(analysis.comments, group):
            if c.status != "kept" or got[c.id] != case.gold:
                failures.append(f"[{case.lang} {case.style} {case.layout}] {case.text!r}\n"
                                f"    expected {dict(sorted(case.gold.items()))}, got {dict(sorted(got[c.id].items()))}"
                                f" (status {c.status})")
    return cases, failures


if __name__ == "__main__":  # pragma: no cover
    import sys
    import tempfile
    import time

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        cases, failures = run_battery(tmp)
    for f in failures[:40]:
        print(f)
    ok = len(cases) - len(failures)
    print(f"explicit-reference battery: {ok} of {len(cases)} comments read right "
          f"({100 * ok / len(cases):.1f} %), {len(threads(cases))} threads, {time.perf_counter() - t0:.0f} s")
    sys.exit(1 if failures else 0)
