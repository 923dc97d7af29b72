"""The stance rules' registry (innspill.stance_rules) and its cases (tests/data/stance_cases.json).

The cases are corpus answers (independent writers' text and labels, drawn by
tests/tools/stance_cases.py), one group per verdict and language: a ``pass`` case must still get
the writer's label from its rule, a ``known-fail`` case is a documented miss that must still be
read by the same rule (when a change fixes it, the test says so: mark it ``pass``).
"""

import inspect
import json

import pytest

from innspill.contract import Question
from innspill.stance import StanceFinder
from innspill.stance_rules import STANCE_RULES

from conftest import DATA

CASES = json.loads((DATA / "stance_cases.json").read_text(encoding="utf-8"))
FINDERS = {lang: StanceFinder(lang) for lang in ("nb", "nn", "en")}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}-{c['lang']}-{c['id']}" for c in CASES])
def test_stance_rule_cases(case):
    q = Question(id="q1", number=1, text=case["question"], kind=case["kind"])
    v = FINDERS[case["lang"]].judge(case["text"], 0, len(case["text"]), q)
    assert v.rule == case["rule"], f"now read by {v.rule}: rewrite the cases (tests/tools/stance_cases.py)"
    if case["status"] == "pass":
        assert v.stance == case["gold"]
    else:
        assert v.stance != case["gold"], "a known failure now reads right: mark it 'pass'"
    # the evidence is a verbatim sentence of the answer
    assert 0 <= v.span[0] < v.span[1] <= len(case["text"])


def test_every_rule_has_cases_that_pass_and_a_rationale_with_a_corpus_example():
    by_rule = {}
    for c in CASES:
        by_rule.setdefault(c["rule"], []).append(c)
    for rule in STANCE_RULES:
        doc = inspect.getdoc(rule.read) or ""
        assert rule.why and "Example (W" in doc, rule.name
        assert any(by_rule.get(name) for name in rule.gives), rule.name
        assert any(c["status"] == "pass" for name in rule.gives for c in by_rule.get(name, [])), rule.name


def test_the_registry_names_are_unique_and_cover_every_verdict_seen():
    names = [r.name for r in STANCE_RULES]
    assert len(names) == len(set(names))
    gives = {g for r in STANCE_RULES for g in r.gives}
    assert {c["rule"] for c in CASES} <= gives


def test_a_rule_that_does_not_apply_passes_the_answer_on():
    # the first sentence of corpus answer W1-0012 (opener-yes): "opener-no" and "open-question" pass it on
    finder = FINDERS["nb"]
    text = "Ja, det synes jeg er fornuftig."
    v = finder.judge(text, 0, len(text), Question(id="q1", number=1, text="Bør bussen gå oftere?", kind="yesno"))
    assert (v.stance, v.rule) == ("for", "opener-yes")
    rules = {r.name: r for r in STANCE_RULES}
    from innspill.stance_rules import Reading
    reading = Reading(finder, text, [(0, len(text))], Question(id="q1", number=1, text="Bør bussen gå oftere?", kind="yesno"))
    assert rules["opener-no"].read(reading) is None
    assert rules["open-question"].read(reading) is None
