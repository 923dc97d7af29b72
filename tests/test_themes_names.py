"""Theme names (issue 20, item 10): a theme is named by a short phrase copied from its own answers, not by a
word list ("nei, absolutt", "ressurser, tilstedeværelse, slike"). Checked on real threads: the seed and the
examples."""

import copy
import html
import re

import pytest

from innspill.lang import LANGUAGES, lexicon
from innspill.themes import NAME_FALLBACK, shown_labels, stopwords

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
LETTERS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _cues() -> tuple[set, list]:
    """The yes/no/mixed answer cues of every language, as the lexicons list them (single words, phrases)."""
    single, multi = set(), []
    for code in LANGUAGES:
        for key in ("answer_yes", "answer_no", "answer_mixed"):
            for cue in lexicon(code)[key]:
                words = WORD.findall(cue.lower().replace("’", "'"))
                (single.update(words) if len(words) == 1 else multi.append(words))
    return single, multi


SINGLE, MULTI = _cues()


def _content(word: str, stop: frozenset) -> bool:
    w = word.lower().replace("’", "'")
    return bool(LETTERS.fullmatch(word)) and w not in stop and w not in SINGLE


def _only_yes_no(words: list[str], stop: frozenset) -> bool:
    rest = " " + " ".join(w.lower().replace("’", "'") for w in words) + " "
    for cue in sorted(MULTI, key=len, reverse=True):
        rest = rest.replace(" " + " ".join(cue) + " ", " ")
    return not any(_content(w, stop) for w in rest.split())


FALLBACK = [re.compile("^" + re.escape(f).replace(re.escape("{}"), "(.+)") + "$") for f in NAME_FALLBACK.values()]


def _check_names(data: dict) -> list[str]:
    stop = stopwords(data["language"])
    answers = {f"{a['comment_id']}:{a['question_id']}": a for a in data["answers"]}
    texts = {c["id"]: c["text"] for c in data["comments"]}
    names = []
    for t in data["themes"]:
        label = t["label"]
        own = [answers[aid]["text"] for aid in t["answer_ids"]]
        assert t["terms"] and label != ", ".join(t["terms"]), t  # the keywords are kept apart from the name
        if t["label_ref"] is None:
            # only a theme whose answers hold no two content words may be named by its answer, quoted
            m = next((m for m in (rx.match(label) for rx in FALLBACK) if m), None)
            assert m, label
            assert any(m.group(1).lower() in x.lower() for x in own), label
            assert all(sum(_content(w, stop) for w in WORD.findall(x)) < 2 for x in own), (label, own)
            continue
        words = WORD.findall(label)
        assert 2 <= len(words) <= 6, label
        assert any(label.lower() in x.lower() for x in own), (label, own)  # verbatim, from its own answers
        ref = t["label_ref"]
        assert texts[ref["comment_id"]][ref["start"]:ref["end"]].lower() == label.lower()
        assert any(aid.startswith(ref["comment_id"] + ":") for aid in t["answer_ids"])
        assert _content(words[0], stop) and _content(words[-1], stop), label  # no stop word or yes/no at an edge
        assert not _only_yes_no(words, stop), label
        assert label[0] == label[0].upper()
        names.append(label)
    for q in data["questions"]:
        mine = [t["label"].lower() for t in data["themes"] if t["question_id"] == q["id"]]
        assert len(mine) == len(set(mine)), mine  # two themes of one question never share a name
    return names


def test_seed_theme_names_are_phrases_from_their_answers(seed_analysis):
    names = _check_names(seed_analysis)
    assert len(names) == len(seed_analysis["themes"])  # the seed's answers all have words to name them by
    assert "Ressurser, tilstedeværelse, slike" not in names


@pytest.fixture(scope="module")
def examples(embedder):
    from innspill.pipeline import analyze

    from conftest import EXAMPLES

    return {name: analyze(str(EXAMPLES / name), embedder=embedder).to_dict()
            for name in ("kantine-nb.txt", "townhall-en.txt")}


@pytest.mark.parametrize("name", ["kantine-nb.txt", "townhall-en.txt"])
def test_example_theme_names_are_phrases_from_their_answers(examples, name):
    data = examples[name]
    names = _check_names(data)
    assert len(names) >= len(data["themes"]) - 1  # at most one theme of bare "Ja." / "No."


def test_theme_names_without_embeddings():
    from innspill.pipeline import analyze

    from conftest import EXAMPLES

    for name in ("kantine-nb.txt", "townhall-en.txt"):
        a = analyze(str(EXAMPLES / name), embedder=None).to_dict()
        _check_names(a)
        assert [t["label"] for t in a["themes"]] == [t["label"] for t in analyze(str(EXAMPLES / name)).to_dict()["themes"]]


def test_the_brief_shows_the_names(seed_analysis, tmp_path):
    from innspill.report import write_brief

    for fmt in ("md", "html"):
        out = tmp_path / f"b.{fmt}"
        write_brief(seed_analysis, str(out), fmt=fmt, lang="nb")
        text = out.read_text(encoding="utf-8")
        for t in seed_analysis["themes"]:
            if not t["other"]:
                assert t["label"] in text or html.escape(t["label"]) in text, (fmt, t["label"])
                assert ", ".join(t["terms"]) not in text


def test_a_withdrawn_comment_takes_its_words_out_of_the_name(seed_analysis):
    data = copy.deepcopy(seed_analysis)
    t = next(t for t in data["themes"] if t["label_ref"] and t["size"] >= 3)
    gone = t["label_ref"]["comment_id"]
    c = next(c for c in data["comments"] if c["id"] == gone)
    c["text"] = ""  # as the web app scrubs a withdrawn comment
    data["answers"] = [a for a in data["answers"] if a["comment_id"] != gone]
    names = shown_labels(data)
    assert names[t["id"]] != t["label"]
    assert set(names[t["id"]].split(", ")) <= set(t["terms"])
    assert all(names[x["id"]] == x["label"] for x in data["themes"] if x["label_ref"] is None
               or x["label_ref"]["comment_id"] != gone)
