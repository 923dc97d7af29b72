"""Importers: WordPress WXR, saved pages, Disqus, CSV and xlsx (fixtures under tests/data/import/)."""

import json
import re
import sys

import pytest

from innspill.cli import main
from innspill.errors import InnspillError
from innspill.ingest import ReadOptions, read_input, read_threads
from innspill.pipeline import analyze_all

from conftest import DATA

IMPORT = DATA / "import"
sys.path.insert(0, str(IMPORT))
import make_xlsx  # noqa: E402


def summary(t):
    return [(c.id, c.author, c.parent_id, c.status) for c in t.comments]


@pytest.fixture(scope="module")
def xlsx_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "skolemat.xlsx"
    make_xlsx.build(path)
    return path


def test_wxr_counts_threading_statuses_and_text():
    t = read_input(str(IMPORT / "wxr-skole.xml"))
    assert t.source["format"] == "wxr" and t.source["encoding"] == "utf-8"
    assert (t.source["post_id"], t.source["post_slug"], t.source["posts_in_file"]) == ("17", "mobil-i-skoletiden", 3)
    assert [q.text for q in t.questions] == ["Bør skolen forby mobiltelefon i friminuttene?",
                                             "Hvilke unntak bør gjelde?",
                                             "Skal foreldre kunne ringe barna i skoletiden?"]
    assert summary(t) == [
        ("c1", "Kari Nordmann", None, "kept"), ("c2", "Sam Okafor", "c1", "kept"), ("c3", "Ola Berg", None, "kept"),
        ("c4", "Kari Nordmann", None, "kept"), ("c5", "Billige klokker", None, "spam"),
        ("c6", "Per Hansen", None, "trash"), ("c7", "Lise Dahl", None, "held"), ("c8", "Kari Nordmann", "c2", "kept"),
        ("c9", "Anonym", None, "empty")]
    assert t.source["pingbacks"] == 1 and t.source["comment_elements"] == 10
    c1 = t.comments[0]
    assert c1.original == ("1. Ja, helt klart. Friminuttene er for lek & prat.\n\n"
                           "2. Unntak for elever som trenger telefonen av helsegrunner.")
    assert "<em>helt klart</em>" in c1.markup and c1.source_id == "101"
    assert c1.posted_at == "2024-03-02T09:15:00Z"
    assert t.comments[7].original == "Godt poeng, Sam.\n\nMen bussen har eget telefonnummer."
    assert t.comments[8].posted_at == "2024-03-04 11:00:00"  # no GMT date: the local one


def _two_posts(tmp_path):
    src = (IMPORT / "wxr-skole.xml").read_text(encoding="utf-8")
    second = """<item><title>Skolevei</title><content:encoded><![CDATA[<p>Er skoleveien trygg nok?</p>]]></content:encoded>
<wp:post_id>30</wp:post_id><wp:post_name><![CDATA[skolevei]]></wp:post_name><wp:post_type>post</wp:post_type>
<wp:comment><wp:comment_id>301</wp:comment_id><wp:comment_author>Vera</wp:comment_author>
<wp:comment_content>Nei, det mangler fortau.</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent></wp:comment></item>\n</channel>"""
    path = tmp_path / "two.xml"
    path.write_text(src.replace("</channel>", second), encoding="utf-8")
    return path


def test_wxr_several_posts_one_thread_each_or_chosen(tmp_path, capsys):
    path = _two_posts(tmp_path)
    threads = read_threads(str(path))
    assert [(t.source["post_slug"], len(t.comments)) for t in threads] == [("mobil-i-skoletiden", 9), ("skolevei", 1)]
    with pytest.raises(InnspillError) as e:
        read_input(str(path))
    assert e.value.code == "E112" and "skolevei" in e.value.message
    for choice in ("30", "skolevei"):
        t = read_input(str(path), opts=ReadOptions(post=choice))
        assert [c.original for c in t.comments] == ["Nei, det mangler fortau."]
    with pytest.raises(InnspillError) as e:
        read_input(str(path), opts=ReadOptions(post="nope"))
    assert e.value.code == "E112" and "skolevei" in e.value.hint
    out = tmp_path / "out" / "a.json"
    assert main(["analyze", str(path), "-o", str(out), "--no-embeddings", "--quiet"]) == 0
    names = sorted(p.name for p in out.parent.iterdir())
    assert names == ["a.mobil-i-skoletiden.json", "a.skolevei.json"]


def test_classic_theme_page():
    t = read_input(str(IMPORT / "page-classic.html"))
    assert t.source["format"] == "html" and t.source["html_layout"] == "wordpress-classic"
    assert [q.text for q in t.questions] == ["Bør barneskolen avskaffe lekser?", "Hvor mye tid bør lekser ta per dag?"]
    assert summary(t) == [("c1", "Ingrid Solberg", None, "kept"), ("c2", "Tom Walker", "c1", "kept"),
                          ("c3", "Nils Aas", None, "kept"), ("c4", "Nils Aas", None, "held")]
    assert t.comments[0].original == "1. Ja. Barna trenger fritid etter en lang skoledag.\n\n2. Maks et kvarter."
    assert t.comments[0].posted_at == "2024-04-02T08:12:00+02:00" and t.comments[0].source_id == "201"
    assert "godkjenning" not in t.comments[3].original  # the moderation note is not comment text
    assert t.source["pingbacks"] == 1 and not t.warnings  # "5 tanker" = 4 comments + 1 pingback
    assert "Svar" not in " ".join(c.original for c in t.comments)


def test_block_theme_page():
    t = read_input(str(IMPORT / "page-block.html"))
    assert t.source["html_layout"] == "wordpress-block"
    assert [q.kind for q in t.questions] == ["yesno", "open"]
    assert summary(t) == [("c1", "Priya Shah", None, "kept"), ("c2", "George Miller", "c1", "kept"),
                          ("c3", "Priya Shah", "c2", "kept"), ("c4", "Åse Lunde", None, "kept")]
    assert t.comments[0].original == ("Yes! Sunday is the only day our family can go together.\n\n"
                                      "And please more manga for teenagers.")
    assert "Reply" not in t.comments[0].original and "About" not in t.post


def test_generic_page():
    t = read_input(str(IMPORT / "page-generic.html"))
    assert t.source["html_layout"] == "generic"
    assert len(t.questions) == 2 and t.questions[0].text.startswith("Bør det bli forbudt")
    assert summary(t) == [("c1", "Mona K.", None, "kept"), ("c2", "Jonas", None, "kept"),
                          ("c3", "Mona K.", "c2", "kept"), ("c4", "Eirik", None, "kept")]
    assert t.comments[1].original == "Nei. Noen av oss må rekke jobb, og bussen går ikke hit."


def test_disqus_export():
    t = read_input(str(IMPORT / "disqus-bibliotek.xml"))
    assert t.source["format"] == "disqus" and t.source["post_id"] == "5001"
    assert [q.text for q in t.questions] == ["Bør biblioteket holde åpent på søndager?",
                                             "Hva bør biblioteket tilby ungdom?"]
    assert summary(t) == [("c1", "Astrid Holm", None, "kept"), ("c2", "Mark Jensen", "c1", "kept"),
                          ("c3", "Crypto King", None, "spam"), ("c4", "Slettet bruker", None, "trash"),
                          ("c5", "Jonas Vik", "c2", "kept"), ("c6", "Astrid Holm", None, "kept")]
    assert t.comments[1].original == "No. The staff need their weekend & the budget is tight."
    assert t.comments[4].original == "Leksehjelp og spillkvelder for ungdom.\n\nOg lengre åpningstid på hverdager."


def test_cp1252_csv_is_detected_and_recorded():
    t = read_input(str(IMPORT / "innspill-cp1252.csv"), questions_file=str(IMPORT / "innspill-questions.txt"))
    assert (t.source["encoding"], t.source["encoding_detected_by"]) == ("cp1252", "charset-normalizer")
    assert (t.source["table_shape"], t.source["text_column"], t.source["author_column"]) == \
        ("row per comment", "Innspill", "Navn")
    assert summary(t) == [("c1", "Bjørn Ødegård", None, "kept"), ("c2", "Marit Æsøy", None, "kept"),
                          ("c3", "Hans", None, "kept"), ("c4", "Hans", None, "kept"),
                          ("c5", "Lån raskt", None, "spam"), ("c6", "Sofie", None, "empty"),
                          ("c7", "Eva Strand", None, "kept")]
    assert t.comments[1].original == "Nei. Strømmen koster for mye, og lyset forstyrrer fuglene.\nSlukk mellom kl. 01 og 05."
    assert [c.line for c in t.comments] == [2, 3, 5, 6, 7, 8, 9]  # a quoted cell spans two lines
    assert t.comments[2].original.endswith("Øvre vei – det er mørkt der om vinteren.")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "latin-1"])
def test_csv_in_other_encodings(tmp_path, encoding):
    text = "navn,kommentar\nÅse,Blåbær og ørret – nei takk\nOla,Søndag passer fint for oss\n"
    if encoding == "latin-1":
        text = text.replace("–", "-")
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode(encoding))
    t = read_threads(str(path), require_questions=False)[0]
    assert [c.original for c in t.comments][0].startswith("Blåbær og ørret")
    assert [c.author for c in t.comments] == ["Åse", "Ola"]


def test_xlsx_column_per_question(xlsx_path):
    t = read_input(str(xlsx_path))
    assert t.source["format"] == "xlsx" and t.source["table_shape"] == "column per question"
    assert [(q.number, q.text, q.kind) for q in t.questions] == [
        (1, "Bør kommunen innføre gratis skolemat?", "yesno"), (2, "Hva bør en skolelunsj inneholde?", "open"),
        (3, "Should parents pay part of the cost?", "yesno")]
    assert [(c.author, c.status) for c in t.comments] == [("Anne Lie", "kept"), ("Rune", "kept"),
                                                          ("Fatima Noor", "kept"), (None, "empty"),
                                                          ("Rune", "kept"), ("Jens", "kept")]
    c = t.comments[1]
    assert {q: c.original[s:e] for q, (s, e) in c.fields.items()} == {
        "q1": "Nei, det er foreldrenes ansvar.", "q3": "Yes, a small amount."}
    assert t.comments[0].posted_at == "2025-01-10T09:30:00" and t.comments[0].line == 2


def _without_sheet_link(xlsx_path, out, sheet):
    import zipfile
    with zipfile.ZipFile(xlsx_path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body, n = re.subn(rb'(<sheet [^>]*name="%s"[^>]*?) r:id="rId\d+"' % sheet.encode(), rb"\1", body)
                assert n == 1
            dst.writestr(info, body)
    return str(out)


def test_xlsx_sheet_the_reader_drops_is_a_warning_not_stderr(xlsx_path, tmp_path, recwarn):
    # a sheet entry without its link: openpyxl drops that sheet with a Python warning on stderr;
    # the import names it as W106 in the result, or in the hint of the error it leads to
    bad = _without_sheet_link(xlsx_path, tmp_path / "no-notes.xlsx", "Notater")
    t = read_input(bad)
    assert [w["code"] for w in t.warnings] == ["W106"]
    assert "skipped a damaged part" in t.warnings[0]["message"] and t.warnings[0]["place"] == bad
    assert len(t.comments) == 6 and t.notes["sheet"] == "Svar"
    assert not [w for w in recwarn if "openpyxl" in w.filename]
    assert read_input(str(xlsx_path)).warnings == []
    # the answer sheet itself lost: the notes sheet cannot be mapped, and the error says why
    with pytest.raises(InnspillError) as exc:
        read_input(_without_sheet_link(xlsx_path, tmp_path / "no-answers.xlsx", "Svar"))
    assert exc.value.code == "E111" and "skipped a damaged part" in exc.value.hint


def test_xlsx_analysis_answers_come_from_the_cells(xlsx_path, tmp_path):
    (a,) = analyze_all(str(xlsx_path), ReadOptions(), use_embeddings=False)
    by = {(x.comment_id, x.question_id): x for x in a.answers}
    assert {x.how for x in a.answers} == {"field"}
    assert by[("c1", "q2")].text == "Brød, pålegg og frukt."
    assert ("c5", "q1") not in by  # c5 is a double post of c2
    assert a.comments[4].status == "duplicate" and a.comments[4].duplicate_of == "c2"
    comments = {c.id: c for c in a.comments}
    for x in a.answers:
        assert comments[x.comment_id].text[x.start:x.end] == x.text
        assert x.evidence in comments[x.comment_id].text
    assert by[("c2", "q1")].stance == "against"
    st = a.stats()
    assert st["reconciled"] and st["comments_read"] == 6 and st["by_status"]["empty"] == 1


def test_column_options_and_guessing_errors(tmp_path, xlsx_path):
    t = read_input(str(xlsx_path), opts=ReadOptions(question_cols=["C", "5"], author_col="Navn"))
    assert [q.number for q in t.questions] == [1, 3]
    t = read_threads(str(xlsx_path), ReadOptions(text_col="4"), require_questions=False)[0]
    assert t.source["table_shape"] == "row per comment" and t.comments[0].original == "Brød, pålegg og frukt."
    with pytest.raises(InnspillError) as e:
        read_input(str(xlsx_path), opts=ReadOptions(text_col="Kommentarfelt"))
    assert e.value.code == "E111" and "Navn" in e.value.hint
    path = tmp_path / "k.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n", encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_threads(str(path), require_questions=False)
    assert e.value.code == "E111" and "--text-col" in e.value.hint


def test_inspect_shows_what_would_be_read(capsys):
    assert main(["inspect", str(IMPORT / "wxr-skole.xml")]) == 0
    out = capsys.readouterr().out
    assert "wxr" in out and "q2 [open] Hvilke unntak bør gjelde?" in out
    assert "comments 9 (kept 5, spam 1, trash 1, held 1, empty 1), replies 2" in out
    assert main(["inspect", str(IMPORT / "innspill-cp1252.csv"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["file"]["encoding"] == "cp1252" and report["threads"][0]["comments"] == 7
    assert report["threads"][0]["first_comments"][0]["author"] == "Bjørn Ødegård"
    assert any(w["code"] == "W201" for w in report["threads"][0]["warnings"])


@pytest.mark.parametrize("name", ["wxr-skole.xml", "disqus-bibliotek.xml", "page-classic.html", "page-block.html"])
def test_counts_reconcile_with_the_file(name, tmp_path):
    """Counted independently of the reader: every comment element is a comment or a linkback."""
    raw = (IMPORT / name).read_text(encoding="utf-8")
    expected = {"wxr-skole.xml": len(re.findall(r"<wp:comment>", raw)),
                "disqus-bibliotek.xml": len(re.findall(r"<post dsq:id=", raw)),
                "page-classic.html": len(re.findall(r'<li id="comment-\d+"', raw)),
                "page-block.html": len(re.findall(r'<li id="comment-\d+"', raw))}[name]
    (a,) = analyze_all(str(IMPORT / name), ReadOptions(), use_embeddings=False)
    st = a.stats()
    assert st["comments_read"] + st["linkbacks"] == expected == a.source["comment_elements"]
    assert sum(st["by_status"].values()) == st["comments_read"] and st["reconciled"]
    analysed = {c.id for c in a.comments if c.status == "kept"}
    assert {x.comment_id for x in a.answers} <= analysed
    ids = {c.id for c in a.comments}
    assert all(c.parent_id in ids for c in a.comments if c.parent_id)


def test_wxr_through_the_pipeline_keeps_every_status(tmp_path, capsys):
    out = tmp_path / "a.json"
    assert main(["analyze", str(IMPORT / "wxr-skole.xml"), "-o", str(out), "--no-embeddings"]) == 0
    stdout = capsys.readouterr().out
    assert "pingbacks/trackbacks 1" in stdout and "spam 1, trash 1, held 1, empty 1" in stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    st = data["stats"]
    assert st["by_status"] == {"kept": 4, "duplicate": 1, "spam": 1, "trash": 1, "held": 1, "empty": 0 + 1,
                               "rejected": 0}
    assert data["comments"][3]["duplicate_of"] == "c1"
    assert "Så" not in data["comments"][2]["original"] and "må lære å bruke" in data["comments"][2]["text"]
    assert {a["comment_id"] for a in data["answers"]} <= {"c1", "c2", "c3", "c8"}
    assert data["comments"][0]["markup"].startswith("1. Ja, <em>")


def test_post_option_needs_an_export(capsys):
    rc = main(["inspect", str(IMPORT / "innspill-cp1252.csv"), "--post", "3"])
    assert rc == 2 and "E301" in capsys.readouterr().err
