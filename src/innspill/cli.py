"""Command line: a thin layer over the library (``innspill analyze``, ``innspill eval``)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sqlite3
import sys
import time

from . import __version__
from .errors import InnspillError
from .ingest import DEFAULT_MAX_BYTES, FORMATS, ReadOptions, parse_size


def add_read_options(p: argparse.ArgumentParser) -> None:
    """Options that say how to read the input (shared by analyze and inspect)."""
    p.add_argument("--questions", metavar="FILE", help="the questions, one a line (overrides those found in the post)")
    p.add_argument("--format", choices=FORMATS, default="auto", help="input format (default: auto, sniffed)")
    p.add_argument("--encoding", default="auto",
                   help="text encoding of INPUT (default: auto: byte-order mark, UTF-8, or detected for CSV/HTML)")
    p.add_argument("--max-size", default=f"{DEFAULT_MAX_BYTES // 1024 // 1024}MB", metavar="SIZE",
                   help=f"refuse inputs larger than this (default: {DEFAULT_MAX_BYTES // 1024 // 1024}MB)")
    p.add_argument("--post", metavar="ID|SLUG", help="the post to read from a WordPress or Disqus export "
                                                     "(default: every post with comments)")
    p.add_argument("--partial", action="store_true",
                   help="read a truncated or malformed file up to the break (a warning) instead of failing")
    p.add_argument("--text-col", metavar="COL", help="CSV/xlsx: the column with the comment text (name, letter or number)")
    p.add_argument("--author-col", metavar="COL", help="CSV/xlsx: the column with the author")
    p.add_argument("--question-cols", metavar="COLS",
                   help="CSV/xlsx: comma-separated columns that each answer one question (the header is the question)")


def read_options(args) -> ReadOptions:
    cols = [c for c in (args.question_cols or "").split(",") if c.strip()] or None
    return ReadOptions(fmt=args.format, encoding=args.encoding, max_bytes=parse_size(args.max_size),
                       post=args.post, partial=args.partial, text_col=args.text_col, author_col=args.author_col,
                       question_cols=cols)

FORMATS_BRIEF = ("html", "pdf", "md", "pptx", "csv", "json")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="innspill",
        description="Read comments that answer a set of questions; find what each answers and its stance. Offline.")
    p.add_argument("--version", action="version", version=f"innspill {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    add_analyze_command(sub)
    add_brief_command(sub)
    add_read_commands(sub)
    add_web_commands(sub)
    return p


def add_analyze_command(sub) -> None:
    a = sub.add_parser("analyze", help="analyse a comment thread and write innspill.analysis/1 JSON",
                       description="Read INPUT (a thread as text, JSONL, WXR, Disqus, HTML, CSV, xlsx), repair it, link duplicates, "
                                   "split answers per question, find each answer's stance; write JSON and "
                                   "print a summary per question.")
    a.add_argument("input", metavar="INPUT", help="the thread: plain text copied from a page, JSONL, a WordPress "
                                                  "or Disqus export, a saved page, CSV or .xlsx")
    a.add_argument("-o", "--output", default="analysis.json", metavar="FILE",
                   help="where to write the analysis JSON (default: analysis.json)")
    add_read_options(a)
    a.add_argument("--lang", choices=("auto", "nb", "nn", "en"), default="auto",
                   help="language of the thread (default: auto-detect)")
    a.add_argument("--no-embeddings", action="store_true",
                   help="match answers to questions by words only (faster, less accurate)")
    a.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="keep embeddings here between runs (default: ~/.cache/innspill, or $XDG_CACHE_HOME/innspill)")
    a.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache on disk")
    a.add_argument("--runner", choices=("local", "dask"), default="local",
                   help="run the stages in this process (default) or over partitions on a Dask cluster")
    a.add_argument("--scheduler", metavar="ADDRESS", help="with --runner dask: an existing scheduler, e.g. tcp://host:8786 "
                                                         "(default: start a local cluster)")
    a.add_argument("--workers", type=int, default=2, metavar="N",
                   help="with --runner dask and no --scheduler: worker processes of the local cluster (default 2)")
    a.add_argument("--quiet", action="store_true", help="print nothing but errors")
    a.add_argument("--summary-json", action="store_true", help="print the summary as JSON (stats per question)")
    a.add_argument("--brief", metavar="FILE",
                   help="also write the debate brief (anonymised; format from the extension: .html .pdf .md .pptx "
                        ".csv .json)")


def add_brief_command(sub) -> None:
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
    b.add_argument("--min-answers", type=int, default=5, metavar="N",
                   help="mark every number that rests on fewer than N answers as few answers (default 5)")
    b.add_argument("--count-campaigns", choices=("once", "all"), default="once",
                   help="a campaign or form letter (the same text from several authors) counts as one answer "
                        "(once, the default) or once per author (all); the brief says which")
    b.add_argument("--live", metavar="RESULTS",
                   help="results of a live debate (innspill.live/1 JSON with results) to show beside each question")
    b.add_argument("--straight-liners", choices=("include", "exclude"), default=None,
                   help="with --live: count participants who agreed (or disagreed) with every statement in the "
                        "opinion groups and consensus, or leave them out (default: the choice in the results file; "
                        "computed again from its votes when it differs)")


def add_read_commands(sub) -> None:
    """``inspect``, ``eval`` and ``evalset``: commands that read a thread or an analysis and report."""
    i = sub.add_parser("inspect", help="show what would be read from FILE, without analysing",
                       description="Print the detected format and encoding, posts, questions, comment counts "
                                   "by status, the first comments and warnings.")
    i.add_argument("file", metavar="FILE", help="the input file, as for analyze")
    add_read_options(i)
    i.add_argument("--json", action="store_true", help="print the report as JSON")

    e = sub.add_parser("eval", help="compare an analysis with hand labels (gold) and print the figures",
                       description="Print segmentation precision/recall/F1, stance accuracy on yes/no "
                                   "questions and duplicate precision/recall, each beside a baseline.")
    e.add_argument("gold", metavar="GOLD", help="hand labels, innspill.gold/1 JSON")
    e.add_argument("analysis", metavar="ANALYSIS", help="an analysis written by innspill analyze")
    e.add_argument("--json", action="store_true", help="print the figures as JSON")

    s = sub.add_parser("evalset", help="analyse every labelled thread and report pooled accuracy",
                       description="For each GOLD file, analyse the thread it names, compare, and pool the "
                                   "figures over all threads; optionally write a Markdown report.")
    s.add_argument("golds", metavar="GOLD", nargs="+", help="hand-label files (innspill.gold/1)")
    s.add_argument("--report", metavar="FILE", help="write the Markdown report here (e.g. evaluation/RESULTS.md)")
    s.add_argument("--title", metavar="TEXT", help="the report's heading (default: Accuracy on the labelled threads)")
    s.add_argument("--about", metavar="TEXT", help="the report's line on where the gold labels come from "
                                                   "(default: the development set's)")
    s.add_argument("--json", action="store_true", help="print all figures as JSON")
    s.add_argument("--no-lexicon-baseline", action="store_true",
                   help="skip the words-only (--no-embeddings) baseline run (halves the time)")


def add_web_commands(sub) -> None:
    w = sub.add_parser("serve", help="start the web app (consultations, moderation, review, brief)",
                       description="Start the web app with uvicorn on SQLite in ./innspill-data (or DATABASE_URL), "
                                   "with one background worker for analyses.")
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    w.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    w.add_argument("--data", metavar="DIR", help="folder for the database, secret key and uploads "
                                                 "(default ./innspill-data, or $INNSPILL_DATA)")
    w.add_argument("--demo", action="store_true", help="load the bundled example consultation, analysed")
    w.add_argument("--no-worker", action="store_true", help="do not run analyses in this process "
                                                            "(run innspill worker instead)")
    k = sub.add_parser("worker", help="run queued analyses of the web app",
                       description="Claim jobs from the database (a crashed worker's job is taken over) and run them.")
    k.add_argument("--data", metavar="DIR", help="as for serve")
    k.add_argument("--once", action="store_true", help="run the queued jobs, then stop")
    k.add_argument("--poll", type=float, default=1.0, metavar="SECONDS", help="wait between looks at the queue (default 1)")
    c = sub.add_parser("createadmin", help="create an organiser account for the web app",
                       description="Create an organiser (administrator) account; the password must pass Django's "
                                   "password validators.")
    c.add_argument("--username", required=True, help="the user name")
    c.add_argument("--email", default="", help="e-mail address (optional)")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input "
                                                                 "instead of asking")
    c.add_argument("--data", metavar="DIR", help="as for serve")
    r = sub.add_parser("corrections", help="the web app's stance corrections as training rows for the stance model",
                       description="Export every stance an organiser corrected in the web app's review page as rows "
                                   "of the stance model's training corpus (JSONL); `make train CORRECTIONS=FILE` "
                                   "learns from them.")
    r.add_argument("action", choices=["export"], metavar="export", help="export: write the rows")
    r.add_argument("--consultation", metavar="SLUG", help="only this consultation (default: all)")
    r.add_argument("-o", "--output", default="corrections.jsonl", help="where to write (default corrections.jsonl)")
    r.add_argument("--data", metavar="DIR", help="as for serve")


def cmd_corrections(args) -> int:
    from .web.runtime import setup

    setup(args.data)
    from .web.analysis import corrections, services
    from .web.consultations.models import Consultation

    qs = Consultation.objects.order_by("pk")
    if args.consultation:
        qs = qs.filter(slug=args.consultation)
        if not qs.exists():
            raise InnspillError("E301", f"no consultation {args.consultation!r}", hint="see the slugs in the web app")
    rows = []
    for c in qs:
        run = services.latest_run(c)
        if run is not None:
            rows += corrections.training_rows(corrections.corrected(run), c.slug)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InnspillError("E304", f"cannot write the corrections: {exc.strerror}", path=args.output) from None
    print(f"{len(rows)} corrected answers -> {args.output}")
    return 0


def cmd_serve(args) -> int:
    from .web.runtime import serve

    return serve(args.host, args.port, demo=args.demo, worker=not args.no_worker, data_dir=args.data)


def cmd_worker(args) -> int:
    from .web.runtime import worker

    return worker(once=args.once, poll=args.poll, data_dir=args.data)


def cmd_createadmin(args) -> int:
    from .web.runtime import createadmin

    return createadmin(args.username, args.email, password_stdin=args.password_stdin, data_dir=args.data)


def output_paths(output: str, analyses: list) -> list[str]:
    """``analysis.json`` for one post; ``analysis.<post>.json`` each when a file holds several."""
    if len(analyses) == 1:
        return [output]
    stem, ext = os.path.splitext(output)
    names = []
    for a in analyses:
        key = str(a.source.get("post_slug") or a.source.get("post_id") or len(names) + 1)
        key = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in key)[:60]
        names.append(f"{stem}.{key}{ext or '.json'}")
    return names


def write_analysis(analysis, path: str, provenance_extra: dict) -> None:
    """The analysis JSON, written comment by comment (see ``Analysis.write_json``)."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            analysis.write_json(fh, provenance_extra)
        os.replace(tmp, path)
    except OSError as exc:
        raise InnspillError("E304", f"cannot write the output: {exc.strerror}", path=path) from None


def cmd_analyze(args) -> int:
    from . import summary
    from .embed import Embedder, default_cache_dir

    if args.workers < 1:
        raise InnspillError("E301", f"--workers must be at least 1, not {args.workers}")
    from .pipeline import RunOptions, analyze_all

    timings: dict = {}
    t0 = time.perf_counter()
    if args.brief:
        from .report import format_for

        format_for(args.brief, None)  # a bad file name fails before the work, not after
    opts = read_options(args)
    bar = _progress_bar(args.quiet)
    embedder = None
    if not args.no_embeddings:
        cache = None if args.no_cache else (args.cache_dir or default_cache_dir())
        try:
            embedder = Embedder(cache_dir=cache, progress=bar,
                                on_estimate=None if args.quiet else _print_estimate)
        except (OSError, sqlite3.Error) as exc:
            raise InnspillError("E304", f"cannot use the embedding cache: {exc}", path=cache,
                                hint="give another --cache-dir, or --no-cache") from None
    try:
        options = RunOptions(lang=args.lang, embedder=embedder, use_embeddings=not args.no_embeddings,
                             runner=args.runner, scheduler=args.scheduler, workers=args.workers)
        analyses = analyze_all(args.input, opts, questions_file=args.questions, options=options,
                               progress=_bar_progress(bar, timings))
    except KeyboardInterrupt:
        if bar:
            bar(None, None)
        if embedder is not None and embedder.cache_path:
            done = ("the texts the workers embedded" if getattr(args, "runner", "local") == "dask"
                    else f"{embedder.calls} texts were embedded in this run and")
            print(f"\ninterrupted: {done} are kept in {embedder.cache_path}; run the same command again to go on "
                  "from there", file=sys.stderr)
        raise
    if bar:
        bar(None, None)
    briefs = output_paths(args.brief, analyses) if args.brief else [None] * len(analyses)
    for analysis, path, brief in zip(analyses, output_paths(args.output, analyses), briefs):
        seconds = {"seconds": {k: round(v, 3) for k, v in timings.items()}}
        write_analysis(analysis, path, seconds)
        if brief:
            from .report import write_brief

            data = analysis.to_dict()
            data["provenance"].update(seconds)
            write_brief(data, brief)
        if args.summary_json:
            print(json.dumps(analysis.stats(), ensure_ascii=False, indent=1))
        elif not args.quiet:
            print(summary.render(analysis))
            print(f"\nwrote {path}" + (f" and {brief}" if brief else "") + f" in {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_brief(args) -> int:
    from .evaluate import load_analysis
    from .report import write_brief

    t0 = time.perf_counter()
    data = load_analysis(args.analysis)
    live = None
    if args.live:
        from .report.live_votes import load as load_live

        live = load_live(args.live, None if args.straight_liners is None else args.straight_liners == "include")
    elif args.straight_liners:
        raise InnspillError("E301", "--straight-liners needs --live RESULTS")
    try:
        fmt = write_brief(data, args.output, args.format, args.lang, anonymise=args.anonymise,
                          min_answers=args.min_answers, count_campaigns=args.count_campaigns, live=live)
    except (KeyError, TypeError) as exc:
        raise InnspillError("E204", f"the analysis lacks a field the brief needs ({exc})", path=args.analysis,
                            hint="write it again with this version of innspill analyze") from None
    mode = "anonymised" if args.anonymise else "including sensitive content"
    print(f"wrote {args.output} ({fmt}, {mode}) in {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_inspect(args) -> int:
    from .inspection import inspect_file, render

    report = inspect_file(args.file, read_options(args), args.questions)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render(report))
    return 0


def _print_estimate(n: int, seconds: float) -> None:
    when = f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"
    print(f"embedding {n} text parts: about {when} on this machine (timed on a sample)", file=sys.stderr)


def _bar_progress(bar, timings: dict):
    """The run's :class:`~innspill.pipeline.Progress`: seconds per stage into ``timings``, and the
    long stages' counts on ``bar`` (:func:`_progress_bar`; none when quiet or not on a terminal)."""
    from .pipeline import Progress

    class BarProgress(Progress):
        def meter(self, done, total, *what) -> None:
            if bar is not None:
                bar(done, total, *what)

    return BarProgress(timings)


def _progress_bar(quiet: bool):
    """A tqdm bar on stderr for the long steps (only on a terminal): ``update(done, total, desc,
    unit)``, with the embedder's ``(done, total)`` as texts embedded; ``update(None, None)``
    closes it. A new description or total starts a new bar (segmentation in batches of
    comments, then embedding the answers for the themes)."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    state: dict = {}

    def update(done, total, desc: str = "embedding", unit: str = "text"):
        if done is None:
            if "bar" in state:
                state.pop("bar").close()
            return
        if unit == "text" and total < 2 * 256:  # short runs: no bar
            return
        if "bar" not in state or state["key"] != (total, desc):
            if "bar" in state:
                state["bar"].close()
            state["bar"] = tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, leave=False)
            state["key"], state["done"] = (total, desc), 0
        state["bar"].update(done - state["done"])
        state["done"] = done

    return update


def cmd_eval(args) -> int:
    from .evaluate import evaluate, load_analysis, load_json, render

    gold = load_json(args.gold, "gold")
    analysis = load_analysis(args.analysis)
    result = evaluate(gold, analysis, args.gold)
    print(json.dumps(result, indent=1) if args.json else render(result))
    return 0


def cmd_evalset(args) -> int:
    from .evalset import markdown, run
    from .evaluate import render

    result = run(args.golds, lexicon_baseline=not args.no_lexicon_baseline,
                 progress=None if args.json else (lambda p: print(f"analysing {p}", file=sys.stderr)))
    if args.json:
        print(json.dumps(result, indent=1, default=list))
    else:
        for r in result["threads"]:
            print(f"{r['thread']}: seg F1 {r['seg_f1']:.3f} (baseline {r['seg_f1_baseline']:.3f}), "
                  f"stance {r['stance_accuracy']:.3f} (baseline {r['stance_baseline']:.3f})")
        print(f"\npooled over {len(result['threads'])} threads")
        print(render(result["pooled"]))
    if args.report:
        command = "innspill evalset " + " ".join(args.golds) + f" --report {args.report}" + "".join(
            f" --{k} {shlex.quote(v)}" for k, v in (("title", args.title), ("about", args.about)) if v)
        try:
            os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
            with open(args.report, "w", encoding="utf-8") as fh:
                fh.write(markdown(result, command, args.title, args.about))
        except OSError as exc:
            raise InnspillError("E304", f"cannot write the report: {exc.strerror}", path=args.report) from None
        if not args.json:
            print(f"\nwrote {args.report}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return {"analyze": cmd_analyze, "inspect": cmd_inspect, "eval": cmd_eval, "evalset": cmd_evalset,
                "brief": cmd_brief, "serve": cmd_serve, "worker": cmd_worker,
                "createadmin": cmd_createadmin, "corrections": cmd_corrections}[args.command](args)
    except InnspillError as exc:
        print(exc.format(), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
