"""Open questions are reported as what people proposed (issue 20): how many proposed something,
how many rejected the premise, the themes; never a for/against verdict such as "de fleste sier ja".
examples/kantine-nb.txt's question 4 ("Hvilke regler bør gjelde ...?") is open."""

import io
import json
import re
from pathlib import Path

import pytest

from innspill.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kantine-nb.txt"
VERDICTS = {"nb": ("de fleste sier ja", "de fleste sier nei", "Bred enighet", "Delt:", "Argumenter for",
                   "Argumenter mot"),
            "en": ("most say yes", "most say no", "Broad agreement", "Divided:", "Arguments for", "Arguments against")}


@pytest.fixture(scope="module")
def analysis(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("open") / "a.json"
    assert main(["analyze", str(EXAMPLE), "-o", str(out), "--no-embeddings"]) == 0
    return out


def _brief(analysis: Path, fmt: str, lang: str) -> bytes:
    out = analysis.parent / f"b-{lang}.{fmt}"
    assert main(["brief", str(analysis), "-o", str(out), "--lang", lang]) == 0
    return out.read_bytes()


def _section(md: str, heading: str) -> str:
    start = md.index(heading)
    nxt = md.find("\n## ", start + 1)
    return md[start:nxt if nxt > 0 else None]


def test_the_model_counts_proposals_on_the_open_question(analysis):
    brief = json.loads(_brief(analysis, "json", "nb"))
    q4 = next(q for q in brief["questions"] if q["number"] == 4)
    assert q4["kind"] == "open" and q4["verdict"] == "open"
    c = q4["counts"]
    assert q4["proposals"] == {"proposed": c["for"] + c["mixed"], "with_conditions": c["mixed"],
                               "rejected": c["against"], "no_proposal": c["none"]}
    assert q4["proposals"]["proposed"] >= 3 and q4["proposals"]["rejected"] >= 1  # the example's own answers
    q1 = next(q for q in brief["questions"] if q["number"] == 1)
    assert q1["kind"] == "yesno" and q1["proposals"] is None and q1["verdict"] != "open"


@pytest.mark.parametrize("lang,proposed,rejected,heads", [
    ("nb", "foreslo noe", "avviste premisset", ("Hva folk foreslo", "Avviser premisset")),
    ("en", "proposed something", "rejected the premise", ("What people proposed", "Rejecting the premise"))])
def test_the_open_question_reads_as_proposals_in_every_format(analysis, lang, proposed, rejected, heads):
    brief = json.loads(_brief(analysis, "json", lang))
    p = next(q for q in brief["questions"] if q["number"] == 4)["proposals"]
    md = _brief(analysis, "md", lang).decode("utf-8")
    head = "## Spørsmål 4" if lang == "nb" else "## Question 4"
    sec = _section(md, head)
    lines = md.splitlines()
    overview = lines[next(k for k, x in enumerate(lines) if x.startswith(("- **Spørsmål 4**", "- **Question 4**"))) + 1]
    for text in (sec, overview):
        assert not any(v in text for v in VERDICTS[lang]), text
    assert f"{p['proposed']} {proposed}" in overview and f"{p['rejected']} {rejected}" in overview
    assert all(h in sec for h in heads)
    assert re.search(r"\| " + re.escape(proposed) + r" \|", sec)  # the counts' header says what they count
    # the yes/no questions keep their verdict and their for/against
    q1 = _section(md, "## Spørsmål 1" if lang == "nb" else "## Question 1")
    assert ("Argumenter for" if lang == "nb" else "Arguments for") in q1
    html = _brief(analysis, "html", lang).decode("utf-8")
    q4 = html[html.index('id="q4"'):]
    q4 = q4[:q4.index("</section>")]
    assert not any(v in q4 for v in VERDICTS[lang]) and proposed in q4 and rejected in q4


def test_slides_and_public_labels_of_the_open_question(analysis):
    from pptx import Presentation

    prs = Presentation(io.BytesIO(_brief(analysis, "pptx", "nb")))
    slide = next(s for s in prs.slides if any(sh.has_text_frame and sh.text_frame.text.startswith("Spørsmål 4")
                                              for sh in s.shapes))
    text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "foreslo noe" in text and "avviste premisset" in text
    assert not any(v in text for v in VERDICTS["nb"])
    pic = next(sh for sh in slide.shapes if sh.shape_type == 13)
    assert "foreslo noe" in pic._element.nvPicPr.cNvPr.get("descr")


def test_the_live_method_in_plain_words_matches_the_computation():
    """The brief says how opinion groups are formed in plain words (issue 20); its range of groups is the
    computation's, and the results file keeps the technique apart for whoever checks it."""
    from innspill.report import guidetext
    from innspill.votes import results

    assert (guidetext.K_MIN, guidetext.K_MAX) == (results.K_MIN, results.K_MAX)
    assert not any(w in results.METHOD for w in ("PCA", "k-means", "silhouette"))
    assert "k-means" in results.TECHNIQUE
