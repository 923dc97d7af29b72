#!/usr/bin/env python3
"""Build the evaluation threads and their gold labels from the clean sources.

    python3 evaluation/tools/build_threads.py            # writes evaluation/threads/*.txt and *.gold.json
    python3 evaluation/tools/build_threads.py --check    # fails if a written file differs from a fresh build
    python3 evaluation/tools/build_threads.py --stats    # per-thread table (markdown) for the data card

Each source ``evaluation/source/NAME.src`` holds the post, the comments as clean text (no broken
encoding), the labels, and instructions for the breakage a real page shows: double posts,
truncated copies, near-identical form letters, and broken encoding. This script is the only
thing that writes the broken text, so every broken sequence is one a real round trip produces,
and a rebuild is byte-for-byte the same.

Source format (lines starting with ``@@`` open a block)::

    #kinds: yesno yesno yesno open        question kinds, in question order
    #lang: nb                             main language of the thread (for the data card)
    @@post                                the post, exactly as on the page (questions at 2-space indent)
    @@counter                             one line, the comment counter ("47 kommentarer til «…»")
    @@chrome                              page chrome after the comments
    @@c ID                                a comment; ID is a free label used by copies
    author: Kari Nordmann sier:           optional author line ...
    date: 12. mars 2024 kl. 10:15         ... and date line
    break: mojibake_nb@2,fffd_quotes      breakage, applied in order (@N = only paragraph N)
    ans: 1=for 2=against 4=none           answers; empty or missing = {} (off-topic)
    sens: 1                               sensitive personal story
    style: numbered conditional           answer styles (data card only; not in the gold)
    note: free text                       the gold note
    --                                    the body follows, clean, without indentation
    @@dup ID                              an exact double post of comment ID (as broken as ID)
    @@trunc ID 0.55                       a copy of ID cut off mid-word near 55 % of its body
    @@near ID                             a near-identical copy; header fields (break, style) and body as in @@c
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETS = {"dev": ROOT / "evaluation", "heldout": ROOT / "evaluation" / "heldout",  # each with source/ and threads/
        "heldout2": ROOT / "evaluation" / "heldout2"}
FFFD = "\ufffd"


# --- breakage (the same functions as in examples/README.md) -----------------------------------

def mojibake(s: str) -> str:
    """UTF-8 bytes read as cp1252: å -> Ã¥, ø -> Ã¸, æ -> Ã¦, ’ -> â€™, – -> â€“, ” -> â€�."""
    return s.encode("utf-8").decode("cp1252", errors="replace")


def lost_marks(s: str) -> str:
    """Dashes and curly quotes whose last bytes were lost on the way (as in the seed)."""
    return s.replace("–", "â??").replace("“", "â??").replace("”", "â?")


def mojibake_nb(s: str) -> str:
    """Letters as cp1252 mojibake, dashes and quotes as lost bytes."""
    return lost_marks(mojibake(s).replace("â€“", "–").replace("â€œ", "“").replace("â€" + FFFD, "”"))


def fffd_quotes(s: str) -> str:
    """Quote pairs lost entirely: “word” -> �word�."""
    return s.replace("“", FFFD).replace("”", FFFD)


def latin1_as_utf8(s: str) -> str:
    """Latin-1 text read as UTF-8: every æ, ø, å (and é) becomes U+FFFD."""
    return s.encode("latin-1", errors="replace").decode("utf-8", errors="replace")


BREAKS = {"mojibake": mojibake, "lost_marks": lost_marks, "mojibake_nb": mojibake_nb,
          "fffd_quotes": fffd_quotes, "latin1_as_utf8": latin1_as_utf8}


def apply_breaks(body: str, spec: str) -> str:
    for item in [x.strip() for x in spec.split(",") if x.strip()]:
        name, _, para = item.partition("@")
        fn = BREAKS[name]
        if para:
            paras = body.split("\n\n")
            idx = [int(p) - 1 for p in para.split("+")]
            for i in idx:
                paras[i] = fn(paras[i])
            body = "\n\n".join(paras)
        else:
            body = fn(body)
    return body


def truncate(body: str, frac: float) -> str:
    """Cut the text mid-word at the first letter pair at or after frac of its length."""
    i = max(2, int(len(body) * frac))
    while i < len(body) - 1 and not (body[i - 1].isalpha() and body[i].isalpha()):
        i += 1
    return body[:i]


# --- reading the sources ----------------------------------------------------------------------

class Comment:
    def __init__(self, kind: str, ident: str, arg: str | None = None):
        self.kind, self.id, self.arg = kind, ident, arg
        self.fields: dict[str, str] = {}
        self.body = ""


def parse_source(path: Path):
    meta, blocks, comments = {}, {}, []
    current, mode, buf = None, None, []

    def close():
        nonlocal buf
        text = "\n".join(buf).strip("\n")
        if mode in ("post", "counter", "chrome"):
            blocks[mode] = text
        elif current is not None and mode == "body":
            current.body = text
        buf = []

    for raw in path.read_text(encoding="utf-8").split("\n"):
        line = raw.rstrip()
        if line.startswith("#") and mode is None:
            k, _, v = line[1:].partition(":")
            meta[k.strip()] = v.strip()
            continue
        if line.startswith("@@"):
            close()
            parts = line[2:].split()
            tag = parts[0]
            if tag in ("post", "counter", "chrome"):
                mode, current = tag, None
            else:
                current = Comment(tag, parts[1], parts[2] if len(parts) > 2 else None)
                comments.append(current)
                mode = "fields" if tag in ("c", "near") else None
            continue
        if mode == "fields":
            if line == "--":
                mode = "body"
                continue
            if not line.strip():
                continue
            k, _, v = line.partition(":")
            current.fields[k.strip()] = v.strip()
        elif mode in ("post", "counter", "chrome", "body"):
            buf.append(line)
        elif line.strip():
            raise SystemExit(f"{path.name}: stray line {line!r}")
    close()
    return meta, blocks, comments


def parse_answers(spec: str) -> dict[str, str]:
    out = {}
    for item in spec.split():
        q, _, s = item.partition("=")
        if s not in ("for", "against", "mixed", "none"):
            raise SystemExit(f"bad stance {item!r}")
        out[q] = s
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


# --- building ---------------------------------------------------------------------------------

def render_comment(n: int, author: str | None, date: str | None, body: str) -> str:
    lines = []
    text_lines = body.split("\n")
    if author:
        lines.append(f"  {n}. {author}")
        if date:
            lines.append(f"    {date}")
        lines.append("")
        rest = text_lines
    else:
        lines.append(f"  {n}. {text_lines[0]}")
        rest = text_lines[1:]
    for ln in rest:
        lines.append(f"    {ln}" if ln.strip() else "")
    return "\n".join(lines)


def build(path: Path, folder: str = "evaluation/threads"):
    name = path.name[:-len(".src")]
    meta, blocks, comments = parse_source(path)
    kinds = meta["kinds"].split()
    by_id: dict[str, dict] = {}
    rendered, gold_comments, stats = [], [], []
    for n, c in enumerate(comments, start=1):
        if c.kind in ("c", "near"):
            key = c.id if c.kind == "c" else f"{c.id}~{n}"
            if key in by_id:
                raise SystemExit(f"{name}: duplicate id {c.id}")
            body = apply_breaks(c.body, c.fields.get("break", ""))
            entry = {"pos": n, "author": c.fields.get("author"), "date": c.fields.get("date"), "body": body}
            by_id[key] = entry
            if c.kind == "near":
                orig = by_id[c.id]
                gold_comments.append({"position": n, "duplicate_of": orig["pos"]})
                stats.append({"dup": "near", "style": c.fields.get("style", "").split()})
            else:
                g = {"position": n, "answers": parse_answers(c.fields.get("ans", "")),
                     "sensitive": c.fields.get("sens", "0") in ("1", "yes", "true")}
                if c.fields.get("note"):
                    g["note"] = c.fields["note"]
                for q in g["answers"]:
                    if not 1 <= int(q) <= len(kinds):
                        raise SystemExit(f"{name} #{n}: no question {q}")
                gold_comments.append(g)
                stats.append({"dup": None, "style": [x for x in c.fields.get("style", "").split() if x != "author"]
                              + (["author"] if c.fields.get("author") else []),
                              "answers": g["answers"], "sensitive": g["sensitive"],
                              "broken": bool(c.fields.get("break"))})
        else:
            orig = by_id[c.id]
            body = orig["body"] if c.kind == "dup" else truncate(orig["body"], float(c.arg))
            entry = dict(orig, pos=orig["pos"], body=body)
            gold_comments.append({"position": n, "duplicate_of": orig["pos"]})
            stats.append({"dup": c.kind, "style": []})
        rendered.append(render_comment(n, entry["author"], entry["date"], entry["body"]))

    text = blocks["post"] + "\n\n" + blocks["counter"] + "\n\n" + "\n\n".join(rendered) + "\n\n" \
        + blocks["chrome"] + "\n"
    gold = {"schema": "innspill.gold/1", "thread": f"{folder}/{name}.txt",
            "questions": [{"number": i, "kind": k} for i, k in enumerate(kinds, start=1)],
            "comments": gold_comments}
    return name, meta, text, json.dumps(gold, ensure_ascii=False, indent=2) + "\n", stats


STYLE_ORDER = ["numbered", "quoted", "reference", "positional", "prose", "short", "conditional", "hedge",
               "negation", "irony", "decline", "offtopic", "reply", "single", "mention", "author"]


def table(results) -> str:
    rows = ["| thread | language | questions (y/n + open) | listed | distinct | exact dup | truncated | near | "
            "sensitive | broken enc. | y/n answers: for / against / mixed / none |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    styles_rows = ["| thread | " + " | ".join(STYLE_ORDER) + " |", "|---|" + "---|" * len(STYLE_ORDER)]
    tot = Counter()
    for name, meta, _, gold_text, stats in results:
        gold = json.loads(gold_text)
        kinds = {str(q["number"]): q["kind"] for q in gold["questions"]}
        yn = Counter(s for st in stats if st["dup"] is None for q, s in st["answers"].items()
                     if kinds[q] == "yesno")
        d = Counter(st["dup"] for st in stats)
        sens = sum(st.get("sensitive", False) for st in stats)
        broken = sum(st.get("broken", False) for st in stats)
        nyn = sum(k == "yesno" for k in kinds.values())
        row = [name, meta.get("lang", "?"), f"{len(kinds)} ({nyn} + {len(kinds) - nyn})", len(stats), d[None],
               d["dup"], d["trunc"], d["near"], sens, broken,
               f"{yn['for']} / {yn['against']} / {yn['mixed']} / {yn['none']}"]
        rows.append("| " + " | ".join(str(x) for x in row) + " |")
        sc = Counter(s for st in stats if st["dup"] is None for s in st["style"])
        styles_rows.append(f"| {name} | " + " | ".join(str(sc[s]) for s in STYLE_ORDER) + " |")
        for k, v in (("listed", len(stats)), ("distinct", d[None]), ("dup", d["dup"]), ("trunc", d["trunc"]),
                     ("near", d["near"]), ("sens", sens), ("broken", broken)):
            tot[k] += v
        for s in ("for", "against", "mixed", "none"):
            tot["yn_" + s] += yn[s]
        for s in STYLE_ORDER:
            tot["st_" + s] += sc[s]
    rows.append(f"| **all** | | | {tot['listed']} | {tot['distinct']} | {tot['dup']} | {tot['trunc']} | "
                f"{tot['near']} | {tot['sens']} | {tot['broken']} | {tot['yn_for']} / {tot['yn_against']} / "
                f"{tot['yn_mixed']} / {tot['yn_none']} |")
    styles_rows.append("| **all** | " + " | ".join(str(tot['st_' + s]) for s in STYLE_ORDER) + " |")
    return "\n".join(rows) + "\n\n" + "\n".join(styles_rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("--set", choices=sorted(SETS), default="dev",
                    help="dev: the development set (default); heldout: threads written after the rules, never tuned on; "
                         "heldout2: threads written for the trained reader, by writers who saw neither the rules nor "
                         "the training corpus")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args(argv)
    base = SETS[args.set]
    out = base / "threads"
    paths = sorted((base / "source").glob("*.src"))
    if args.names:
        paths = [p for p in paths if p.name[:-4] in args.names]
    results = [build(p, str(out.relative_to(ROOT))) for p in paths]
    if args.stats:
        print(table(results))
        return 0
    bad = 0
    out.mkdir(parents=True, exist_ok=True)
    for name, _, text, gold, _ in results:
        for fn, content in ((out / f"{name}.txt", text), (out / f"{name}.gold.json", gold)):
            if args.check:
                if not fn.exists() or fn.read_text(encoding="utf-8") != content:
                    print(f"differs: {fn.relative_to(ROOT)}")
                    bad += 1
            else:
                fn.write_text(content, encoding="utf-8")
        if not args.check:
            print(f"wrote {out.relative_to(ROOT)}/{name}.txt and .gold.json")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
