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
from .errors import InnspillError
from .evaluate import collect, load_json, score
from .model import STANCES


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
    per_thread, records, lex_records = [], [], []
    t0 = time.perf_counter()
    for gp in gold_paths:
        gold = load_json(gp, "gold")
        path = _thread_path(gold, gp)
        if progress:
            progress(path)
        rec = collect(gold, analyze(path, embedder=embedder).to_dict(), gp)
        records.append(rec)
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
    if lexicon_baseline:
        lex = score(lex_records)
        out["pooled_lexicon_only"] = {"segmentation": lex["segmentation"], "stance_yesno": {
            k: lex["stance_yesno"][k] for k in ("accuracy", "macro_f1", "matched")}}
    return out


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def markdown(result: dict, command: str) -> str:
    p = result["pooled"]
    st, sa, seg, base = p["stance_yesno"], p["stance_all"], p["segmentation"], p["segmentation_baseline_all_pairs"]
    lines = [
        "# Accuracy on the labelled threads",
        "",
        f"Written by `{command}` ({result['tool']}, Python {result['python']}, {result['seconds']} s). "
        "Do not edit by hand; run the command again.",
        "",
        "Gold labels: `examples/`, `tests/data/seed.gold.json` and `evaluation/threads/` "
        "(how they were made and their limits: `evaluation/DATACARD.md`, `examples/README.md`).",
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
