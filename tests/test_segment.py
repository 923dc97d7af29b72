from innspill.contract import Comment
from innspill.ingest.questions import make_questions
from innspill.segment import Segmenter

NB = make_questions([(1, "Er det greit at ansatte oppretter grupper på facebook i bedriftens navn?"),
                     (2, "Skal vi slå ned på ansatte som legger ut bilder fra arbeidsplassen?"),
                     (3, "Hvilke retningslinjer bør gjelde for ansatte som har profiler på sosiale medier?")])
EN = make_questions([(1, "Should the library open on Sundays?"),
                     (2, "Should the café inside the library serve hot food?"),
                     (3, "What events would you like the library to host?")])


def seg(questions, text, embedder=None, lang="nb"):
    c = Comment(id="c1", position=1, original=text)
    answers = Segmenter(questions, lang, embedder).segment([c])
    return {a.question_id: a for a in answers}, c


def test_numbered_answers():
    got, c = seg(NB, "1. Nei, det er ikke greit.\n2. Helt klart.\n3. Klare regler for alle.")
    assert {q: a.how for q, a in got.items()} == {"q1": "numbered", "q2": "numbered", "q3": "numbered"}
    assert got["q2"].text == "Helt klart."
    for a in got.values():
        assert c.text[a.start:a.end] == a.text


def test_numbered_with_quoted_question_excludes_the_question():
    text = ("2. Skal vi slå ned på ansatte som legger ut bilder fra arbeidsplassen?\n\n"
            "Helt klart. Lojalitet er viktig.")
    got, _ = seg(NB, text)
    assert list(got) == ["q2"]
    assert got["q2"].text == "Helt klart. Lojalitet er viktig."


def test_quoted_heading_without_number():
    text = "Hvilke retningslinjer bør gjelde?\nFå og enkle regler.\n\nSkal vi slå ned på ansatte?\nNei."
    got, _ = seg(NB, text)
    assert got["q3"].how == "quoted" and got["q3"].text == "Få og enkle regler."
    assert got["q2"].how == "quoted" and got["q2"].text == "Nei."


def test_references_nb_and_en():
    got, _ = seg(NB, "Det siste spørsmålet ditt har jeg ingen kommentar til.\n\nLykke til!")
    assert list(got) == ["q3"] and got["q3"].how == "reference"
    got, _ = seg(NB, "Svaret på det første spørsmålet er nei.")
    assert list(got) == ["q1"] and got["q1"].how == "reference"
    got, _ = seg(EN, "Re your last question: concerts and readings.\n\nOn question 2, no hot food please.", lang="en")
    assert got["q3"].how == "reference" and got["q2"].how == "numbered"


def test_semantic_prose_touches_several_questions(embedder):
    text = ("Jeg mener ansatte ikke skal opprette Facebook-grupper i bedriftens navn.\n\n"
            "Bilder fra julebordet bør ingen legge ut fra arbeidsplassen.")
    got, _ = seg(NB, text, embedder)
    assert got["q1"].how == "semantic" and got["q2"].how == "semantic"
    assert "q3" not in got


def test_off_topic_comment_answers_nothing(embedder):
    got, _ = seg(NB, "Takk for en fin blogg, lykke til med foredraget!", embedder)
    assert got == {}


def test_seed_answer_styles(seed_analysis):
    by = {(a["comment_id"], a["question_id"]): a for a in seed_analysis["answers"]}
    assert by[("c3", "q1")]["how"] == "numbered"
    assert by[("c11", "q4")]["how"] in ("numbered", "quoted")
    assert by[("c15", "q4")]["how"] == "reference"
    assert by[("c17", "q1")]["how"] == "reference"
    assert by[("c13", "q1")]["how"] == "semantic"
    comments = {c["id"]: c for c in seed_analysis["comments"]}
    for a in seed_analysis["answers"]:
        text = comments[a["comment_id"]]["text"]
        assert text[a["start"]:a["end"]] == a["text"]
        assert a["evidence"] and a["evidence"] in text
        assert comments[a["comment_id"]]["duplicate_of"] is None


def test_positional_short_answers():
    got, _ = seg(EN, "No. No. Yes. And nobody asked the people who live here.", lang="en")
    assert {q: a.how for q, a in got.items()} == {"q1": "numbered", "q2": "numbered", "q3": "numbered"}
    assert got["q1"].text == "No." and got["q2"].text == "No."
    assert got["q3"].text.startswith("Yes.")


def test_reference_lead_in_is_not_part_of_the_answer():
    got, _ = seg(NB, "Til spørsmål 2: Nei, absolutt ikke.")
    assert got["q2"].how == "numbered" and got["q2"].text == "Nei, absolutt ikke."


def _spans(got):
    return {q: (a.how, a.text) for q, a in got.items()}


def test_positional_answers_separated_by_commas_and_og():
    got, _ = seg(NB, "Nei, ja, og færre regler.")
    assert _spans(got) == {"q1": ("numbered", "Nei"), "q2": ("numbered", "ja"),
                           "q3": ("numbered", "færre regler.")}
    # a new sentence after the bare answers is not read as the next answer
    got, _ = seg(EN, "No. Yes. And nobody asked the people who live here.")
    assert set(got) == {"q1", "q2"}


def test_inline_numbers_with_short_answers():
    got, _ = seg(NB, "1 ja 2 nei. 3 vet ikke helt")
    assert _spans(got) == {"q1": ("numbered", "ja"), "q2": ("numbered", "nei."), "q3": ("numbered", "vet ikke helt")}


def test_inline_numbers_out_of_order():
    # "4 ja, 1 nei, 2 nei, 3 veit ikkje": each number once, in any order (helse-nn 41)
    got, _ = seg(NB, "3 vet ikke, 1 nei, 2 ja")
    assert _spans(got) == {"q1": ("numbered", "nei,"), "q2": ("numbered", "ja"), "q3": ("numbered", "vet ikke,")}
    # numbers in a sentence are not a list
    got, _ = seg(NB, "2 av barna mine og 1 nabo bruker facebook-gruppa hver dag, og det fungerer fint for oss")
    assert all(a.how != "numbered" for a in got.values())


def test_yes_to_topic_and_the_other_questions():
    got, _ = seg(NB, "Ja til grupper på facebook. De andre spørsmålene har jeg ikke satt meg inn i.")
    assert got["q1"].how == "reference" and got["q1"].text == "Ja til grupper på facebook."
    assert got["q2"].text == got["q3"].text == "De andre spørsmålene har jeg ikke satt meg inn i."
    # "de andre spørsmålene" is "the other questions", never "the second question" alone
    assert got["q2"].how == "reference"


def test_short_topic_heading():
    got, _ = seg(EN, "Hot food? Absolutely. The rest I don't care about.")
    assert got["q2"].how == "quoted" and got["q2"].text == "Absolutely."
    assert set(got) == {"q1", "q2", "q3"}


def test_bare_rest_inside_a_sentence_is_not_a_reference():
    got, _ = seg(NB, "1. Ja.\nFå på plass regler, så ordner resten seg.")
    assert set(got) == {"q1"}


def test_a_question_to_the_readers_is_not_an_answer():
    s = Segmenter(NB, "nb")
    text = "Hvem skal jeg klage til? Bussen var sen igjen i dag."
    assert s._asks_others(text, 0, len(text))
    text = "Hvem tror dere kom? Ingen. Det er feil å legge møtet midt på dagen."
    assert not s._asks_others(text, 0, len(text))  # takes a side


def test_several_questions_at_once_and_the_rest():
    got, _ = seg(NB, "Ja på de to første. Resten har jeg ingen formening om.")
    assert got["q1"].text == got["q2"].text == "Ja på de to første."
    assert got["q3"].how == "reference" and got["q3"].text == "Resten har jeg ingen formening om."


def test_the_rest_after_a_meaning_match_takes_the_unanswered_questions(embedder):
    got, _ = seg(EN, "The café should serve hot soup and sandwiches all day.\n\nThe rest I don't care about.",
                 embedder=embedder, lang="en")
    assert got["q2"].how == "semantic"
    assert {q for q, a in got.items() if a.text == "The rest I don't care about."} == {"q1", "q3"}


def test_batches_give_the_answers_of_one_pass(seed_path, embedder, monkeypatch):
    """The seed in batches of 7 and 4 comments (two passes, the calibration over all batches)
    gives exactly the answers of one pass over the thread; the batches report progress in
    comments and one time estimate for the step while the embedder's own bar and per-call
    estimate are silenced, and both are given back afterwards."""
    import innspill.segment as segment_module
    from innspill.pipeline import analyze

    def answers(batch, progress=None):
        monkeypatch.setattr(segment_module, "SEGMENT_BATCH", batch)
        analysis = analyze(str(seed_path), embedder=embedder)
        return [(a.comment_id, a.question_id, a.start, a.end, a.how, a.score, a.text) for a in analysis.answers]

    whole = answers(10_000)
    assert len(whole) > 30
    assert answers(7) == whole
    assert answers(4) == whole

    seen = []
    own_bar, own_estimate = embedder.progress, embedder.on_estimate
    embedder.progress = lambda done, total: seen.append(("embedder", done, total))
    embedder.on_estimate = lambda n, secs: seen.append(("estimate", n, secs))
    try:
        monkeypatch.setattr(segment_module, "SEGMENT_BATCH", 7)
        from innspill.ingest import read_input
        from innspill.repair import repair_comments
        thread = read_input(str(seed_path))
        repair_comments(thread.comments, [thread.post])
        comments = [c for c in thread.comments if c.text.strip()]
        seg = Segmenter(thread.questions, "nb", embedder)
        calls = []
        seg.segment(comments, progress=lambda *a: calls.append(a))
        assert [c[0] for c in calls] == [min(7 * k, len(comments)) for k in range(1, len(calls) + 1)]
        assert calls[-1] == (len(comments), len(comments), "segmenting", "comment")
        assert not [s for s in seen if s[0] == "embedder"]  # silenced during the batches
        # one estimate for the whole step (text parts, seconds), after the first batch
        [(_, n, secs)] = [s for s in seen if s[0] == "estimate"]
        assert n >= 0 and secs >= 0
        after = embedder.progress, embedder.on_estimate
    finally:
        embedder.progress, embedder.on_estimate = own_bar, own_estimate
    assert None not in after and after != (own_bar, own_estimate)  # the test's spies were put back


def test_a_units_raw_score_does_not_depend_on_how_many_were_scored_with_it(embedder, tmp_path):
    """The Dask runner scores partitions, the local runner slices: every unit's raw scores must be
    the same bits either way (BLAS kernels sum a row differently by block; the cosines are
    summed in a fixed order instead)."""
    import numpy as np

    from innspill.ingest import ReadOptions, read_threads
    from scriptload import load_script

    bench = load_script("benchmarks/bench.py")
    path = tmp_path / "thread.txt"
    bench.generate(120, path, seed=5)
    thread = read_threads(str(path), ReadOptions())[0]
    s = Segmenter(thread.questions, "nb", embedder)
    units = [u for _, _, us in s.plan(thread.comments) for u in us]
    assert len(units) > 100
    whole = s.raw_scores(units)
    for size in (1, 7, 64):
        parts = [s.raw_scores(units[i:i + size]) for i in range(0, len(units), size)]
        assert np.array_equal(whole[0], np.concatenate([p[0] for p in parts]))
        assert np.array_equal(whole[1], np.concatenate([p[1] for p in parts]))


def test_parenthesised_numbers_after_short_answers_are_labels():
    """"(1) ja (2) nei (3) ja": a number in brackets after a short answer opens the next label, as a
    bare number does ("1 ja 2 nei 3 ja")."""
    from innspill.contract import Question

    qs = [Question("q1", 1, "Bør kantina servere fisk?", "yesno"), Question("q2", 2, "Bør kaffen være gratis?", "yesno"),
          Question("q3", 3, "Bør det være vegetardag?", "yesno")]
    for text in ("(1) ja (2) nei (3) ja", "1 ja 2 nei 3 ja"):
        got = Segmenter(qs, "nb", None).segment([Comment(id="c1", position=1, original=text)])
        assert [(a.question_id, a.text) for a in got] == [("q1", "ja"), ("q2", "nei"), ("q3", "ja")]
