from innspill.dedupe import link_duplicates
from innspill.model import Comment


def _comments(texts):
    return [Comment(id=f"c{i}", position=i, original=t) for i, t in enumerate(texts, start=1)]


def test_seed_duplicates_linked_to_first_copy(seed_analysis):
    comments = seed_analysis["comments"]
    assert seed_analysis["stats"]["comments_read"] == 22
    assert seed_analysis["stats"]["distinct"] == 11
    assert seed_analysis["stats"]["duplicates"] == 11
    for c in comments:
        if c["position"] % 2 == 0:
            assert c["duplicate_of"] == f"c{c['position'] - 1}"
            assert c["status"] == "duplicate"
        else:
            assert c["duplicate_of"] is None and c["status"] == "kept"
    st = seed_analysis["stats"]
    assert st["comments_read"] == sum(st["by_status"].values())


def test_truncated_copy_and_form_letter():
    base = ("Jeg mener kommunen bør beholde biblioteket i sentrum, fordi det er et viktig møtested "
            "for barn, eldre og alle som trenger et sted å være uten å betale.")
    letter = ("Til kommunestyret. Vi som bor på Nordsida krever at bussruta beholdes slik den er i dag, "
              "fordi mange eldre og skolebarn er helt avhengige av den for å komme seg til byen. Hilsen Kari")
    texts = [base, "Helt uenig, legg det ned.", base[:97], letter, letter.replace("Hilsen Kari", "Hilsen Per Olav"),
             "Bussen er viktig for meg også."]
    cs = _comments(texts)
    counts = link_duplicates(cs)
    assert cs[2].duplicate_of == "c1" and cs[2].duplicate_how == "prefix" and "truncated" in cs[2].flags
    assert cs[4].duplicate_of == "c4" and cs[4].duplicate_how == "near"
    assert [c.duplicate_of for c in (cs[0], cs[1], cs[3], cs[5])] == [None, None, None, None]
    assert counts == {"exact": 0, "prefix": 1, "near": 1}


def test_short_answers_are_not_duplicates_of_longer_ones():
    cs = _comments(["Nei.", "Nei. Det er helt feil av bedriften å gjøre dette, og jeg forstår ikke hvorfor."])
    link_duplicates(cs)
    assert cs[1].duplicate_of is None


def test_exact_copy_after_normalisation():
    cs = _comments(["Helt klart, ja!", "helt  klart ja"])
    link_duplicates(cs)
    assert cs[1].duplicate_of == "c1" and cs[1].duplicate_how == "exact"
