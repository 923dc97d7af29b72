import csv
import io
import json
import re

import pytest

from innspill.cli import main
from innspill.report import render
from innspill.report.brief_data import build_brief

NB_PH = {"name": "[navn]", "email": "[e-post]", "phone": "[telefon]"}


def _c21_story_sentences(data):
    c21 = next(c for c in data["comments"] if c["id"] == "c21")
    return [c21["text"][s["start"]:s["end"]] for s in c21["privacy"]["sensitive"]] + \
           [c21["text"][s["start"]:s["end"]] for s in c21["privacy"]["story"]]


def _all_quotes(brief):
    for q in brief["questions"]:
        for t in q["themes"]:
            yield from t["quotes"]
        yield from (x for x in q["declined"] if x.get("text"))
    yield from brief["statements"]
    for s in brief["stories"]:
        yield from s["quotes"]


def test_counts_match_the_analysis(seed_analysis):
    brief = build_brief(seed_analysis, placeholders=NB_PH)
    by_q = seed_analysis["stats"]["answered_by_question"]
    for q in brief["questions"]:
        answers = [a for a in seed_analysis["answers"] if a["question_id"] == q["id"]]
        assert q["answered"] == by_q[q["id"]]
        assert q["counts"] == {s: sum(a["stance"] == s for a in answers) for s in ("for", "against", "mixed", "none")}
        assert sum(t["size"] for t in q["themes"]) + q["other"]["size"] == len(answers)
        assert q["distinct"] == seed_analysis["stats"]["distinct"] == 11
    assert len(brief["answers"]) == len(seed_analysis["answers"])


@pytest.mark.parametrize("anonymise", [True, False])
def test_every_quote_is_verbatim(seed_analysis, anonymise):
    texts = {c["id"]: c["text"] for c in seed_analysis["comments"]}
    brief = build_brief(seed_analysis, anonymise=anonymise, placeholders=NB_PH)
    quotes = list(_all_quotes(brief))
    assert len(quotes) > 20
    for x in quotes:
        verbatim = texts[x["comment_id"]][x["start"]:x["end"]]
        if not x["masked"]:
            assert x["text"] == verbatim and x["text"] in texts[x["comment_id"]]
        else:
            assert anonymise and any(ph in x["text"] for ph in NB_PH.values())
            pattern = re.escape(x["text"])
            for ph in NB_PH.values():
                pattern = pattern.replace(re.escape(ph), r".+?")
            assert re.fullmatch(pattern, verbatim), "a masked quote is the verbatim text with spans replaced"


def test_default_brief_does_not_show_the_harassment_story(seed_analysis):
    story = _c21_story_sentences(seed_analysis)
    assert any("trakasert" in s for s in story)
    for fmt in ("html", "md", "csv", "json"):
        out = render(seed_analysis, fmt, "nb").decode("utf-8")
        for sentence in story:
            assert sentence not in out, (fmt, sentence)
        assert "Thomas" not in out and "trakasert" not in out and "anmeldelse" not in out
    html = render(seed_analysis, "html", "nb").decode("utf-8")
    assert "Anonymisert notat." in html
    assert re.search(r"Sensitiv personlig historie</strong> \(trakassering, rettslige forhold, tredjepersoner\)"
                     r"\s*– <a href=\"#c21\">c21</a>", html)
    brief = build_brief(seed_analysis, placeholders=NB_PH)
    s21 = next(s for s in brief["stories"] if s["comment_id"] == "c21")
    assert s21["sensitive"] and s21["summarised"] and s21["quotes"] == []


def test_include_sensitive_is_an_explicit_mode(seed_analysis):
    html = render(seed_analysis, "html", "nb", anonymise=False).decode("utf-8")
    assert "Inneholder sensitivt innhold." in html and "--include-sensitive" in html
    assert "seksuelt trakasert meg" in html


def test_author_name_is_masked_in_the_sensitive_comment(seed_analysis):
    from innspill.report.brief_data import Masker

    comments = {c["id"]: dict(c) for c in seed_analysis["comments"]}
    c21 = comments["c21"]
    start = c21["text"].index("Mailen min")
    end = c21["text"].index("flere meninger") + len("flere meninger")
    c21["privacy"] = {**c21["privacy"], "sensitive": [], "sensitive_story": False}  # make the span quotable
    x = Masker(comments, True, NB_PH).quote("c21", start, end)
    assert "Thomas" not in x["text"] and "[navn]" in x["text"] and x["masked"]
    assert "Thomas" in c21["text"][x["start"]:x["end"]]


def test_names_in_quotes_are_masked_and_marked(tmp_path, capsys):
    thread = tmp_path / "t.txt"
    thread.write_text(
        "Er det greit med hjemmekontor?\n\n2 kommentarer\n\n"
        "  1. 1. Jeg synes det er helt greit, Kari, så lenge alle er enige om faste dager.\n\n"
        "  2. 1. Nei, det blir for lite kontakt mellom kollegene på jobben.\n", encoding="utf-8")
    out = tmp_path / "a.json"
    assert main(["analyze", str(thread), "-o", str(out), "--no-embeddings", "--quiet",
                 "--brief", str(tmp_path / "b.md")]) == 0
    md = (tmp_path / "b.md").read_text(encoding="utf-8")
    assert "Kari" not in md
    assert "“Jeg synes det er helt greit, [navn], så lenge alle er enige om faste dager.” – c1, maskert" in md
    data = json.loads(out.read_text(encoding="utf-8"))
    assert main(["brief", str(out), "-o", str(tmp_path / "s.md"), "--include-sensitive"]) == 0
    assert "“Jeg synes det er helt greit, Kari, så lenge" in (tmp_path / "s.md").read_text(encoding="utf-8")
    assert data["themes"] and data["comments"][0]["flags"] == ["personal-data"]


def test_same_input_same_brief(seed_analysis):
    for fmt in ("html", "md", "json", "csv"):
        assert render(seed_analysis, fmt, "nb") == render(seed_analysis, fmt, "nb")
    svg = render(seed_analysis, "html", "en").decode()
    assert svg.count("<svg") == 4 and "<title id=\"chart-q1-t\">Bar chart of stances on question 1" in svg


def test_csv_of_answers(seed_analysis):
    rows = list(csv.DictReader(io.StringIO(render(seed_analysis, "csv", "en").decode("utf-8"))))
    assert len(rows) == len(seed_analysis["answers"])
    assert list(rows[0]) == ["comment", "question", "stance", "proposal", "confidence", "evidence", "evidence_masked",
                             "theme_id", "theme", "campaign", "counted_as", "consultation", "period"]
    assert all(r["campaign"] == "" and r["counted_as"] == "1" for r in rows)  # the seed's double posts are copies
    c21 = [r for r in rows if r["comment"] == "c21"]
    assert c21 and all(r["evidence"] == "[withheld: sensitive]" for r in c21)
    assert all(r["theme_id"] for r in rows)


def test_pptx_reads_back(seed_analysis, tmp_path):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    path = tmp_path / "b.pptx"
    path.write_bytes(render(seed_analysis, "pptx", "nb"))
    prs = Presentation(str(path))
    slides = list(prs.slides)
    assert len(slides) == 1 + 1 + len(seed_analysis["questions"]) + 1
    text = lambda s: "\n".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame)  # noqa: E731
    assert "Debattnotat" in text(slides[0]) and "Anonymisert" in text(slides[0])
    assert "Slik leser du notatet" in text(slides[1]) and "Dette er kopier, ikke en kampanje." in text(slides[1])
    for k, s in enumerate(slides[2:-1], start=1):
        pics = [sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pics) == 1 and pics[0]._element.nvPicPr.cNvPr.get("descr").startswith("Stolpediagram")
        assert f"Spørsmål {k}:" in text(s)
        assert len(re.findall(r"”( …)?\n– c\d+", text(s))) == 2  # two quotes, each with its comment
    assert "Påstander til debatten" in text(slides[-1]) and "1. “" in text(slides[-1])
    all_text = "\n".join(text(s) for s in slides)
    assert "Thomas" not in all_text and "trakas" not in all_text and "c21" not in all_text


def test_pdf(seed_analysis):
    pytest.importorskip("weasyprint")
    pdf = render(seed_analysis, "pdf", "nb")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_brief_cli_and_errors(seed_analysis, tmp_path, capsys):
    a = tmp_path / "a.json"
    a.write_text(json.dumps(seed_analysis, ensure_ascii=False), encoding="utf-8")
    assert main(["brief", str(a), "-o", str(tmp_path / "x.out"), "--format", "json", "--lang", "en",
                 "--anonymise"]) == 0
    assert json.loads((tmp_path / "x.out").read_text())["mode"] == "anonymised"
    assert "wrote" in capsys.readouterr().out
    assert main(["brief", str(tmp_path / "nope.json")]) == 2
    assert "E101" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text('{"schema": "other"}')
    assert main(["brief", str(tmp_path / "bad.json")]) == 2
    assert "E204" in capsys.readouterr().err
    assert main(["brief", str(a), "-o", str(tmp_path / "b.docx")]) == 2
    err = capsys.readouterr().err
    assert "E301" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["brief", str(a), "--anonymise", "--include-sensitive"])


def test_every_message_has_a_norwegian_translation():
    from importlib import resources

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = resources.files("innspill.report")
    with root.joinpath("locale/nb/LC_MESSAGES/brief.po").open("rb") as fh:
        catalog = read_po(fh)
    found = list(extract_from_dir(str(root), method_map=[("**.py", "python"), ("**/templates/**.j2", "jinja2")],
                                  keywords={"_": None, "gettext": None, "ngettext": (1, 2), "n_": (1, 2)},
                                  options_map={"**/templates/**.j2": {"extensions": "jinja2.ext.i18n"}}))
    assert len(found) > 60
    for _, _, msg, _, _ in found:
        key = msg[0] if isinstance(msg, tuple) else msg
        m = catalog.get(key)
        assert m is not None and m.string and all(m.string), f"no nb translation for {key!r}"


def test_html_is_self_contained(seed_analysis):
    html = render(seed_analysis, "html", "nb").decode("utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # only in-page references
    assert 'lang="nb"' in html and "Content-Security-Policy" in html


def test_analyze_refuses_a_brief_name_it_cannot_write_before_the_work(seed_path, tmp_path, capsys):
    out = tmp_path / "a.json"
    assert main(["analyze", str(seed_path), "-o", str(out), "--brief", str(tmp_path / "b.docx")]) == 2
    assert "E301" in capsys.readouterr().err and not out.exists()
