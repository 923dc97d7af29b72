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
