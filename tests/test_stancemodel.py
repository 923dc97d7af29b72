"""The trained stance reader (innspill.stancemodel): the shipped file, its errors, the rules it
keeps, how it combines with them, and what it writes into the analysis."""

import json
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from innspill import cli
from innspill.contract import STANCES
from innspill.errors import InnspillError
from innspill.pipeline import analyze
from innspill.stancemodel import CARD_FILE, MODEL_FILE, StanceModel, default_model, is_lone

from conftest import EXAMPLES

DATA_DIR = Path(str(resources.files("innspill") / "data"))


def test_the_shipped_model_loads_small_and_checked():
    m = default_model()
    card = m.card  # the card names what made it and how it is read
    assert card["id"] and card["version"] and card["made_by"].startswith(("training/train_stance.py",
                                                                          "training/train_cross.py"))
    assert set(m.spec) <= {"a", "q", "p", "aq", "rule"} and m.temperature > 0 and m.combined_t > 0
    assert (DATA_DIR / MODEL_FILE).stat().st_size < 20 * 1024 * 1024
    # every answer of a run gets a probability for each stance
    x = np.zeros((3, sum({"a": 384, "q": 384, "p": 384, "aq": 384, "rule": 22}[k] for k in m.spec)))
    if card.get("kind") == "cross-encoder":
        p = m.pair_probs(["Bør vi?"] * 3, ["Ja.", "Nei, aldri.", "Kanskje"], x)
    else:
        p = m.probs(x)
    assert p.shape == (3, 4) and np.allclose(p.sum(axis=1), 1.0)


def cross_model() -> StanceModel:
    """The shipped cross-encoder (INNSPILL_STANCE_MODEL=cross)."""
    import os

    old = os.environ.get("INNSPILL_STANCE_MODEL")
    os.environ["INNSPILL_STANCE_MODEL"] = "cross"
    try:
        return default_model()
    finally:
        if old is None:
            del os.environ["INNSPILL_STANCE_MODEL"]
        else:
            os.environ["INNSPILL_STANCE_MODEL"] = old


def test_the_default_is_the_cross_encoder_and_the_network_can_be_chosen(embedder, monkeypatch):
    """Since session 10 the cross-encoder is the default; INNSPILL_STANCE_MODEL=network reads with the
    network over frozen vectors (data/stance-model.*), end to end."""
    monkeypatch.delenv("INNSPILL_STANCE_MODEL", raising=False)
    assert default_model().card.get("kind") == "cross-encoder"
    monkeypatch.setenv("INNSPILL_STANCE_MODEL", "network")
    m = default_model()
    assert m.card.get("kind") != "cross-encoder" and m.card["made_by"].startswith("training/train_stance.py")
    data = analyze(str(EXAMPLES / "kantine-nb.txt"), embedder=embedder).to_dict()
    info = data["provenance"]["stance_model"]
    assert info["id"] == m.id and "kind" not in info
    assert data["answers"] and all(set(a["provenance"]["model_probs"]) == set(STANCES) for a in data["answers"])


def test_the_cross_encoder_reads_a_thread_end_to_end(embedder, monkeypatch):
    monkeypatch.setenv("INNSPILL_STANCE_MODEL", "cross")
    data = analyze(str(EXAMPLES / "townhall-en.txt"), embedder=embedder).to_dict()
    info = data["provenance"]["stance_model"]
    assert info["kind"] == "cross-encoder" and info["top_layers"] == 2 and info["id"] == cross_model().id
    texts = {c["id"]: c["text"] for c in data["comments"]}
    assert data["answers"] and all(a["evidence"] in texts[a["comment_id"]] for a in data["answers"])
    assert all(set(a["provenance"]["model_probs"]) == set(STANCES) for a in data["answers"])


def _checks(backend: str, engine_name: str):
    """The card's calibration pairs, read with the cross-encoder on ``backend`` and the features'
    vectors from ``engine_name``; returns (probabilities read, probabilities torch gave)."""
    import os
    import sys

    from innspill.embed import Embedder

    m = StanceModel.load(DATA_DIR / "cross")  # its own instance: the shared one may have built its engine
    m.cross_backend = backend
    assert m.card.get("kind") == "cross-encoder" and m.card["made_by"].startswith("training/train_cross.py")
    assert (DATA_DIR / "cross" / MODEL_FILE).stat().st_size < 20 * 1024 * 1024
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
    from train_stance import features

    rows = [dict(c, id=str(i), stance="none") for i, c in enumerate(m.card["checks"])]
    assert len(rows) >= 5
    old = os.environ.get("INNSPILL_ENGINE")
    os.environ["INNSPILL_ENGINE"] = engine_name
    try:
        x, _, _ = features(rows, Embedder())
    finally:
        if old is None:
            os.environ.pop("INNSPILL_ENGINE")
        else:
            os.environ["INNSPILL_ENGINE"] = old
    p = m.pair_probs([r["question"] for r in rows], [r["text"] for r in rows], x)
    return p, np.array([r["probs"] for r in rows])


def test_the_engine_reads_the_cross_encoder_as_training_did():
    """The card keeps a few calibration pairs with the probabilities torch gave them at training
    (training/train_cross.py make_checks: the lower layers by innspill's int8 engine, the fine-tuned
    top layers in torch); innspill reads them without torch, to 1e-4."""
    m = StanceModel.load(DATA_DIR / "cross")
    assert m.card["lower"].startswith("innspill-engine-int8")
    p, want = _checks("onnx", "onnx")
    assert np.abs(p - want).max() < 1e-4


def test_the_float32_engine_reads_the_cross_encoder_nearly_as_training_did():
    """Without onnxruntime the float32 numpy engine runs every layer; its lower layers differ a little
    from the int8 ones the model was trained over: the probabilities move, the readings do not."""
    p, want = _checks("numpy", "onnx")
    assert np.abs(p - want).max() < 0.1, np.abs(p - want).max()
    assert (p.argmax(1) == want.argmax(1)).all()


def test_a_cross_encoder_trained_on_another_encoder_is_refused(tmp_path):
    m = cross_model()
    other = tmp_path / "m"
    shutil.copytree(DATA_DIR / "cross", other)
    card = json.loads((other / CARD_FILE).read_text())
    card["encoder_sha256"] = "0" * 64
    (other / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(InnspillError) as e:
        StanceModel.load(other).pair_probs(["Q?"], ["A"], np.zeros((1, len(m.mean) - 384)))
    assert e.value.code == "E120" and "another version of the embedding model" in e.value.message


def test_a_missing_or_corrupt_model_is_a_coded_error_with_the_fix(tmp_path):
    good = tmp_path / "good"
    shutil.copytree(DATA_DIR / "cross", good)  # the default model
    assert StanceModel.load(good).card["sha256"] == default_model().card["sha256"]
    broken = tmp_path / "broken"
    shutil.copytree(good, broken)
    raw = bytearray((broken / MODEL_FILE).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (broken / MODEL_FILE).write_bytes(bytes(raw))
    with pytest.raises(InnspillError) as e:
        StanceModel.load(broken)
    assert e.value.code == "E120" and "corrupt" in e.value.message and "make train" in e.value.hint
    (good / CARD_FILE).unlink()
    with pytest.raises(InnspillError) as e:
        StanceModel.load(good)
    assert e.value.code == "E120" and "missing" in e.value.message


def test_the_cli_refuses_a_corrupt_model_with_exit_status_2(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "m"
    shutil.copytree(DATA_DIR / "cross", broken)
    card = json.loads((broken / CARD_FILE).read_text())
    card["sha256"] = "0" * 64
    (broken / CARD_FILE).write_text(json.dumps(card))
    monkeypatch.setenv("INNSPILL_STANCE_MODEL", str(broken))
    rc = cli.main(["analyze", str(EXAMPLES / "kantine-nb.txt"), "-o", str(tmp_path / "a.json"), "--quiet",
                   "--no-cache"])
    assert rc == 2 and "E120" in capsys.readouterr().err
    assert not (tmp_path / "a.json").exists()


@pytest.mark.parametrize("text,lone", [("Ja.", True), ("Nei takk.", True), ("2) Klart nei.", True),
                                       ("Absolutely not", True), ("#3 Nei.", True),
                                       ("Nei, nå får det være nok med utsettelser – sett i gang!", False),
                                       ("Yes, if the buses still stop there.", False)])
def test_lone_answers_are_the_ones_the_rules_keep(text, lone):
    assert is_lone(text) is lone


def test_the_product_of_experts_follows_the_stronger_side():
    m = default_model()
    p_model = np.array([0.7, 0.1, 0.1, 0.1])
    # a confident rule that disagrees moves the reading; a weak one does not
    strong = m.combine(p_model, "against", 0.97)
    weak = m.combine(p_model, "against", 0.15)
    assert np.isclose(strong.sum(), 1.0) and np.isclose(weak.sum(), 1.0)
    assert STANCES[int(weak.argmax())] == "for"
    assert strong[1] > weak[1]
    agree = m.combine(p_model, "for", 0.9)
    assert STANCES[int(agree.argmax())] == "for"


def test_with_weight_zero_the_reading_is_the_models_own():
    m = default_model()
    p_model = np.array([0.2, 0.5, 0.2, 0.1])
    assert np.allclose(m.combine(p_model, "for", 0.97, 0.0), p_model)
    assert m.combine(p_model, "for", 0.97, 1.0)[0] > 0.2  # a weight above 0 moves it toward the rules


def test_in_a_language_no_cue_list_describes_the_cards_other_weight_applies(embedder, monkeypatch):
    """A comment detected as Swedish or German is read with ``rule_weight_other_languages``: the
    same answer in a comment marked nb keeps the product with the rules' verdict."""
    from innspill.contract import Answer, Comment, Question
    from innspill.stance import assign_stances
    from innspill.stancemodel import apply_stance_model

    m = StanceModel.load(DATA_DIR / "cross")  # a copy of its own, not the cached default
    m.rule_weight, m.rule_weight_other = 1.0, 0.0
    # corpus answer W12-0471 (Swedish, ironic, labelled against): the rules read its "Ja," as for
    q = Question("q1", 1, 'Ska biblioteket i Hällberga bli "meröppet", alltså obemannat med lånekort och kod '
                 'mellan 8 och 22 alla dagar?', "yesno")
    text = "Ja, och sen tar man bort bibliotekarierna helt, för det är ju det som egentligen är planen."

    def read(lang):
        c = Comment(id="c1", position=1, original=text, text=text, language=lang)
        a = Answer(comment_id="c1", question_id="q1", text=text, start=0, end=len(text), how="numbered")
        assign_stances([a], [c], [q], "nb")
        rule_stance, rule_conf = a.stance, a.confidence
        info = apply_stance_model([a], [c], [q], embedder, m)
        return a, rule_stance, rule_conf, info

    a_sv, rule_stance, rule_conf, info = read("sv")
    p = np.array([a_sv.provenance["model_probs"][s] for s in STANCES])
    assert a_sv.stance == STANCES[int(p.argmax())]  # the model's own reading
    assert info["rule_weight_other_languages"] == 0.0 and "sv" not in info["cue_languages"]
    a_nb, *_ = read("nb")
    expected = m.combine(np.array(p), rule_stance, rule_conf, 1.0)
    assert a_nb.stance == STANCES[int(expected.argmax())]
    assert a_nb.confidence == pytest.approx(float(expected.max()), abs=0.01)  # model_probs are rounded
    # with the shipped model the two differ here: the model reads the irony (against, the writer's
    # label), the product with the rules' "for" at weight 1 does not
    assert (rule_stance, a_sv.stance, a_nb.stance) == ("for", "against", "for")


def test_the_analysis_names_the_model_and_keeps_both_readings(embedder):
    data = analyze(str(EXAMPLES / "kantine-nb.txt"), embedder=embedder).to_dict()
    info = data["provenance"]["stance_model"]
    m = default_model()
    assert info["id"] == m.id and info["sha256"] == m.card["sha256"]
    assert "stance-model" in data["provenance"]["stages"]
    texts = {c["id"]: c["text"] for c in data["comments"]}
    by = set()
    for a in data["answers"]:
        prov = a["provenance"]
        assert prov["rule_stance"] in STANCES and set(prov["model_probs"]) == set(STANCES)
        assert a["evidence"] and a["evidence"] in texts[a["comment_id"]]  # verbatim
        assert 0.0 <= a["confidence"] <= 1.0
        by.add(prov["stance_by"])
    assert by == {"rule", "model"}


def test_without_embeddings_the_rules_read_alone_and_say_so():
    data = analyze(str(EXAMPLES / "kantine-nb.txt"), use_embeddings=False).to_dict()
    assert data["provenance"]["stance_model"] is None
    assert [w["code"] for w in data["warnings"]].count("W301") == 1
    assert all("model_probs" not in a["provenance"] for a in data["answers"])


def test_a_reading_does_not_depend_on_the_other_answers_in_the_run(embedder):
    """The same answers read alone or among others give the same stance and confidence."""
    from innspill.contract import Answer, Comment, Question
    from innspill.stance import assign_stances
    from innspill.stancemodel import apply_stance_model

    q = Question("q1", 1, "Bør kantina servere varm mat hver dag?", "yesno")
    texts = ["Nei, det blir for dyrt for de ansatte.", "Ja takk!", "Det kommer an på prisen.",
             "Varm mat hver dag hadde vært et løft for oss som jobber turnus."]
    def run(idx):
        comments = [Comment(id=f"c{i}", position=i + 1, original=texts[i]) for i in idx]
        answers = [Answer(comment_id=c.id, question_id="q1", text=c.text, start=0, end=len(c.text), how="numbered")
                   for c in comments]
        assign_stances(answers, comments, [q], "nb")
        apply_stance_model(answers, comments, [q], embedder)
        return {a.comment_id: (a.stance, a.confidence, a.evidence) for a in answers}
    together = run(range(4))
    for i in range(4):
        assert run([i])[f"c{i}"] == together[f"c{i}"]
    assert together == run([3, 1, 0, 2])


def test_the_cross_encoders_states_are_computed_once_and_cached_bit_for_bit(tmp_path, monkeypatch):
    """Reading a thread again (the web app re-analyses after moderation) takes each pair's state
    from the disk cache: the same bits the engine computes, and identical pairs computed once."""
    m = StanceModel.load(DATA_DIR / "cross")
    rows = m.card["checks"]
    qs = [r["question"] for r in rows] + [rows[0]["question"]]
    ans = [r["text"] for r in rows] + [rows[0]["text"]]  # the first pair twice
    fresh = m.pooled(qs, ans)
    calls = []
    real = m.cross_encoder().pooled
    monkeypatch.setattr(m.cross, "pooled", lambda q, a: calls.append(len(q)) or real(q, a))
    first = m.pooled(qs, ans, str(tmp_path))
    again = m.pooled(qs, ans, str(tmp_path))
    assert calls == [len(rows)]  # the repeated pair once; nothing the second time
    assert np.array_equal(first, fresh) and np.array_equal(again, fresh)
    assert np.array_equal(fresh[-1], fresh[0])



def test_the_card_may_weigh_the_openers_apart_from_the_cue_rules():
    """``rule_weight_openers`` (choose_rule_weight.py --by-rule) applies to the rules' opener-*
    readings in a cue language; absent, every rule has the one ``rule_weight`` (the shipped card)."""
    shipped = StanceModel.load(DATA_DIR / "cross")
    assert "rule_weight_openers" not in shipped.card  # not adopted (docs/figures.md, session 16)
    assert shipped.weight_for("opener-no", "nb") == shipped.weight_for("polarity", "nb") == shipped.rule_weight
    card = {**shipped.card, "rule_weight": 1.0, "rule_weight_openers": 0.25, "rule_weight_other_languages": 0.0}
    m = StanceModel(card, dict(np.load(DATA_DIR / "cross" / "stance-model.npz")))
    assert [m.weight_for(r, lang) for r, lang in
            (("opener-yes", "nb"), ("opener-conditional", None), ("polarity", "en"), ("no-cue", "nn"),
             ("opener-no", "sv"), ("polarity", "de"))] == [0.25, 0.25, 1.0, 1.0, 0.0, 0.0]
