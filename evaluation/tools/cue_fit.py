#!/usr/bin/env python3
"""Which multi-word stance cues fit one development text rather than the language.

    python3 evaluation/tools/cue_fit.py            # the table (Markdown) of every multi-word cue
    python3 evaluation/tools/cue_fit.py --prune    # also remove the fitted ones from src/innspill/lang/*.json

For every multi-word cue of the stance lists in ``src/innspill/lang/{nb,nn,en}.json`` it counts
the distinct comments that contain it in the development threads (``evaluation/threads``, the
examples and the seed: what the cues were written on) and in the training corpus
(``training/corpus``: 8,196 answers written independently of the rules, by writers who never
saw them). A cue that matches exactly one development comment and fewer than two corpus texts
was fitted to the text it was written for: ``--prune`` removes it, unless it is a fixed expression
of the language (``KEEP``, each with its reason). A cue that matches no development comment was
written from the language, not from a text, and stays. A cue seen in two or more
independent corpus texts is general language and stays, however rare it is in development.
The held-out threads are never read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from innspill.ingest import ReadOptions, read_threads  # noqa: E402
from innspill.repair import repair_text  # noqa: E402
from innspill.textutil import CueMatcher  # noqa: E402

LISTS = ("answer_yes", "answer_no", "answer_mixed", "conditions", "declines", "positive", "negative", "normative",
         "alternatives", "irony", "rejections", "rejection_openers", "late_openers", "no_exceptions",
         "agree_with_others")
LANGS = ("nb", "nn", "en")
# fitted by the counts, kept because they are fixed expressions of the language (found in any
# dictionary of idioms or in everyday use far beyond the text they were written for)
KEEP = {
    "yes and no": "the fixed phrase for a mixed answer", "bad idea": "an everyday judgement",
    "oh great": "the common ironic interjection", "oh sure": "the common ironic interjection",
    "what could possibly go wrong": "a set ironic phrase", "can't see the point": "an everyday judgement",
    "wrong way to go": "an everyday judgement", "isn't the answer": "an everyday judgement",
    "i am for": "plain support", "don't care about": "a plain decline",
    "ingen kommentar": "the fixed phrase for declining", "ikke greit": "plain negation of 'greit'",
    "kommer helt an på": "'det kommer an på' with an intensifier", "ser begge sider": "an everyday phrase",
    "har ingenting imot": "plain support", "kan jeg leve med": "an everyday phrase of acceptance",
    "uten unntak": "an everyday phrase", "ja frå meg": "the common 'ja fra meg' in Nynorsk",
    "kje tale om": "dialect form of 'kjem ikkje på tale'", "ikkje ein sjanse": "'ikke en sjanse' in Nynorsk",
    "ser ikkje poenget": "'ser ikke poenget' in Nynorsk", "eg synest det": "plain agreement",
    "det synest eg": "plain agreement", "meir enn nok": "an everyday judgement",
}


def dev_texts() -> list[str]:
    paths = sorted((ROOT / "evaluation" / "threads").glob("*.txt")) + sorted((ROOT / "examples").glob("*.txt"))
    seed = ROOT.parent / "shared" / "seed" / "thread.txt"
    if seed.exists():
        paths.append(seed)
    out = []
    for p in paths:
        for t in read_threads(str(p), ReadOptions()):
            out += [repair_text(c.text)[0] for c in t.comments]
    return sorted(set(out))


def corpus_texts() -> list[str]:
    out = []
    for p in sorted((ROOT / "training" / "corpus").glob("*.jsonl")):
        out += [json.loads(x)["text"] for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def count(cue: str, texts: list[str]) -> int:
    m = CueMatcher([cue])
    return sum(1 for t in texts if m.search(t))


def main(argv: list[str]) -> int:
    prune = "--prune" in argv
    dev, corpus = dev_texts(), corpus_texts()
    rows, removed = [], {}
    for lang in LANGS:
        path = ROOT / "src" / "innspill" / "lang" / f"{lang}.json"
        lex = json.loads(path.read_text(encoding="utf-8"))
        for key in LISTS:
            for cue in lex.get(key, []):
                if " " not in cue.strip():
                    continue
                d, c = count(cue, dev), count(cue, corpus)
                fitted = d == 1 and c < 2 and cue not in KEEP
                why = "removed" if fitted else (f"kept: {KEEP[cue]}" if d == 1 and c < 2 else "kept")
                rows.append((lang, key, cue, d, c, why))
                if fitted:
                    removed.setdefault((lang, key), set()).add(cue)
        if prune:  # one list a line in these files: rewrite only the lines of the lists that lose a cue
            lines = path.read_text(encoding="utf-8").split("\n")
            for key in LISTS:
                gone = removed.get((lang, key), set())
                if not gone:
                    continue
                at = next(i for i, line in enumerate(lines) if line.startswith(f'  "{key}": ['))
                comma = "," if lines[at].rstrip().endswith(",") else ""
                kept = [c for c in lex[key] if c not in gone]
                lines[at] = f'  "{key}": {json.dumps(kept, ensure_ascii=False)}{comma}'
            path.write_text("\n".join(lines), encoding="utf-8")
            json.loads(path.read_text(encoding="utf-8"))  # still valid
    print(f"{len(dev)} development comments, {len(corpus)} corpus texts; {len(rows)} multi-word cues, "
          f"{sum(r[5] == 'removed' for r in rows)} fitted to one text{' (removed)' if prune else ''}, "
          f"{sum(r[5].startswith('kept:') for r in rows)} as rare but kept as general language\n")
    print("| language | list | cue | development comments | corpus texts | |")
    print("|---|---|---|---:|---:|---|")
    for r in sorted(rows, key=lambda r: (r[5] == "kept", r[5], r[0], r[1], r[2])):
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
