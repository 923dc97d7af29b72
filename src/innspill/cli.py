"""Command line: a thin layer over the library (``innspill analyze``, ``innspill eval``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from . import __version__
from .errors import InnspillError
from .ingest import DEFAULT_MAX_BYTES, FORMATS, parse_size

FORMATS_BRIEF = ("html", "pdf", "md", "pptx", "csv", "json")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="innspill",
        description="Read comments that answer a set of questions; find what each answers and its stance. Offline.")
    p.add_argument("--version", action="version", version=f"innspill {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser("analyze", help="analyse a comment thread and write innspill.analysis/1 JSON",
                       description="Read INPUT (a plain-text thread or JSONL), repair it, link duplicates, "
                                   "split answers per question, find each answer's stance; write JSON and "
                                   "print a summary per question.")
    a.add_argument("input", metavar="INPUT", help="the thread: plain text copied from a page, or JSONL")
    a.add_argument("-o", "--output", default="analysis.json", metavar="FILE",
                   help="where to write the analysis JSON (default: analysis.json)")
    a.add_argument("--questions", metavar="FILE", help="the questions, one a line (overrides those found in the post)")
    a.add_argument("--format", choices=FORMATS, default="auto", help="input format (default: auto)")
    a.add_argument("--lang", choices=("auto", "nb", "nn", "en"), default="auto",
                   help="language of the thread (default: auto-detect)")
    a.add_argument("--encoding", default="utf-8", help="text encoding of INPUT (default: utf-8; e.g. cp1252)")
    a.add_argument("--max-size", default=f"{DEFAULT_MAX_BYTES // 1024 // 1024}MB", metavar="SIZE",
                   help="refuse inputs larger than this (default: 25MB)")
    a.add_argument("--no-embeddings", action="store_true",
                   help="match answers to questions by words only (faster, less accurate)")
    a.add_argument("--quiet", action="store_true", help="print nothing but errors")
    a.add_argument("--summary-json", action="store_true", help="print the summary as JSON (stats per question)")
    a.add_argument("--brief", metavar="FILE",
                   help="also write the debate brief (anonymised; format from the extension: .html .pdf .md .pptx "
                        ".csv .json)")

    b = sub.add_parser("brief", help="write the debate brief of an analysis (HTML, PDF, Markdown, PPTX, CSV, JSON)",
                       description="Read an analysis written by innspill analyze and write the debate brief: per "
                                   "question the stance counts and chart, themes with verbatim quotes, agreement, "
                                   "minority views and who declined; debate statements and personal stories. "
                                   "Anonymised unless --include-sensitive is given.")
    b.add_argument("analysis", metavar="ANALYSIS", help="an analysis written by innspill analyze")
    b.add_argument("-o", "--output", default="brief.html", metavar="FILE",
                   help="where to write the brief (default: brief.html)")
    b.add_argument("--format", choices=FORMATS_BRIEF, default=None,
                   help="output format (default: from the file name's extension)")
    b.add_argument("--lang", choices=("nb", "en"), default=None,
                   help="language of the brief (default: nb for Norwegian threads, else en)")
    mode = b.add_mutually_exclusive_group()
    mode.add_argument("--anonymise", dest="anonymise", action="store_true", default=True,
                      help="mask names, e-mail addresses and phone numbers in quotes; summarise sensitive stories "
                           "(the default)")
    mode.add_argument("--include-sensitive", dest="anonymise", action="store_false",
                      help="quote unmasked, including sensitive stories (for the organiser only; the brief says so)")

    e = sub.add_parser("eval", help="compare an analysis with hand labels (gold) and print the figures",
                       description="Print segmentation precision/recall/F1, stance accuracy on yes/no "
                                   "questions and duplicate precision/recall, each beside a baseline.")
    e.add_argument("gold", metavar="GOLD", help="hand labels, innspill.gold/1 JSON")
    e.add_argument("analysis", metavar="ANALYSIS", help="an analysis written by innspill analyze")
    e.add_argument("--json", action="store_true", help="print the figures as JSON")
    return p


def cmd_analyze(args) -> int:
    from . import summary
    from .pipeline import analyze

    timings: dict = {}
    t0 = time.perf_counter()
    if args.brief:
        from .report import format_for

        format_for(args.brief, None)  # a bad file name fails before the work, not after
    analysis = analyze(args.input, fmt=args.format, questions_file=args.questions, lang=args.lang,
                       max_bytes=parse_size(args.max_size), encoding=args.encoding,
                       use_embeddings=not args.no_embeddings, timings=timings)
    data = analysis.to_dict()
    data["provenance"]["seconds"] = {k: round(v, 3) for k, v in timings.items()}
    out_dir = os.path.dirname(os.path.abspath(args.output))
    try:
        os.makedirs(out_dir, exist_ok=True)
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, args.output)
    except OSError as exc:
        raise InnspillError("E301", f"cannot write the output: {exc.strerror}", path=args.output) from None
    if args.brief:
        from .report import write_brief

        write_brief(data, args.brief)
    if args.summary_json:
        print(json.dumps(data["stats"], ensure_ascii=False, indent=1))
    elif not args.quiet:
        print(summary.render(analysis))
        print(f"\nwrote {args.output}" + (f" and {args.brief}" if args.brief else "")
              + f" in {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_brief(args) -> int:
    from .evaluate import load_json
    from .report import write_brief

    t0 = time.perf_counter()
    data = load_json(args.analysis, "analysis")
    if not isinstance(data, dict) or data.get("schema") != "innspill.analysis/1":
        raise InnspillError("E204", "not an innspill.analysis/1 file", path=args.analysis,
                            hint="write one with: innspill analyze INPUT -o analysis.json")
    try:
        fmt = write_brief(data, args.output, args.format, args.lang, anonymise=args.anonymise)
    except (KeyError, TypeError) as exc:
        raise InnspillError("E204", f"the analysis lacks a field the brief needs ({exc})", path=args.analysis,
                            hint="write it again with this version of innspill analyze") from None
    mode = "anonymised" if args.anonymise else "including sensitive content"
    print(f"wrote {args.output} ({fmt}, {mode}) in {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_eval(args) -> int:
    from .evaluate import evaluate, load_json, render

    gold = load_json(args.gold, "gold")
    analysis = load_json(args.analysis, "analysis")
    if analysis.get("schema") != "innspill.analysis/1":
        raise InnspillError("E203", "not an innspill.analysis/1 file", path=args.analysis)
    result = evaluate(gold, analysis, args.gold)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return {"analyze": cmd_analyze, "eval": cmd_eval, "brief": cmd_brief}[args.command](args)
    except InnspillError as exc:
        print(exc.format(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
