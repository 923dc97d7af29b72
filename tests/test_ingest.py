import json

import pytest

from innspill.errors import InnspillError
from innspill.ingest import read_input
from innspill.ingest.questions import classify

CHROME = ("Comments are closed", "Thomas Moen", "More about me", "Bli med 10 000", "thoughts on")


def test_seed_questions_and_comments(seed_path):
    t = read_input(str(seed_path))
    assert [q.number for q in t.questions] == [1, 2, 3, 4]
    assert [q.kind for q in t.questions] == ["yesno", "yesno", "open", "yesno"]
    assert t.questions[2].text.startswith("Hvilke retningslinjer")
    assert len(t.comments) == 22
    assert [c.position for c in t.comments] == list(range(1, 23))
    for c in t.comments:
        assert not any(ch in c.original for ch in CHROME), c.id
    assert t.comments[2].original.startswith("1. Det er greit hvis")
    assert t.comments[21].original.rstrip().endswith("holde et kurs for folk.")
    assert t.source["ignored_lines"] == 5
    assert any(w["code"] == "W101" for w in t.warnings)


@pytest.mark.parametrize("text,kind", [
    ("Er det greit at ansatte oppretter grupper på facebook?", "yesno"),
    ("Hvilke retningslinjer bør gjelde?", "open"),
    ("Og hva med oss selv – kan vi ytre oss fritt?", "yesno"),
    ("Kva meiner du om skulemat?", "open"),
    ("Bør kommunen innføre gratis skulemat?", "yesno"),
    ("Should employees be allowed to post photos from work?", "yesno"),
    ("What rules should apply to staff on social media?", "open"),
    ("How should we handle complaints?", "open"),
])
def test_question_kind(text, kind):
    assert classify(text) == kind


def test_jsonl_with_questions_file(tmp_path):
    q = tmp_path / "q.txt"
    q.write_text("1. Should the library open on Sundays?\n# a comment line\n2. What should it offer?\n")
    f = tmp_path / "c.jsonl"
    rows = [{"id": "a1", "author": "Kim", "text": "1. Yes. 2. Books.", "parent_id": None, "posted_at": "2024-01-01"},
            {"id": "a2", "author": None, "text": "No, never on Sundays.", "parent_id": "a1"},
            {"id": "a3", "text": "   "}]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    t = read_input(str(f), questions_file=str(q))
    assert t.source["format"] == "jsonl"
    assert [(qq.number, qq.kind) for qq in t.questions] == [(1, "yesno"), (2, "open")]
    assert [c.source_id for c in t.comments] == ["a1", "a2", "a3"]
    assert t.comments[1].parent_id == "c1"
    assert t.comments[2].status == "empty"


def test_jsonl_questions_as_records(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"question": "Is remote work good for teams?", "number": 1}\n{"text": "Yes."}\n')
    t = read_input(str(f))
    assert len(t.questions) == 1 and t.questions[0].kind == "yesno"
    assert len(t.comments) == 1


def test_jsonl_malformed_line_gives_line_number(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"text": "ok"}\n{"text": broken\n')
    with pytest.raises(InnspillError) as e:
        read_input(str(f), questions_file=None)
    assert e.value.code == "E107" and e.value.line == 2


def test_thread_without_counter_line(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("Two questions for you:\n\n  1. Should we ban phones in class?\n  2. What about breaks?\n\n"
                 "  1. Yes, ban them.\n\n  2. No. Breaks are free time.\n\nLeave a Reply\n")
    t = read_input(str(f))
    assert len(t.questions) == 2
    assert [c.original for c in t.comments] == ["Yes, ban them.", "No. Breaks are free time."]


def test_author_and_date_lines(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("Er det greit å jobbe hjemme?\n\n2 kommentarer\n\n  1. Kari Nordmann sier:\n    12. mars 2024 kl. 10:15\n"
                 "    Ja, helt greit.\n\n  2. Ola sier:\n    Nei.\n\nKommentarfeltet er stengt.\n")
    t = read_input(str(f))
    assert [(c.author, c.posted_at, c.original) for c in t.comments] == [
        ("Kari Nordmann", "12. mars 2024 kl. 10:15", "Ja, helt greit."), ("Ola", None, "Nei.")]


@pytest.mark.parametrize("counter", ["47 kommentarar til «Bustadpolitikk»", "Kommentarar (2)", "2 merknadar"])
def test_nynorsk_counter_lines(tmp_path, counter):
    f = tmp_path / "t.txt"
    f.write_text("Bør kommunen selje lærarbustaden?\n\n" + counter + "\n\n  1. Ja.\n\n  2. Nei.\n")
    t = read_input(str(f))
    assert [c.original for c in t.comments] == ["Ja.", "Nei."]
    assert counter not in t.post


def test_plain_text_with_more_than_99999_comments(tmp_path):
    """A national consultation pasted as text: comment 100,000 and on start comments of their own
    (they were read as a line of the comment before)."""
    lines = ["Innspill til høringen.", "", "  1. Bør vi ha nattbuss?", "", "100002 kommentarer", ""]
    for k in range(1, 100_003):
        lines += [f"  {k}. Svar nummer {k}: ja.", ""]
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    t = read_input(str(path), max_bytes=10**9)
    assert len(t.comments) == 100_002
    assert t.comments[99_999].original == "Svar nummer 100000: ja."
    assert t.comments[-1].original == "Svar nummer 100002: ja." and not t.warnings
