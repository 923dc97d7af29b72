#!/usr/bin/env python3
"""Tables for training/DATACARD.md: pairs per writer, language, stance, kind and way of taking a
side; questions and topics; and, when training/agreement/second.jsonl exists, the agreement of
the second labeller with the writers' labels (Cohen's kappa).

    python3 training/tools/stats.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STANCES = ("for", "against", "mixed", "none")


def rows() -> list[dict]:
    out = []
    for p in sorted((ROOT / "training" / "corpus").glob("*.jsonl")) + sorted((ROOT / "training" / "public").glob("*.jsonl")):
        out += [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def kappa(a: list[str], b: list[str]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in STANCES) / (n * n)
    return (po - pe) / (1 - pe)


def table(title: str, counter: Counter, total: int) -> list[str]:
    lines = [f"| {title} | pairs | share |", "|---|---:|---:|"]
    for k, v in sorted(counter.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v} | {v / total:.1%} |")
    return lines + [""]


def main() -> None:
    rs = rows()
    written = [r for r in rs if r.get("writer") != "perspectrum"]
    out = [f"All pairs: {len(rs)} ({len(written)} written for the project, {len(rs) - len(written)} public).", ""]
    out += table("writer", Counter(r["writer"] for r in rs), len(rs))
    out += table("language (written corpus)", Counter(r["lang"] for r in written), len(written))
    out += table("language (all)", Counter(r["lang"] for r in rs), len(rs))
    out += table("stance (written corpus)", Counter(r["stance"] for r in written), len(written))
    out += table("kind (written corpus)", Counter(r["kind"] for r in written), len(written))
    out += table("way of taking a side (`hows`, written corpus; a pair may have several)",
                 Counter(h for r in written for h in r.get("hows", [])), len(written))
    qs = {r["qid"] for r in rs}
    topics = {(r["writer"], r.get("topic")) for r in rs}
    out.append(f"Questions: {len(qs)} ({len({r['qid'] for r in written})} written); topics (writer, topic): "
               f"{len(topics)} ({len({(r['writer'], r.get('topic')) for r in written})} written).")
    words = sorted(len(r["text"].split()) for r in written)
    out.append(f"Answer length (written): median {words[len(words) // 2]} words, "
               f"{sum(w >= 60 for w in words)} of 60 words or more, {sum(w <= 3 for w in words)} of 3 or fewer.")
    second = ROOT / "training" / "agreement" / "second.jsonl"
    if second.exists():
        by_id = {r["id"]: r["stance"] for r in rs}
        pairs = []
        for line in second.read_text(encoding="utf-8").splitlines():
            if line.strip():
                x = json.loads(line)
                if x["id"] in by_id and x.get("stance") in STANCES:
                    pairs.append((by_id[x["id"]], x["stance"]))
        if pairs:
            a, b = [p[0] for p in pairs], [p[1] for p in pairs]
            agree = sum(x == y for x, y in pairs) / len(pairs)
            out += ["", f"Second labeller: {len(pairs)} pairs, raw agreement {agree:.3f}, Cohen's kappa "
                        f"{kappa(a, b):.3f}.", "", "| writer \\ second | " + " | ".join(STANCES) + " |",
                    "|---|" + "---:|" * len(STANCES)]
            for s in STANCES:
                out.append(f"| {s} | " + " | ".join(str(sum(x == s and y == t for x, y in pairs)) for t in STANCES)
                           + " |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
