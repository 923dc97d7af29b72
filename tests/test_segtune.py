"""training/segtune.py: the threads it generates to choose the segmenter's thresholds have exact gold."""

import random
from pathlib import Path

from scriptload import load_script

ROOT = Path(__file__).resolve().parents[1]


def _segtune():
    return load_script("training/segtune.py")


def test_generated_threads_have_exact_gold_and_answer_nothing_where_they_say():
    st = _segtune()
    topics = st.corpus_topics(ROOT / "training" / "corpus")
    chatter = st.chatter_pools(ROOT / "training" / "chatter")
    assert len(topics) >= 100 and {"nb", "nn", "en"} <= set(chatter)
    talk = {t for texts in chatter.values() for t in texts}
    for topic in random.Random(1).sample(topics, 12):
        lang, qs, answers = topic
        a = st.generate(topic, random.Random(7), 40, chatter)
        b = st.generate(topic, random.Random(7), 40, chatter)
        assert [c.text for c in a[2]] == [c.text for c in b[2]] and a[3] == b[3]  # deterministic
        _, questions, comments, gold = a
        asked = {q.text for q in questions}
        assert len(questions) == (len(qs) - 1 if len(qs) >= 4 else len(qs))  # one question left unasked
        by_text = {q["text"]: answers[q["qid"]] for q in qs}
        for i, c in enumerate(comments):
            mine = {qi for ci, qi in gold if ci == i}
            for qi in mine:  # each gold answer is one of that question's corpus answers, verbatim
                assert any(t in c.text for t in by_text[questions[qi].text])
            if not mine:  # answers nothing that was asked: chatter or an answer to the unasked question
                unasked = [q for q in qs if q["text"] not in asked]
                assert c.text in talk or any(t in c.text for q in unasked for t in answers[q["qid"]])
