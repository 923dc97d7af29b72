"""Run the whole pipeline on many labelled threads and write one report (``innspill evalset``).

For each gold file the thread it names is analysed (with embeddings, and once more
with words only as the lexicon-only baseline for segmentation), compared with
:mod:`innspill.evaluate`, and the figures are pooled over all threads. The report
is Markdown (``evaluation/RESULTS.md``) with the command that reproduces it.
"""

from __future__ import annotations

import os
import platform
import time

from . import __version__
from .contract import STANCES
from .errors import InnspillError
from .evaluate import collect, load_json, score


def _thread_path(gold: dict, gold_path: str) -> str:
    name = gold.get("thread")
    if not name:
        raise InnspillError("E203", "gold file names no thread", path=gold_path)
    for base in (os.getcwd(), os.path.dirname(os.path.abspath(gold_path))):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.exists(cand):
            return cand
    raise InnspillError("E101", f"the thread {name!r} named by the gold file is missing", path=gold_path,
                        hint="run from the project root, or fix the gold file's 'thread'")


def run(gold_paths: list[str], *, embedder=None, lexicon_baseline: bool = True, progress=None) -> dict:
    from .embed import Embedder
    from .pipeline import analyze

    embedder = embedder or Embedder()
    per_thread, records, lex_records, items, reader_rows = [], [], [], [], []
    t0 = time.perf_counter()
    for gp in gold_paths:
        gold = load_json(gp, "gold")
        path = _thread_path(gold, gp)
        if progress:
            progress(path)
        data = analyze(path, embedder=embedder).to_dict()
        rec = collect(gold, data, gp)
        records.append(rec)
        items.extend(_stance_items(len(records) - 1, rec, data))
        reader_rows.extend(_reader_rows(rec, data, gold))
        one = score([rec])
        row = {"gold": gp, "thread": gold.get("thread"), "comments": one["comments_gold"],
               "distinct": len(rec["distinct"]), "questions": len(rec["numbers"]),
               "seg_f1": one["segmentation"]["f1"], "seg_f1_baseline": one["segmentation_baseline_all_pairs"]["f1"],
               "stance_accuracy": one["stance_yesno"]["accuracy"],
               "stance_macro_f1": one["stance_yesno"]["macro_f1"],
               "stance_baseline": one["stance_yesno"]["majority_baseline"],
               "yesno_answers": one["stance_yesno"]["gold_answers"]}
        if lexicon_baseline:
            lrec = collect(gold, analyze(path, use_embeddings=False).to_dict(), gp)
            lex_records.append(lrec)
            row["seg_f1_lexicon_only"] = score([lrec])["segmentation"]["f1"]
        per_thread.append(row)
    pooled = score(records)
    out = {"tool": f"innspill {__version__}", "threads": per_thread, "pooled": pooled,
           "seconds": round(time.perf_counter() - t0, 1), "python": platform.python_version()}
    out["readers"] = readers_table(reader_rows)
    if len(records) > 1:
        out["embedding_only_stance"] = embedding_only_stance(items, embedder)
    if lexicon_baseline:
        lex = score(lex_records)
        out["pooled_lexicon_only"] = {"segmentation": lex["segmentation"], "stance_yesno": {
            k: lex["stance_yesno"][k] for k in ("accuracy", "macro_f1", "matched")}}
    return out


def _stance_items(thread: int, rec: dict, data: dict) -> list[tuple[int, str, str, str, str]]:
    """(thread, answer text, question text, gold stance, our stance) of the yes/no answers found."""
    pos_of = {c["id"]: c["position"] for c in data["comments"]}
    qnum = {q["id"]: (q["number"], q["text"]) for q in data["questions"]}
    out = []
    for a in data["answers"]:
        num, qtext = qnum[a["question_id"]]
        key = (pos_of[a["comment_id"]], num)
        if key in rec["pred"] and key in rec["gold_pairs"] and rec["kinds"].get(num) == "yesno":
            out.append((thread, a["text"], qtext, rec["gold_pairs"][key], a["stance"]))
    return out


def _reader_rows(rec: dict, data: dict, gold: dict) -> list[dict]:
    """One row per gold yes/no answer: the thread's language, the gold stance, and what each
    reader said of it (None where segmentation missed the answer): the final stance, the rules'
    (``provenance.rule_stance``) and the model's (``provenance.model_probs``, its argmax)."""
    pos_of = {c["id"]: c["position"] for c in data["comments"]}
    qnum = {q["id"]: q["number"] for q in data["questions"]}
    found = {}
    for a in data["answers"]:
        prov = a.get("provenance") or {}
        probs = prov.get("model_probs")
        found[(pos_of[a["comment_id"]], qnum[a["question_id"]])] = {
            "final": a["stance"], "rules": prov.get("rule_stance", a["stance"]),
            "model": max(probs, key=probs.get) if probs else None}
    from collections import Counter

    # the thread's language as its comments' own languages say (py3langid also knows sv, da, de)
    langs = Counter(c.get("language") for c in data["comments"] if c.get("language") and not c.get("duplicate_of"))
    lang = langs.most_common(1)[0][0] if langs else data.get("language")
    rows = []
    for key, g in sorted(rec["gold_pairs"].items()):
        if rec["kinds"].get(key[1]) != "yesno":
            continue
        f = found.get(key) or {}
        rows.append({"thread": rec["thread"], "lang": lang, "gold": g, "final": f.get("final"),
                     "rules": f.get("rules"), "model": f.get("model")})
    return rows


READERS = ("rules", "model", "final")


def readers_table(rows: list[dict]) -> dict:
    """End-to-end yes/no stance accuracy (a missed answer is wrong) of the rules alone, the model
    alone and the final reader on the same gold answers, per language and per gold class, with
    the majority baseline and the final reader's confusion (a missed answer in column 'missed')."""
    from collections import Counter

    def acc(sub: list[dict], who: str) -> float | None:
        return round(sum(r[who] == r["gold"] for r in sub) / len(sub), 3) if sub else None

    def macro(sub: list[dict], who: str) -> float | None:
        f = []
        for k in STANCES:
            tp = sum(r[who] == k and r["gold"] == k for r in sub)
            fp = sum(r[who] == k and r["gold"] != k for r in sub)
            fn = sum(r[who] != k and r["gold"] == k for r in sub)
            if tp + fp + fn:
                f.append(2 * tp / (2 * tp + fp + fn))
        return round(sum(f) / len(f), 3) if f else None

    def block(sub: list[dict]) -> dict:
        common = Counter(r["gold"] for r in sub).most_common(1)
        out = {"n": len(sub), "found": sum(r["final"] is not None for r in sub),
               "majority": round(common[0][1] / len(sub), 3) if sub else None,
               "majority_stance": common[0][0] if sub else None}
        for who in READERS:
            out[who] = acc(sub, who)
            out[f"{who}_macro_f1"] = macro(sub, who)
        return out

    has_model = any(r["model"] is not None for r in rows)
    if not has_model:
        for r in rows:
            r["model"] = None
    result = {"all": block(rows), "model_present": has_model,
              "by_lang": {lang: block([r for r in rows if r["lang"] == lang]) for lang in sorted({r["lang"] for r in rows})},
              "by_thread": {t: block([r for r in rows if r["thread"] == t]) for t in sorted({r["thread"] for r in rows})},
              "by_class": {g: {who: acc([r for r in rows if r["gold"] == g], who) for who in READERS}
                           | {"n": sum(r["gold"] == g for r in rows)} for g in STANCES},
              "confusion": {g: {p: sum(r["gold"] == g and r["final"] == p for r in rows) for p in STANCES}
                            | {"missed": sum(r["gold"] == g and r["final"] is None for r in rows)} for g in STANCES}}
    return result


def readers_markdown(t: dict) -> list[str]:
    lines = ["", "## Readers compared, yes/no stance end to end (a missed answer counts as wrong)", "",
             "Rules alone (`provenance.rule_stance`), the trained model alone (the argmax of "
             "`provenance.model_probs`), the final reader (the model, except lone yes/no answers the rules read), "
             "and always the commonest stance, on the same gold answers.", "",
             "| slice | gold answers | found | rules | model | final | final macro-F1 | majority baseline |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]

    def row(name: str, b: dict) -> str:
        return (f"| {name} | {b['n']} | {b['found']} | {_f(b['rules'])} | {_f(b['model'])} | {_f(b['final'])} "
                f"| {_f(b['final_macro_f1'])} | {_f(b['majority'])} ({b['majority_stance']}) |")

    lines.append(row("**all**", t["all"]))
    lines += [row(f"language `{k}`", b) for k, b in t["by_lang"].items()]
    lines += [row(f"`{k}`", b) for k, b in t["by_thread"].items()]
    lines += ["", "Per gold class (recall, end to end):", "", "| gold | answers | rules | model | final |",
              "|---|---:|---:|---:|---:|"]
    for g, b in t["by_class"].items():
        lines.append(f"| {g} | {b['n']} | {_f(b['rules'])} | {_f(b['model'])} | {_f(b['final'])} |")
    lines += ["", "Final reader's confusion (rows gold, columns predicted; 'missed' = segmentation did not find it):", "",
              "| gold \\ predicted | " + " | ".join(STANCES) + " | missed |", "|---|" + "---:|" * (len(STANCES) + 1)]
    for g, b in t["confusion"].items():
        lines.append(f"| {g} | " + " | ".join(str(b[p]) for p in STANCES) + f" | {b['missed']} |")
    return lines


def embedding_only_stance(items, embedder, epochs: int = 300, l2: float = 1e-3) -> dict:
    """Baseline: a stance classifier on the e5 embeddings alone (answer, and answer × question),
    trained on the other threads and tested on each thread in turn (leave one thread out).
    Pooled accuracy on the yes/no answers our segmentation found, beside ours on the same."""
    import numpy as np

    from .contract import STANCES

    if not items:
        return {"accuracy": 0.0, "n": 0}
    av = embedder.embed([t for _, t, _, _, _ in items])
    qv = embedder.embed([q for _, _, q, _, _ in items], query=True)
    x = np.hstack([av, av * qv * 20.0, np.ones((len(items), 1), dtype=np.float32)])
    y = np.array([STANCES.index(g) for _, _, _, g, _ in items])
    threads = np.array([t for t, _, _, _, _ in items])
    correct = 0
    for t in sorted(set(threads.tolist())):
        train, test = threads != t, threads == t
        w = np.zeros((x.shape[1], len(STANCES)), dtype=np.float64)
        onehot = np.eye(len(STANCES))[y[train]]
        for _ in range(epochs):  # plain gradient descent on the softmax loss, fixed start: deterministic
            z = x[train] @ w
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            w -= 0.5 * (x[train].T @ (p - onehot) / train.sum() + l2 * w)
        correct += int(((x[test] @ w).argmax(axis=1) == y[test]).sum())
    ours = sum(g == o for _, _, _, g, o in items)
    return {"accuracy": round(correct / len(items), 3), "ours_same_answers": round(ours / len(items), 3),
            "n": len(items)}


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


DEV_ABOUT = ("Gold labels: `examples/`, `tests/data/seed.gold.json` and `evaluation/threads/` "
             "(how they were made and their limits: `evaluation/DATACARD.md`, `examples/README.md`).")


def markdown(result: dict, command: str, title: str | None = None, about: str | None = None) -> str:
    p = result["pooled"]
    st, sa, seg, base = p["stance_yesno"], p["stance_all"], p["segmentation"], p["segmentation_baseline_all_pairs"]
    lines = [
        f"# {title or 'Accuracy on the labelled threads'}",
        "",
        f"Written by `{command}` ({result['tool']}, Python {result['python']}, {result['seconds']} s). "
        "Do not edit by hand; run the command again.",
        "",
        about or DEV_ABOUT,
        "",
        "## Per thread",
        "",
        "| thread | comments | distinct | questions | seg F1 | seg F1, all-pairs baseline | seg F1, words only "
        "| yes/no answers | stance acc | stance macro-F1 | majority baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["threads"]:
        lines.append(f"| `{r['thread']}` | {r['comments']} | {r['distinct']} | {r['questions']} | {_f(r['seg_f1'])} "
                     f"| {_f(r['seg_f1_baseline'])} | {_f(r.get('seg_f1_lexicon_only'))} | {r['yesno_answers']} "
                     f"| {_f(r['stance_accuracy'])} | {_f(r['stance_macro_f1'])} | {_f(r['stance_baseline'])} |")
    lex = result.get("pooled_lexicon_only")
    lines += [
        "",
        f"## Pooled over {p['threads']} threads ({p['comments_gold']} listed comments)",
        "",
        "| figure | innspill | baseline |",
        "|---|---:|---:|",
        f"| segmentation precision / recall / F1 | {seg['precision']:.3f} / {seg['recall']:.3f} / {seg['f1']:.3f} "
        f"| every comment answers every question: {base['f1']:.3f} |",
    ]
    if lex:
        lines.append(f"| segmentation F1, words only (`--no-embeddings`) | {lex['segmentation']['f1']:.3f} | |")
    lines += [
        f"| stance accuracy, yes/no questions ({st['matched']} of {st['gold_answers']} found) | {st['accuracy']:.3f} "
        f"| always '{st['majority_stance']}': {st['majority_baseline']:.3f} |",
        f"| stance macro-F1, yes/no questions | {st['macro_f1']:.3f} | |",
        *([f"| stance accuracy on the same answers: ours (rules and lexicons) vs an embedding-only classifier "
           f"(leave one thread out) | {result['embedding_only_stance']['ours_same_answers']:.3f} "
           f"| {result['embedding_only_stance']['accuracy']:.3f} |"] if result.get("embedding_only_stance") else []),
        f"| stance accuracy counting missed answers as wrong | {st['strict_accuracy']:.3f} | |",
        f"| stance accuracy, all questions ({sa['matched']} found) | {sa['accuracy']:.3f} "
        f"| always '{sa['majority_stance']}': {sa['majority_baseline']:.3f} |",
        f"| duplicates precision / recall | {p['duplicates']['precision']:.3f} / {p['duplicates']['recall']:.3f} "
        f"| ({p['duplicates']['gold']} gold links) |",
        f"| sensitive-story flags precision / recall | {p['sensitive']['precision']:.3f} / {p['sensitive']['recall']:.3f} "
        f"| ({p['sensitive']['gold']} gold, {p['sensitive']['predicted']} flagged) |",
        "",
        "## Stance confusion, yes/no questions (rows gold, columns predicted)",
        "",
        "| gold \\ predicted | " + " | ".join(STANCES) + " |",
        "|---|" + "---:|" * len(STANCES),
    ]
    for g in STANCES:
        lines.append(f"| {g} | " + " | ".join(str(st["confusion"][g][q]) for q in STANCES) + " |")
    if result.get("readers"):
        lines += readers_markdown(result["readers"])
    cal = p["calibration"]
    lines += ["", f"## Calibration of `confidence` (all answers found; expected calibration error {cal['ece']:.3f})",
              "", "| confidence | answers | mean confidence | accuracy |", "|---|---:|---:|---:|"]
    for b in cal["buckets"]:
        lines.append(f"| {b['from']:.1f}–{b['to']:.1f} | {b['n']} | {b['mean_confidence']:.3f} | {b['accuracy']:.3f} |")
    lines += ["", "## Per question", "", "| thread | question | kind | seg P | seg R | seg F1 | stance acc |",
              "|---|---:|---|---:|---:|---:|---:|"]
    for q in p["per_question"]:
        lines.append(f"| `{q['thread']}` | {q['number']} | {q['kind']} | {q['precision']:.3f} | {q['recall']:.3f} "
                     f"| {q['f1']:.3f} | {_f(q['stance_accuracy'])} |")
    return "\n".join(lines) + "\n"
