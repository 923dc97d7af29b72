"""Compact storage of comments and answers (issue 19's memory at 1,000,000 answers): the same
analysis, fewer bytes per comment and answer."""

import json
import pickle

from innspill.contract import Analysis, Answer, Comment, Question
from innspill.stages import share_floats, share_unchanged_texts


def test_comments_and_answers_have_no_instance_dict_and_still_pickle():
    c = Comment(id="c1", position=1, original="Ja, gjerne.")
    a = Answer(comment_id="c1", question_id="q1", text="Ja", start=0, end=2, how="numbered")
    for obj in (c, a):
        assert not hasattr(obj, "__dict__")  # __slots__: no per-object dict
        assert pickle.loads(pickle.dumps(obj)) == obj  # the Dask runner ships them
    assert c.text == c.original and c.repairs == [] and c.flags == []


def test_an_unchanged_repaired_text_shares_the_original_string():
    original = "Blåbær og tyttebær"
    c = Comment(id="c1", position=1, original=original, text="".join(list(original)))
    assert c.text is not c.original
    share_unchanged_texts([c])
    assert c.text is c.original
    changed = Comment(id="c2", position=2, original="BlÃ¥bÃ¦r", text="Blåbær")
    share_unchanged_texts([changed])
    assert changed.text == "Blåbær"


def test_shared_floats_leave_the_analysis_unchanged():
    def answers():
        out = []
        for i in range(3):
            a = Answer(comment_id=f"c{i}", question_id="q1", text="Nei", start=0, end=3, how="numbered",
                       stance="against", confidence=round(0.1 * 7, 3))
            a.provenance = {"stage": "segment", "model_probs": {"for": round(0.1 + 0.2, 3), "against": 0.7,
                                                                "mixed": -0.0, "none": float("nan")}}
            out.append(a)
        return out

    def written(items):
        analysis = Analysis(source={}, questions=[Question("q1", 1, "Bør vi?", "yesno")], comments=[], answers=items)
        return json.dumps(analysis.to_dict(), ensure_ascii=False, indent=1)

    before, after = answers(), answers()
    share_floats(after)
    assert written(before) == written(after)
    assert after[0].provenance["model_probs"]["for"] is after[2].provenance["model_probs"]["for"]
    assert after[0].confidence is after[1].confidence
    assert str(after[1].provenance["model_probs"]["mixed"]) == "-0.0"


def test_provenance_in_slots_behaves_as_the_dict_it_stands_for():
    """Random sequences of sets, deletes and reads on a Provenance and on a plain dict give the same
    keys in the same order, the same values and the same JSON (a generated battery)."""
    import random

    from innspill.contract import PROVENANCE_KEYS, Provenance

    rng = random.Random(19)
    keys = list(PROVENANCE_KEYS) + ["button", "text_stance", "privacy"]
    compacted = 0
    for _ in range(400):
        start = {k: rng.random() for k in PROVENANCE_KEYS if rng.random() < 0.7}
        plain = dict(start)
        prov = Provenance.compact(dict(start))
        compacted += isinstance(prov, Provenance)
        for _ in range(rng.randrange(12)):
            k = rng.choice(keys)
            if rng.random() < 0.25 and k in plain:
                del plain[k]
                del prov[k]
            else:
                v = rng.choice([1, "x", {"for": 0.5}, None])
                plain[k] = v
                prov[k] = v
            assert list(prov) == list(plain) and len(prov) == len(plain)
            assert prov == plain and plain == prov
            assert json.dumps({**prov}) == json.dumps(plain)
            assert pickle.loads(pickle.dumps(prov)) == plain
    assert compacted == 400  # keys in the usual order always compact
    assert not isinstance(Provenance.compact({"parts": 1, "stage": "segment"}), Provenance)  # order kept as given
    assert Provenance.compact({"stage": "segment", "button": "ja"}).__sizeof__() < {"stage": "segment"}.__sizeof__()


def test_shared_answer_values_leave_the_analysis_unchanged_and_share():
    from innspill.contract import Probs, Provenance
    from innspill.privacy import assess_comments
    from innspill.stages import share_answer_values

    texts = ["Ja. Det er lurt.", "Nei, det vil jeg ikke.", "Jeg heter Kari Nordmann, og min sønn er syk."]

    def analysis():
        comments = [Comment(id=f"c{i}", position=i, original=t, language="nb") for i, t in enumerate(texts)]
        answers = []
        for c in comments:
            a = Answer(comment_id=c.id, question_id="q1", text="".join(list(c.text)), start=0, end=len(c.text),
                       how="semantic-late".split("-")[0], stance="for", confidence=0.9, evidence="".join(c.text))
            a.provenance = {"stage": "segment", "parts": 1, "stance_rule": "no-cue", "evidence_start": 0,
                            "rule_stance": "none", "model_probs": {"for": 0.9, "against": 0.1, "mixed": 0.0,
                                                                   "none": 0.0}, "stance_by": "model"}
            answers.append(a)
        an = Analysis(source={}, questions=[Question("q1", 1, "Bør vi?", "yesno")], comments=comments,
                      answers=answers)
        assess_comments(comments, "nb")
        return an

    before, after = analysis(), analysis()
    share_answer_values(after.answers, after.comments)
    assert json.dumps(before.to_dict(), ensure_ascii=False) == json.dumps(after.to_dict(), ensure_ascii=False)
    a0, a1 = after.answers[:2]
    assert isinstance(a0.provenance, Provenance)
    assert a0.provenance["model_probs"] is a1.provenance["model_probs"]
    probs = a0.provenance["model_probs"]
    assert isinstance(probs, Probs) and probs == before.answers[0].provenance["model_probs"]
    assert list(probs) == ["for", "against", "mixed", "none"] and pickle.loads(pickle.dumps(probs)) == probs
    try:
        probs._for = 0.0
        raise AssertionError("a shared Probs must not change in place")
    except TypeError:
        pass
    assert a0.evidence is a0.text and a0.text is after.comments[0].text
    assert before.answers[0].text is not before.comments[0].text
    assert a0.how is a1.how and before.answers[0].how is not before.answers[1].how
    c0, c1, c2 = after.comments
    assert c0.privacy is c1.privacy and not c0.privacy["personal_data"]  # nothing found: one shared result
    assert c2.privacy is not c0.privacy and c2.privacy["personal_data"]


def test_cached_vectors_read_a_chunk_at_a_time_are_the_same_vectors(tmp_path, monkeypatch):
    """The disk cache is read a few thousand vectors at a time (memory of a warm re-run): with chunks
    of 7 keys, the townhall example's comments (some twice) come back bit for bit as embedded, all
    from disk, none embedded again."""
    from pathlib import Path

    import numpy as np

    from innspill import embed
    from innspill.ingest import read_input

    root = Path(__file__).resolve().parents[1]
    texts = [c.original for c in read_input(str(root / "examples" / "townhall-en.txt")).comments]
    texts = texts + texts[:5]
    first = embed.Embedder(cache_dir=str(tmp_path))
    want = first.embed(texts)
    monkeypatch.setattr(embed, "DISK_CHUNK", 7)
    second = embed.Embedder(cache_dir=str(tmp_path))
    got = second.embed(texts)
    assert np.array_equal(got, want) and second.calls == 0 and second.disk_hits == len(set(texts)) > 14
