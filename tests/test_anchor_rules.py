"""Segmentation's rules as a registry (innspill.segment_anchors.ANCHOR_RULES) and their cases.

tests/data/anchor_cases.json holds comments of the labelled threads (the examples and
evaluation/threads, gold written by hand) where a rule anchors a question, drawn by
tests/tools/anchor_cases.py: ``pass`` when the gold says the comment answers that question,
``known-fail`` when it does not. Each case must still be anchored by the same rule at the same place.
"""

import inspect
import json

import pytest

from innspill.contract import Question
from innspill.segment_anchors import ANCHOR_RULES, AnchorRules

from conftest import DATA

CASES = json.loads((DATA / "anchor_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}-{i}" for i, c in enumerate(CASES)])
def test_anchor_rule_cases(case):
    questions = [Question(f"q{n}", n, text, kind) for n, text, kind in case["questions"]]
    anchors = AnchorRules(questions, case["language"]).anchors(case["text"])
    mine = [a for a in anchors if a.rule == case["rule"] and questions[a.question].number == case["question"]]
    assert mine, f"{case['rule']} no longer anchors question {case['question']}: rewrite the cases if meant"
    assert (mine[0].start, mine[0].head) == (case["start"], case["head"])


def test_most_cases_anchor_a_question_the_comment_answers():
    # the gold decides pass / known-fail; the rules were written on these threads, so nearly all pass
    passed = sum(c["status"] == "pass" for c in CASES)
    assert len(CASES) >= 100 and passed / len(CASES) >= 0.9


def test_the_registry_names_are_unique_and_each_rule_says_why():
    names = [r.name for r in ANCHOR_RULES]
    assert len(names) == len(set(names))
    for rule in ANCHOR_RULES:
        assert rule.why and inspect.getdoc(rule.find), rule.name
    assert {c["rule"] for c in CASES} <= set(names) | {"explicit-label"}
    # the fall-backs run only while nothing else is anchored
    assert [r.name for r in ANCHOR_RULES if r.when_none] == ["inline-numbers", "short-answers-in-a-row"]


def test_the_fallbacks_read_short_answers_alone_but_not_beside_explicit_labels():
    # "Nei, ja, ja." alone is read as short answers to the questions in order; beside explicit
    # labels (fallback=False) the fall-backs do not run
    qs = [Question("q1", 1, "Bør kantina servere varm mat hver dag?", "yesno"),
          Question("q2", 2, "Skal vi ha fast vegetardag?", "yesno"),
          Question("q3", 3, "Bør kaffen være gratis?", "yesno")]
    rules = AnchorRules(qs, "nb")
    alone = rules.anchors("Nei, ja, ja.")
    assert [a.rule for a in alone] == ["short-answers-in-a-row"] * 3
    assert [a.question for a in alone] == [0, 1, 2]
    assert rules._rule_anchors("Nei, ja, ja.", fallback=False) == []
