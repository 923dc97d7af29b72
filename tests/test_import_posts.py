"""Posts without numbered questions (issue 18 part 5): the post itself is the one question."""

import json
import re

import pytest

from innspill.cli import main
from innspill.errors import WARNINGS, InnspillError
from innspill.ingest import ReadOptions, read_input, read_threads
from innspill.ingest.questions import post_as_question, read_questions_file

from conftest import DATA

IMPORT = DATA / "import"
ORDINARY = [("wxr-ordinary.xml", "42", r"<wp:comment>", "Kommunen bør selje lærarbustaden",
             "Lærarbustaden har stått tom i fire år."),
            ("disqus-ordinary.xml", "8001", r"<post dsq:id=", "The council should try a four-day week",
             "Other councils have tried it for a year.")]


@pytest.mark.parametrize("name,post,element,title,lead", ORDINARY)
def test_ordinary_post_is_its_own_open_question(name, post, element, title, lead):
    (t,) = read_threads(str(IMPORT / name), ReadOptions(post=post))
    (q,) = t.questions
    assert (q.id, q.number, q.text, q.kind) == ("q1", 1, title, "open")
    assert q.context.startswith(lead)
    assert [w["code"] for w in t.warnings] == ["W203"] and "W203" in WARNINGS
    assert title in t.warnings[0]["message"] and post in t.warnings[0]["place"]


@pytest.mark.parametrize("name,post,element,title,lead", ORDINARY)
def test_ordinary_post_analyses_without_questions_and_reconciles(name, post, element, title, lead, tmp_path, capsys):
    out = tmp_path / "a.json"
    assert main(["analyze", str(IMPORT / name), "--post", post, "-o", str(out), "--no-embeddings"]) == 0
    assert "W203" in capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    st = data["stats"]
    raw = (IMPORT / name).read_text(encoding="utf-8")
    assert st["comments_read"] + st["linkbacks"] == len(re.findall(element, raw)) == data["source"]["comment_elements"]
    assert st["reconciled"] and sum(st["by_status"].values()) == st["comments_read"]
    assert data["questions"] == [{"id": "q1", "number": 1, "text": title, "kind": "open",
                                  "context": data["questions"][0]["context"]}]
    distinct = [c for c in data["comments"] if c["status"] == "kept" and c["duplicate_of"] is None]
    # every distinct comment replies to the post: its whole text answers the one question
    assert [(a["comment_id"], a["how"], a["text"]) for a in data["answers"]] == [
        (c["id"], "post", c["text"].strip()) for c in distinct]
    # the two people who both wrote only "Nei." / "No." are two answers, not a copy
    assert st["duplicates"] == 0
    stances = {a["text"]: a["stance"] for a in data["answers"]}
    short_no = "Nei." if "Nei." in stances else "No."
    assert stances[short_no] == "against"
    assert sum(a["stance"] == "against" for a in data["answers"]) == 3
    first = data["answers"][0]
    assert first["stance"] == "for"  # "Heilt einig. Sel han no …" / "Yes, about time."


def test_questions_file_wins_over_the_post(tmp_path):
    qf = tmp_path / "q.txt"
    qf.write_text("Bør kommunen selje lærarbustaden?\n", encoding="utf-8")
    (t,) = read_threads(str(IMPORT / "wxr-ordinary.xml"), ReadOptions(post="42"), str(qf))
    assert [q.kind for q in t.questions] == ["yesno"] and t.questions[0].context is None
    assert not [w for w in t.warnings if w["code"] == "W203"]


def test_post_with_numbered_questions_is_unchanged():
    t = read_input(str(IMPORT / "wxr-skole.xml"))
    assert len(t.questions) == 3 and all(q.context is None for q in t.questions)
    assert not [w for w in t.warnings if w["code"] == "W203"]


def test_post_as_question_without_title_takes_the_first_sentence():
    q = post_as_question("Vi bør ha nattbuss til bygda. Siste buss går no 22.10.\n\nMeir om saka.", None)
    assert (q.text, q.kind, q.context) == ("Vi bør ha nattbuss til bygda.", "open", "Siste buss går no 22.10.")
    assert post_as_question("  \n ", None) is None
    assert post_as_question("Tittel", "Tittel").context == ""


def test_inspect_names_the_post_question(capsys):
    assert main(["inspect", str(IMPORT / "disqus-ordinary.xml"), "--post", "8001"]) == 0
    out = capsys.readouterr().out
    assert "[open] The council should try a four-day week" in out and "W203" in out


@pytest.mark.parametrize("line", ["KORRUPT", "Korruption?", "3. Bompenger"])
def test_one_word_question_line_is_accepted(line, tmp_path):
    qf = tmp_path / "q.txt"
    qf.write_text(f"{line}\nBør kommunen ha eiendomsskatt?\n", encoding="utf-8")
    qs = read_questions_file(str(qf), 10**6)
    assert len(qs) == 2 and qs[0].text == line.split(". ")[-1] and qs[0].kind == "open"


def test_question_line_without_a_word_is_still_refused(tmp_path):
    qf = tmp_path / "q.txt"
    qf.write_text("Bør kommunen ha eiendomsskatt?\n???\n", encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_questions_file(str(qf), 10**6)
    assert e.value.code == "E201" and e.value.line == 2
