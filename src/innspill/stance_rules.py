"""The stance rules as a registry: small named functions, tried in order, the first verdict wins.

Each rule reads one answer (:class:`Reading`: the finder with its cue lists, the comment's text,
the answer's sentences and its question) and returns a :class:`Verdict` or ``None`` to pass it to
the next. :data:`STANCE_RULES` is the order; each entry names the verdicts it can give (the names
that end up in ``provenance.stance_rule``). The cue machinery the rules use (openers, negation,
the question's directions, polarity) is :class:`innspill.stance.StanceFinder`.

Every rule's docstring says why it exists and gives a real example from the training corpus
(``training/corpus``, written and labelled by the writers, never by the code); the cases in
``tests/data/stance_cases.json`` are drawn from the same corpus by ``tests/tools/stance_cases.py``
and marked ``pass`` or ``known-fail`` (``tests/test_stance_rules.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .contract import Question

if TYPE_CHECKING:
    from .stance import StanceFinder


@dataclass
class Verdict:
    stance: str
    confidence: float
    span: tuple[int, int]
    rule: str


@dataclass(frozen=True)
class Reading:
    """One answer as every rule sees it: ``sents`` are its sentences (after a leading @mention
    and a quoted question are dropped); the first is where openers are looked for."""
    finder: StanceFinder
    text: str
    sents: list[tuple[int, int]]
    question: Question

    @property
    def first(self) -> tuple[int, int]:
        return self.sents[0]


@dataclass(frozen=True)
class StanceRule:
    name: str
    gives: tuple[str, ...]  # the verdicts' names (``provenance.stance_rule``) the rule can give
    read: Callable[[Reading], Verdict | None]

    @property
    def why(self) -> str:
        return (self.read.__doc__ or "").strip().split("\n\n")[0]


def decline(r: Reading) -> Verdict | None:
    """A decline in the first three sentences ("vet ikke", "no opinion", "eg har ingen meining om
    det") takes no side → none; when the rest weighs both sides ("… men …" with a judgement, or a
    mixed cue) the answer is mixed instead.

    Example (W13-0188, none): "Eg har ingen meining om det, eg går heim før det uansett."
    Example (W10-1334, mixed): "A fee makes sense, but not if it pushes people to park illegally.
    I'm honestly not sure."
    """
    f, text, sents = r.finder, r.text, r.sents
    for s, e in sents[:3]:
        if f.declines(text, s, e):
            rest = [(a, b) for a, b in sents if (a, b) != (s, e)]
            both = next(((a, b) for a, b in rest if f.mixed.first(text, a, b) or f.contrast.first(text, a, b)
                         and (f.pos.first(text, a, b) or f.neg.first(text, a, b))), None)
            if both and len(rest) >= 1:
                return Verdict("mixed", 0.55, both, "decline-but-both")
            return Verdict("none", 0.85, (s, e), "decline")
    return None


def opener_mixed(r: Reading) -> Verdict | None:
    """An answer that opens by weighing both sides ("Ja og nei", "Delvis enig", "It depends") is mixed.

    Example (W1-0017): "Delvis enig. Tirsdag og torsdag er det dagsenter og legevakt, da bør bussen gå."
    """
    if r.finder.opener(r.text, *r.first, r.finder.mixed):
        return Verdict("mixed", 0.88, r.first, "opener-mixed")
    return None


def mixed_cue(r: Reading) -> Verdict | None:
    """A mixed cue that is not negated in the first two sentences ("begge sider", "in principle
    yes, but") makes the answer mixed even when it does not open with it.

    Example (W10-0113): "In principle yes, but NOK 30 seems high off-season."
    """
    f, text = r.finder, r.text
    for s, e in r.sents[:2]:
        m = f.mixed.first(text, s, e)
        if m and not f.negated(text, m[0]):
            return Verdict("mixed", 0.7, (s, e), "mixed-cue")
    return None


def open_question(r: Reading) -> Verdict | None:
    """An open question ("Hva savner du …?") has no yes or no: for/against refer to its premise.
    An answer that proposes something is for, one that rejects the premise ("Ingenting.",
    "Nothing.") against, a proposal on a condition mixed (:meth:`StanceFinder.open_verdict`).

    Example (W13-0562, against): "Nothing. The library is already cut to the bone."
    """
    if r.question.kind == "open":
        return r.finder.open_verdict(r.text, r.sents, r.question)
    return None


def _condition_in_head(r: Reading) -> tuple[int, int] | None:
    return next(((s, e) for s, e in r.sents[:2] if r.finder.cond.first(r.text, s, e)), None)


def opener_no(r: Reading) -> Verdict | None:
    """An answer that opens with a no ("Nei.", "Not a chance.", "Over mitt lik.") is against, or
    mixed when a later sentence of its first two sets a condition (opener-conditional).

    Example (W1-0045): "Over mitt lik. Vi har betalt bompenger for brua i femten år allerede."
    """
    f = r.finder
    if not f.opener(r.text, *r.first, f.no):
        return None
    conditional = _condition_in_head(r)
    if conditional and conditional != r.first:
        return Verdict("mixed", 0.6, conditional, "opener-conditional")
    return f.oriented(Verdict("against", 0.9, r.first, "opener-no"), r.question)


def opener_yes(r: Reading) -> Verdict | None:
    """An answer that opens with a yes ("Ja.", "yes pls") is for; mixed when its first two
    sentences set a condition ("Ja, viss …"); against when a sentence is ironic ("Yes, because
    what this town lacks is a drive-through.").

    Example (W10-0181): "Ja. Dei som brukar løypene, bør vere med og betale for prepareringa."
    Example (W10-1259, mixed): "Ja, viss turbinane blir flytta bort frå stien til Høgeheivarden."
    """
    f, text = r.finder, r.text
    if not f.opener(text, *r.first, f.yes):
        return None
    irony = next(((s, e) for s, e in r.sents if f.irony.first(text, s, e)), None)
    if irony:  # "Sure, close the park for a week. … 🙃"
        return f.oriented(Verdict("against", 0.6, r.first, "irony"), r.question)
    conditional = _condition_in_head(r)
    if conditional:
        return Verdict("mixed", 0.75, conditional, "opener-conditional")
    return f.oriented(Verdict("for", 0.9, r.first, "opener-yes"), r.question)


def conditional(r: Reading) -> Verdict | None:
    """A positive judgement, or the proposal itself, tied to a condition ("greit hvis …",
    "provided the revenue is ring-fenced", "så lenge …") is mixed.

    Example (W10-0104): "We would support a tourism tax provided the revenue is ring-fenced for
    local facilities and not swallowed by the general budget."
    """
    f, text = r.finder, r.text
    dirs = f.question_directions(r.question)
    for s, e in r.sents:
        c = f.cond.first(text, s, e)
        p = next((m for m in f.pos.find(text, s, e) if not f.negated(text, m[0])), None)
        # "kjøttfrie dager bare innføres hvis …": the proposal itself, on a condition
        if c and (p or f.direction(text, s, c[0], dirs) > 0 or f.strong_condition(text, s, c)):
            return Verdict("mixed", 0.75, (s, e), "conditional")
    return None


def polarity(r: Reading) -> Verdict | None:
    """Judgement words, negation, the sentences' direction toward the proposal, imperatives,
    warnings and alternatives, summed over the sentences (:meth:`StanceFinder.polarity`); judgements
    on both sides that nearly cancel are mixed (polarity-both); nothing that counts is none (no-cue).

    Example (W10-0003, for): "Eg skjønar at det er sårt for bygda, men med sju elevar i tre
    klassetrinn får ikkje borna eit fagleg miljø. Eg støttar flyttinga."
    """
    return r.finder.polarity(r.text, r.sents, r.question)


STANCE_RULES: tuple[StanceRule, ...] = (
    StanceRule("decline", ("decline", "decline-but-both"), decline),
    StanceRule("opener-mixed", ("opener-mixed",), opener_mixed),
    StanceRule("mixed-cue", ("mixed-cue",), mixed_cue),
    StanceRule("open-question", ("open-rejects", "open-conditional", "open-proposal", "no-cue"), open_question),
    StanceRule("opener-no", ("opener-no", "opener-conditional"), opener_no),
    StanceRule("opener-yes", ("opener-yes", "opener-conditional", "irony"), opener_yes),
    StanceRule("conditional", ("conditional",), conditional),
    StanceRule("polarity", ("polarity", "polarity-both", "no-cue"), polarity),
)
