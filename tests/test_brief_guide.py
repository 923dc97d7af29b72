"""The brief that does not mislead (issue 9): reading guide, counts beside percentages, small-number
warnings, copies told apart from campaigns, verbatim quotes in every writer, and the live vote."""

import csv
import io
import json
import random
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from innspill.cli import main
from innspill.report import render
from innspill.report.brief_data import build_brief

LIVE = Path(__file__).resolve().parent / "data" / "live-seed.json"
PLACEHOLDERS = ("[navn]", "[e-post]", "[telefon]", "[name]", "[e-mail]", "[phone]")

# --- a generated consultation: 40 authors send one text, 25 ordinary answers, 3 answers to question 3,
# --- and one author who posts the same answer twice in a row

QUESTIONS = ["Bør kantina holde åpent til klokka 20?", "Bør prisene settes ned for lærlinger?",
             "Hva savner du mest i kantina i dag?"]
WORDS = ("salat suppe kaffe brød frukt middag lunsj frokost kø kasse benk vindu stol bord lys lyd varme kulde "
         "pause kollega skift natt morgen kveld helg buss parkering sykkel trapp heis meny pris kvalitet porsjon "
         "smak krydder vegetar fisk kylling pasta ris grøt yoghurt ost skinke egg juice vann te sjokolade kake "
         "vaffel boller rundstykke pålegg dressing saus tallerken bestikk kopp brett oppvask søppel sortering "
         "miljø plast papp glass kjøkken kokk servitør leverandør budsjett tilskudd avtale regel ønske forslag "
         "klage ros tid plass utsikt musikk radio avis skjerm strøm lader nettverk møte samtale latter ro").split()
CAMPAIGN = ("1. Nei. Vi som står bak oppropet for en bedre kantine mener at åpningstiden ikke må utvides før maten "
            "og renholdet er blitt bedre for alle som jobber dagtid.\n\n"
            "2. Ja. Lærlinger og deltidsansatte har lave lønninger og bør få rabatt på alle varme retter i kantina "
            "fra neste semester.")
TWICE = ("1. Ja. Kveldsåpent hjelper oss som jobber skift på lageret og ikke rekker å handle mat før butikkene "
         "stenger.")


def consultation(campaign: int = 40, ordinary: int = 25, few_q3: int = 3, seed: int = 5) -> str:
    """JSONL: ``campaign`` authors post one text (every fourth with a greeting and signature of their own:
    a near copy); ``ordinary`` distinct answers to questions 1 and 2; ``few_q3`` answers to question 3; one
    author posts the same answer twice in a row."""
    rnd = random.Random(seed)
    lines = [json.dumps({"question": q, "number": k}, ensure_ascii=False) for k, q in enumerate(QUESTIONS, 1)]
    rows = []
    for i in range(campaign):
        text = CAMPAIGN if i % 4 else f"Hei!\n\n{CAMPAIGN}\n\nHilsen fra en kantinebruker nummer {i}."
        rows.append({"author": f"Kampanje Person{i:02d}", "text": text})
    for i in range(ordinary):
        a, b = (" ".join(rnd.sample(WORDS, 9)) for _ in range(2))
        rows.append({"author": f"Vanlig Svarer{i:02d}",
                     "text": f"1. {'Ja.' if i % 3 else 'Nei.'} Jeg tenker mest på {a}.\n\n"
                             f"2. {'Nei.' if i % 2 else 'Ja.'} Det handler om {b}."})
    for i in range(few_q3):
        rows.append({"author": f"Tredje Svarer{i}", "text": f"3. Jeg savner {' '.join(rnd.sample(WORDS, 8))}."})
    rnd.shuffle(rows)
    rows[10:10] = [{"author": "Dobbel Poster", "text": TWICE}, {"author": "Dobbel Poster", "text": TWICE}]
    for k, r in enumerate(rows, 1):
        r["id"] = f"s{k}"
        r["posted_at"] = f"2026-03-{1 + k * 13 // len(rows):02d}T{8 + k % 10:02d}:{k % 60:02d}:00"
        lines.append(json.dumps(r, ensure_ascii=False))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def campaign_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("campaign") / "kantine.jsonl"
    path.write_text(consultation(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def campaign_analysis(campaign_path):
    from innspill.pipeline import analyze

    return analyze(str(campaign_path), use_embeddings=False).to_dict()


@pytest.fixture(scope="module")
def live_results():
    return json.loads(LIVE.read_text(encoding="utf-8"))


def _html_text(out: bytes) -> str:
    doc = lxml_html.fromstring(out)
    for el in doc.xpath("//style"):
        el.drop_tree()
    return doc.text_content()


def _section(md: str, heading: str) -> str:
    """A Markdown section from its heading to the next heading of the same level."""
    start = md.index(heading)
    level = heading.split(" ", 1)[0] + " "
    nxt = md.find("\n" + level, start + len(heading))
    return md[start:nxt if nxt > 0 else None]


# --- the reading guide

@pytest.mark.parametrize("lang", ["nb", "en"])
def test_reading_guide_at_the_top_of_the_seed_brief(seed_analysis, lang):
    words = {"nb": ("Slik leser du notatet", "Hvem svarte: 22 kommentarer ble lest fra en kommentartråd kopiert fra "
                    "en nettside (thread.txt).", "Kilden oppgir ingen navn", "Kilden oppgir ingen datoer.",
                    "Ikke et representativt utvalg", "færre enn 5 svar", "Oversikt"),
             "en": ("How to read this brief", "Who answered: 22 comments were read from a comment thread copied from "
                    "a web page (thread.txt).", "The source gives no names", "The source gives no dates.",
                    "Not a representative sample", "fewer than 5 answers", "Overview")}[lang]
    head, who, names, dates, sample, few, overview = words
    html = render(seed_analysis, "html", lang).decode("utf-8")
    doc = lxml_html.fromstring(html)
    guide = doc.get_element_by_id("guide")
    text = " ".join(guide.text_content().split())
    for phrase in (head, who, names, dates, sample, few):
        assert phrase in text, (lang, phrase)
    assert html.index('id="guide"') < html.index('id="overview"') < html.index('id="q1"')
    md = render(seed_analysis, "md", lang).decode("utf-8")
    assert md.index(f"## {head}") < md.index(f"## {overview}")
    for phrase in (who, names, dates, sample, few):
        assert phrase in _section(md, f"## {head}"), (lang, phrase)
    g = json.loads(render(seed_analysis, "json", lang))["guide"]
    assert g["comments_read"] == 22 and g["taking_part"] == 22 and g["distinct"] == 11
    assert g["people"] is None and g["period"] is None and g["representative"] is False
    assert g["min_answers"] == 5 and g["count_campaigns"] == "once" and g["source_format"] == "text"


def test_guide_names_people_and_period_when_the_source_has_them(campaign_analysis):
    md = render(campaign_analysis, "md", "en").decode("utf-8")
    guide = _section(md, "## How to read this brief")
    assert "Who answered: 70 comments were read from a JSON Lines file (kantine.jsonl)." in guide
    assert "They carry 69 different names" in guide  # 70 comments, one author posted twice
    assert "The first is dated 1 March 2026, the last 14 March 2026." in guide
    nb = _section(render(campaign_analysis, "md", "nb").decode("utf-8"), "## Slik leser du notatet")
    assert "Den første er datert 1. mars 2026, den siste 14. mars 2026." in nb


# --- copies and campaigns

def test_the_seed_double_posts_are_copies_not_a_campaign(seed_analysis):
    brief = build_brief(seed_analysis)
    assert len(brief["duplicates"]) == 11
    assert all(d["kind"] == "copies" and d["size"] == 2 and d["authors"] == 1 for d in brief["duplicates"])
    assert brief["guide"]["copies"] == {"groups": 11, "comments": 22, "extra": 11, "double_posts": 11}
    assert brief["guide"]["campaigns"]["groups"] == 0
    for lang, copies, none in (
            ("nb", "Kopier: 11 av 22 kommentarer gjentar teksten i en tidligere kommentar, postet på nytt av samme "
                   "person eller som en dobbeltpostering (11 av dem rett etter den første). Hver tekst teller én "
                   "gang. Dette er kopier, ikke en kampanje.",
             "Kampanjer: ingen tekst ble sendt av flere ulike personer"),
            ("en", "Copies: 11 of 22 comments repeat an earlier comment's text, posted again by the same person or "
                   "as a double post (11 of them right after the first). Each text counts once. These are copies, "
                   "not a campaign.",
             "Campaigns: no text was sent by several different people")):
        for fmt in ("html", "md"):
            out = render(seed_analysis, fmt, lang)
            text = " ".join((_html_text(out) if fmt == "html" else out.decode("utf-8")).split())
            assert copies in text and none in text, (lang, fmt)


def test_a_campaign_is_counted_once_and_its_share_stated(campaign_analysis, tmp_path):
    once = build_brief(campaign_analysis)
    camp = [d for d in once["duplicates"] if d["kind"] == "campaign"]
    copies = [d for d in once["duplicates"] if d["kind"] == "copies"]
    assert len(camp) == 1 and camp[0]["size"] == 40 and camp[0]["authors"] == 40 and camp[0]["id"] == "k1"
    assert set(camp[0]["how"]) == {"exact", "near"}  # signed copies are near-duplicates, still one campaign
    assert len(copies) == 1 and copies[0]["size"] == 2 and copies[0]["authors"] == 1  # the double poster
    q1 = once["questions"][0]
    answering = {a["comment_id"] for a in campaign_analysis["answers"] if a["question_id"] == "q1"}
    assert q1["answered"] == len(answering) == 27 and camp[0]["comment_id"] in answering
    assert q1["campaigns"] == ["k1"]
    for lang, share, mode in (
            ("nb", "Kampanje k1: 40 av 70 kommentarer var kopier av én tekst, sendt av 40 ulike avsendere",
             "Talt én gang: hver kampanje teller som ett svar i tallene nedenfor. Å telle den én gang per avsender i "
             "stedet (--count-campaigns all) ville gitt 39 svar til."),
            ("en", "Campaign k1: 40 of 70 comments were copies of one text, sent by 40 different authors",
             "Counted once: each campaign counts as one answer in the numbers below. Counting it once per author "
             "instead (--count-campaigns all) would add 39 answers.")):
        for fmt in ("html", "md"):
            out = render(campaign_analysis, fmt, lang)
            text = " ".join((_html_text(out) if fmt == "html" else out.decode("utf-8")).split())
            assert share in text and mode in text, (lang, fmt)
    assert "Dette er kopier, ikke en kampanje." in render(campaign_analysis, "md", "nb").decode()  # the double post

    a = tmp_path / "a.json"
    a.write_text(json.dumps(campaign_analysis, ensure_ascii=False), encoding="utf-8")
    assert main(["brief", str(a), "-o", str(tmp_path / "all.json"), "--count-campaigns", "all"]) == 0
    every = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert every["guide"]["count_campaigns"] == "all"
    q1_all = every["questions"][0]
    assert q1_all["answered"] == 27 - 1 + 40  # the campaign's text counted 40 times, once per author
    stance = next(a["stance"] for a in campaign_analysis["answers"]
                  if a["comment_id"] == camp[0]["comment_id"] and a["question_id"] == "q1")
    assert q1_all["counts"][stance] - q1["counts"][stance] == 39
    assert sum(t["size"] for t in q1_all["themes"]) + q1_all["other"]["size"] == q1_all["answered"]
    assert main(["brief", str(a), "-o", str(tmp_path / "all.md"), "--count-campaigns", "all", "--lang", "en"]) == 0
    md = (tmp_path / "all.md").read_text(encoding="utf-8")
    assert "Counted once per author: each campaign counts once for every different author" in md
    assert "These numbers include campaign k1, counted once per author (40 answers)." in md
    rows = list(csv.DictReader(io.StringIO(render(campaign_analysis, "csv", "en", count_campaigns="all").decode())))
    k1 = [r for r in rows if r["campaign"] == "k1"]
    assert k1 and all(r["counted_as"] == "40" for r in k1)
    assert all(r["counted_as"] == "1" for r in rows if r["campaign"] != "k1")


def test_different_authors_under_one_text_are_a_campaign_even_when_posted_in_a_row():
    from innspill.report.guide import duplicate_groups

    def c(i, author, dup=None, when=None):
        return {"id": f"c{i}", "position": i, "author": author, "posted_at": when, "status":
                "duplicate" if dup else "kept", "duplicate_of": dup, "duplicate_how": "exact" if dup else None}

    groups = duplicate_groups([c(1, "Kari"), c(2, "Ola", "c1"), c(3, "kari ", "c1"), c(4, None, "c1"),
                               c(9, None), c(20, None, "c9", "2026-01-01T10:05:00"),
                               c(30, None, None, "2026-01-01T10:00:00"), c(40, None, "c30", "2026-01-01T10:04:00"),
                               c(50, None), c(60, None, "c50")])
    kinds = {g["comment_id"]: (g["kind"], g["authors"]) for g in groups}
    # Kari twice (names compared without case and spacing) + Ola; the unsigned c4 right after is a double post
    assert kinds["c1"] == ("campaign", 2)
    assert kinds["c30"] == ("copies", 1)  # unsigned, four minutes apart: a double post
    assert kinds["c50"] == ("campaign", 2)  # unsigned, far apart, no dates: not shown to be one person
    assert kinds["c9"] == ("campaign", 2)  # one date missing: cannot be shown to be one person


# --- small numbers and percentages

def test_small_number_warning_on_a_question_with_few_answers_only(campaign_analysis, tmp_path):
    brief = build_brief(campaign_analysis)
    assert [q["answered"] for q in brief["questions"]] == [27, 26, 3]
    assert [q["few"] for q in brief["questions"]] == [False, False, True]
    assert brief["questions"][2]["verdict"] == "few"
    html = render(campaign_analysis, "html", "nb")
    doc = lxml_html.fromstring(html)
    for qid, n in (("q1", 0), ("q2", 0), ("q3", 2)):
        warnings = doc.get_element_by_id(qid).xpath('.//*[contains(@class, "few")]')
        assert len(warnings) == n, qid
    q3 = " ".join(doc.get_element_by_id("q3").text_content().split())
    assert "Disse andelene bygger på 3 svar." in q3 and "få svar (under 5)" in q3
    overview = doc.get_element_by_id("overview").text_content()
    assert overview.count("få svar (under 5)") == 1
    md = render(campaign_analysis, "md", "en").decode("utf-8")
    assert "few answers (under 5)" in _section(md, "## Question 3") and \
        "few answers" not in _section(md, "## Question 1") + _section(md, "## Question 2")

    a = tmp_path / "a.json"
    a.write_text(json.dumps(campaign_analysis, ensure_ascii=False), encoding="utf-8")
    assert main(["brief", str(a), "-o", str(tmp_path / "m.json"), "--min-answers", "27"]) == 0
    assert [q["few"] for q in json.loads((tmp_path / "m.json").read_text())["questions"]] == [False, True, True]
    assert main(["brief", str(a), "-o", str(tmp_path / "m.md"), "--min-answers", "2", "--lang", "en"]) == 0
    assert "few answers (under" not in (tmp_path / "m.md").read_text().split("## Overview", 1)[1]
    assert main(["brief", str(a), "-o", str(tmp_path / "x.md"), "--min-answers", "0"]) == 2


PCT = re.compile(r"\d+(?:[.,]\d+)?\s?%")
COUNTED = re.compile(r"\d+[^0-9%()\n]{0,60}\($")


def _percentages_have_counts(text: str) -> int:
    found = 0
    for m in PCT.finditer(text):
        before = text[max(0, m.start() - 70):m.start()]
        after = text[m.end():m.end() + 1]
        assert COUNTED.search(before) and after == ")", f"a percentage without its count: …{before}{m.group()}…"
        found += 1
    return found


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_percentage_has_its_count_beside_it(seed_analysis, campaign_analysis, live_results, lang):
    from pptx import Presentation

    for data, live in ((seed_analysis, live_results), (campaign_analysis, None)):
        assert _percentages_have_counts(_html_text(render(data, "html", lang, live=live))) > 14
        assert _percentages_have_counts(render(data, "md", lang, live=live).decode("utf-8")) > 10
        prs = Presentation(io.BytesIO(render(data, "pptx", lang, live=live)))
        _percentages_have_counts("\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes
                                           if sh.has_text_frame))
        brief = json.loads(render(data, "json", lang, live=live))
        for q in brief["questions"]:
            assert set(q["shares"]) == set(q["counts"]) and "answered" in q
            assert all("size" in t for t in q["themes"]) and "size" in q["other"]
        for s in (brief["live"] or {}).get("statements", []):
            assert set(s["shares"]) == set(s["counts"]) and s["total"] == sum(s["counts"].values())
        header = render(data, "csv", lang).decode("utf-8").splitlines()[0]
        assert "share" not in header and "%" not in header
    svg = render(campaign_analysis, "html", "en").decode("utf-8")
    assert re.search(r"17 \(63%\)", svg)  # the chart's bar for question 1 "for": the count and its share


# --- quotes are verbatim in every writer

def _verbatim(s: str, texts: list[str]) -> bool:
    s = s.strip()
    if not s:
        return False
    if any(s in t for t in texts):
        return True
    if not any(p in s for p in PLACEHOLDERS):
        return False
    pattern = re.escape(s)
    for p in PLACEHOLDERS:
        pattern = pattern.replace(re.escape(p), r".+?")
    return any(re.search(pattern, t, re.S) for t in texts)


def _quoted(text: str):
    """Every string in quotation marks (“…” or «…»): for each opening mark, the candidates up to each closing one."""
    for open_, close in (("“", "”"), ("«", "»")):
        for m in re.finditer(open_, text):
            ends = [k for k in (j.start() for j in re.finditer(close, text[m.end():m.end() + 1500]))]
            yield [text[m.end():m.end() + k] for k in ends] or [text[m.end():m.end() + 80]]


def _audit(text: str, texts: list[str]) -> int:
    n = 0
    for candidates in _quoted(text):
        assert any(_verbatim(c, texts) for c in candidates), f"not verbatim: {candidates[0][:120]!r}"
        n += 1
    return n


@pytest.mark.parametrize("anonymise", [True, False])
def test_every_quoted_string_in_every_output_is_verbatim(seed_analysis, campaign_analysis, live_results, anonymise):
    from pptx import Presentation

    for data, live in ((seed_analysis, live_results), (campaign_analysis, None)):
        texts = [c["text"] for c in data["comments"]]
        for lang in ("nb", "en"):
            kw = {"live": live, "count_campaigns": "once"}
            out = render(data, "html", lang, anonymise, **kw)
            doc = lxml_html.fromstring(out)
            qs = [q.text_content() for q in doc.xpath("//q")]
            assert qs and all(_verbatim(q, texts) for q in qs), [q for q in qs if not _verbatim(q, texts)]
            assert _audit(_html_text(out), texts) > 10
            assert _audit(render(data, "md", lang, anonymise, **kw).decode("utf-8"), texts) > 10
            prs = Presentation(io.BytesIO(render(data, "pptx", lang, anonymise, **kw)))
            assert _audit("\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes
                                    if sh.has_text_frame), texts) > 5
            withheld = {"[withheld: sensitive]", "[holdt tilbake: sensitivt]", ""}
            for row in csv.DictReader(io.StringIO(render(data, "csv", lang, anonymise).decode("utf-8"))):
                assert row["evidence"] in withheld or _verbatim(row["evidence"], texts), row
            brief = json.loads(render(data, "json", lang, anonymise, **kw))
            assert _walk_quotes(brief, {c["id"]: c["text"] for c in data["comments"]}) > 10


def _walk_quotes(x, texts: dict) -> int:
    """Check every quote object (text, comment_id, start, end) in the brief JSON; returns how many."""
    n = 0
    if isinstance(x, dict):
        if {"text", "comment_id", "start", "end"} <= set(x) and x["text"]:
            src = texts[x["comment_id"]]
            assert x["text"] == src[x["start"]:x["end"]] or (x["masked"] and _verbatim(x["text"], [src])), x
            n += 1
        x = list(x.values())
    if isinstance(x, list):
        n += sum(_walk_quotes(v, texts) for v in x)
    return n


def test_the_sensitive_story_summary_is_never_in_quotation_marks(seed_analysis):
    for lang, summary in (("nb", "Sammendrag:"), ("en", "Summary:")):
        md = render(seed_analysis, "md", lang).decode("utf-8")
        line = next(x for x in md.splitlines() if summary in x)
        said = line[line.index(summary):]
        assert not re.search(r"[“”«»\"]", said), said


# --- the live vote

@pytest.mark.parametrize("lang", ["nb", "en"])
def test_live_vote_beside_each_question(seed_analysis, live_results, lang):
    html = render(seed_analysis, "html", lang, live=live_results)
    doc = lxml_html.fromstring(html)
    norm = lambda el: " ".join(el.text_content().split())  # noqa: E731
    live = norm(doc.get_element_by_id("live"))
    q1, q3 = norm(doc.get_element_by_id("q1")), norm(doc.get_element_by_id("q3"))
    if lang == "nb":
        assert "I salen: direkteavstemningen om dette spørsmålet" in q1
        assert "ja 1 (12 %) · nei 7 (88 %) · usikker 0 (0 %) – 8 stemmer" in q1
        assert "enighet: alle meningsgrupper er uenige" in q1
        assert "enig 5 (62 %) · uenig 3 (38 %) · står over 0 (0 %) – 8 stemmer" in q1
        assert "(fra notatet, kommentar c19)" in q1
        assert "gruppe 1: 4 av 4 enige; gruppe 2: 0 av 3 enige" in q1
        assert "3 stemmer" in q3 and "få svar (under 5)" in q3  # the presenter's statement got 3 votes
        assert "Rettlinjestemmere: 1 deltaker var enig i alle eller uenig i alle påstandene" in live
        assert "er regnet ut uten dem, slik arrangøren valgte" in live
        assert "Meningsgrupper: 2 grupper med 4, 3 deltakere" in live
        assert "Påstander som ikke hører til et spørsmål" in live and "(fra salen)" in live
    else:
        assert "yes 1 (12%) · no 7 (88%) · unsure 0 (0%) – 8 votes" in q1
        assert "Straight-liners: 1 participant agreed with every statement or disagreed with every statement" in live
        assert "were computed without them, as the organiser chose" in live
        assert "Opinion groups: 2 groups of 4, 3 participants" in live
    plain = {"nb": "deltakere som stemte likt på de samme påstandene, havner i samme gruppe, mellom 2 og 5 grupper",
             "en": "participants who voted alike on the same statements are put in the same group, between 2 and 5"}
    assert plain[lang] in live  # the method in plain words (issue 20), not the stored technique
    for jargon in ("PCA", "k-means", "silhouette", "2..5", "components"):
        assert jargon not in live, jargon
    consensus, divisive = doc.xpath('//section[@id="live"]/ul')[:2]
    assert len(consensus.xpath("li")) == 1 and "facebook i bedriftens navn" in consensus.text_content()
    assert len(divisive.xpath("li")) == 2
    assert "Denne påstanden ble skjult" not in html.decode("utf-8")  # hidden by the presenter
    assert "few answers" not in q1 and "få svar" not in q1
    brief = json.loads(render(seed_analysis, "json", lang, live=live_results))
    assert brief["live"]["straight_liners"] == 1 and brief["live"]["straight_liners_included"] is False
    assert brief["live"]["groups"]["sizes"] == [4, 3] and brief["live"]["hidden"] == 1
    assert [q["live"] for q in brief["questions"]] == [[1, 2], [], [3], []]
    md = render(seed_analysis, "md", lang, live=live_results).decode("utf-8")
    assert ("## Direkteavstemning" if lang == "nb" else "## Live vote") in md


def test_live_cli_and_bad_files(seed_analysis, live_results, tmp_path, capsys):
    from pptx import Presentation

    a = tmp_path / "a.json"
    a.write_text(json.dumps(seed_analysis, ensure_ascii=False), encoding="utf-8")
    assert main(["brief", str(a), "-o", str(tmp_path / "b.pptx"), "--live", str(LIVE)]) == 0
    prs = Presentation(str(tmp_path / "b.pptx"))
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    assert titles[1] == "Slik leser du notatet" and titles[-1] == "Direkteavstemning"
    assert len(titles) == 1 + 1 + len(seed_analysis["questions"]) + 1 + 1
    bad = tmp_path / "bad.json"
    for content in ('{"schema": "other"}', json.dumps({**live_results, "counts": {"1": {"agree": -2}}}),
                    json.dumps({**live_results, "statements": [{"id": "x"}]})):
        bad.write_text(content, encoding="utf-8")
        assert main(["brief", str(a), "-o", str(tmp_path / "x.md"), "--live", str(bad)]) == 2
        err = capsys.readouterr().err
        assert "E303" in err and "Traceback" not in err
    plain = {k: v for k, v in live_results.items() if k in ("schema", "session", "statements", "participants",
                                                               "votes")}
    bad.write_text(json.dumps(plain), encoding="utf-8")
    try:
        import innspill.votes.results  # noqa: F401
    except ImportError:
        assert main(["brief", str(a), "-o", str(tmp_path / "x.md"), "--live", str(bad)]) == 2
        assert "holds no results" in capsys.readouterr().err
    else:  # the live package computes the results of a plain export
        assert main(["brief", str(a), "-o", str(tmp_path / "x.json"), "--live", str(bad)]) == 0
        assert json.loads((tmp_path / "x.json").read_text())["live"]["statements"][0]["counts"]["disagree"] == 7
    assert main(["brief", str(a), "-o", str(tmp_path / "x.md"), "--live", str(tmp_path / "nope.json")]) == 2
    assert "E101" in capsys.readouterr().err


def _session(n_people: int = 30, seed: int = 3) -> dict:
    """A plain innspill.live/1 export: two camps of equal size on the seed's questions, one statement
    everybody agrees with, and two participants who agree with everything (straight-liners)."""
    rnd = random.Random(seed)
    texts = [("question", "q1", "Er det greit at ansatte oppretter grupper på facebook i bedriftens navn?"),
             ("statement", "q1", "Bedriften bør eie sine egne sider i sosiale medier."),
             ("statement", "q2", "Ansatte som legger ut bilder fra jobben, bør få en advarsel."),
             ("statement", "q3", "Alle bedrifter trenger retningslinjer for sosiale medier."),
             ("statement", "q4", "Kommunikasjonsrådgivere kan ytre seg fritt som privatpersoner."),
             ("statement", None, "Ledere bør ikke være venner med ansatte på Facebook.")]
    statements = [{"id": k, "kind": kind, "text": text, "question_id": qid, "source": "presenter",
                   "hidden": False, "revealed": True, "locked": False, "position": k}
                  for k, (kind, qid, text) in enumerate(texts, 1)]
    camp = {0: [-1, 1, 1, 1, -1, 1], 1: [1, -1, -1, 1, 1, -1]}  # statement 4: both camps agree
    participants, votes = [], []
    for i in range(1, n_people + 1):
        pid = f"p{i}"
        participants.append({"id": pid, "joined": "2026-11-25T18:01:00Z"})
        for k in range(1, 7):
            v = 1 if i > n_people - 2 else camp[i % 2][k - 1]
            if i <= n_people - 2 and rnd.random() < 0.1:
                v = 0
            votes.append({"participant": pid, "statement": k, "vote": v, "at": f"2026-11-25T18:{10 + k:02d}:00Z"})
    return {"schema": "innspill.live/1",
            "session": {"code": "AB12CD", "title": "Frokostmøte", "language": "nb", "consultation": None,
                        "started": "2026-11-25T18:00:00Z", "ended": None, "exported": "2026-11-25T19:00:00Z"},
            "statements": statements, "participants": participants, "votes": votes}


def test_live_results_from_the_live_package(seed_analysis, live_results, tmp_path):
    results = pytest.importorskip("innspill.votes.results")
    plain = {k: v for k, v in live_results.items() if k in ("schema", "session", "statements", "participants",
                                                               "votes")}
    computed = results.build_results(plain)
    assert {k: computed["counts"][k] for k in "1234"} == {k: live_results["counts"][k] for k in "1234"}
    assert computed["straight_liners"] == live_results["straight_liners"] == ["p8"]

    session = results.build_results(_session(), include_straight_liners=False)
    assert session["groups"] and session["groups"]["k"] == 2 and len(session["straight_liners"]) == 2
    brief = build_brief(seed_analysis, live=session)
    lv = brief["live"]
    assert lv["groups"]["sizes"] == session["groups"]["sizes"] and lv["straight_liners_included"] is False
    assert lv["consensus"] == [c["statement"] for c in session["consensus"]] and 4 in lv["consensus"]
    assert lv["divisive"] == [d["statement"] for d in session["divisive"]] and len(lv["divisive"]) >= 4
    md = render(seed_analysis, "md", "nb", live=session).decode("utf-8")
    sizes = ", ".join(str(x) for x in session["groups"]["sizes"])
    assert f"Meningsgrupper: 2 grupper med {sizes} deltakere" in md
    assert "Rettlinjestemmere: 2 deltakere" in md and "regnet ut uten dem" in md
    c4 = session["counts"]["4"]
    consensus = " ".join(_section(md, "### Enighet").split())
    assert f"- *Alle bedrifter trenger retningslinjer for sosiale medier.* – enig {c4['agree']} (" in consensus
    assert f"står over {c4['pass']} (" in consensus and "– 30 stemmer (spørsmål 3)" in consensus

    a = tmp_path / "a.json"
    a.write_text(json.dumps(seed_analysis, ensure_ascii=False), encoding="utf-8")
    live = tmp_path / "live.json"
    live.write_text(json.dumps(session, ensure_ascii=False), encoding="utf-8")
    for choice, included in (("include", True), ("exclude", False)):
        assert main(["brief", str(a), "-o", str(tmp_path / "b.json"), "--live", str(live),
                     "--straight-liners", choice]) == 0
        got = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["live"]
        assert got["straight_liners_included"] is included and got["straight_liners"] == 2
    assert main(["brief", str(a), "-o", str(tmp_path / "b.json"), "--straight-liners", "include"]) == 2
