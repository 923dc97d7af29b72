import json

import pytest

from innspill.repair import repair_text

from conftest import DATA

CASES = json.loads((DATA / "repair_cases.json").read_text(encoding="utf-8"))


def replay(original, repairs):
    """Apply recorded repairs to the original: must give the repaired text."""
    out, pos = [], 0
    for r in sorted(repairs, key=lambda r: r.offset):
        out.append(original[pos:r.offset])
        out.append(r.after)
        pos = r.offset + len(r.before)
    out.append(original[pos:])
    return "".join(out)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_repair_cases(case):
    text, repairs = repair_text(case["input"])
    assert text == case["expected"]
    assert sorted({r.rule for r in repairs}) == sorted(set(case["rules"]))
    for r in repairs:
        assert case["input"][r.offset:r.offset + len(r.before)] == r.before
    assert replay(case["input"], repairs) == text


def test_seed_is_fully_repaired_and_every_change_recorded(seed_analysis):
    comments = seed_analysis["comments"]
    assert sum(len(c["repairs"]) for c in comments) > 50
    for c in comments:
        for bad in ("Ã", "â?", "\ufffd"):
            assert bad not in c["text"], (c["id"], bad)
        # original is untouched and the repairs replay to the text
        out, pos = [], 0
        for r in sorted(c["repairs"], key=lambda r: r["offset"]):
            assert c["original"][r["offset"]:r["offset"] + len(r["before"])] == r["before"]
            out.append(c["original"][pos:r["offset"]])
            out.append(r["after"])
            pos = r["offset"] + len(r["before"])
        out.append(c["original"][pos:])
        assert "".join(out) == c["text"]
    c5 = next(c for c in comments if c["id"] == "c5")
    assert "Og hva med oss selv – kan kommunikasjonsrådgivere" in c5["text"]
    assert "â??" in c5["original"]


def test_copies_are_repaired_once_and_share_their_text():
    """A form letter read 500 times holds one copy of its text (memory grows with the distinct
    comments, not the file), each copy with its own list of the same repairs."""
    from innspill.contract import Comment
    from innspill.repair import repair_comments

    letter = "Vi Ã¸nsker at kantina holder Ã¥pent lenger. Det er viktig for oss alle."
    other = "Jeg er uenig: kantina bør stenge klokka 14."
    comments = [Comment(id=f"c{i}", position=i, original="".join(letter)) for i in range(500)]
    comments.append(Comment(id="c500", position=500, original=other))
    assert len({id(c.original) for c in comments}) == 501  # read as separate strings
    repair_comments(comments)
    first = comments[0]
    assert first.text.startswith("Vi ønsker at kantina holder åpent") and len(first.repairs) == 2
    assert replay(first.original, first.repairs) == first.text
    assert {id(c.original) for c in comments[:500]} == {id(first.original)}
    assert {id(c.text) for c in comments[:500]} == {id(first.text)}
    assert all(c.repairs == first.repairs and c.repairs is not first.repairs for c in comments[1:500])
    assert comments[500].text == other and comments[500].repairs == []
