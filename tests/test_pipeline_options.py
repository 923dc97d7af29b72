"""RunOptions and one Progress object instead of keyword lists and callbacks (issue 22); the
keywords of earlier versions still work."""

import io

import pytest

from innspill.ingest import ReadOptions, read_input
from innspill.pipeline import Progress, RunOptions, analyze, analyze_all, run_stages

from conftest import EXAMPLES

KANTINE = str(EXAMPLES / "kantine-nb.txt")


def _json(analysis) -> str:
    buf = io.StringIO()
    analysis.write_json(buf)
    return buf.getvalue()


class Recorder(Progress):
    def __init__(self):
        super().__init__()
        self.events = []

    def stage(self, name):
        self.events.append(("start", name))

    def stage_done(self, name, seconds):
        super().stage_done(name, seconds)
        self.events.append(("done", name))


def test_options_and_progress_give_the_keywords_analysis():
    rec = Recorder()
    new = analyze(KANTINE, options=RunOptions(use_embeddings=False), progress=rec)
    names, timings = [], {}
    old = analyze(KANTINE, use_embeddings=False, progress=names.append, timings=timings)
    assert _json(new) == _json(old)
    stages = new.provenance["stages"]
    assert rec.events == [(e, n) for n in stages for e in ("start", "done")]
    assert names == stages and set(timings) == set(rec.timings) == set(stages)
    assert all(v >= 0 for v in rec.timings.values())


def test_analyze_all_takes_options_and_progress():
    rec = Recorder()
    (a,) = analyze_all(KANTINE, ReadOptions(), options=RunOptions(use_embeddings=False), progress=rec)
    assert [n for e, n in rec.events if e == "start"] == a.provenance["stages"]


def test_options_and_keywords_together_are_refused():
    with pytest.raises(TypeError, match="use_embeddings"):
        analyze(KANTINE, options=RunOptions(use_embeddings=False), use_embeddings=False)
    with pytest.raises(TypeError, match="Progress"):
        analyze(KANTINE, options=RunOptions(use_embeddings=False), progress=Progress(), timings={})


def test_run_stages_keeps_the_web_apps_step():
    """The web app calls run_stages with its own ``step`` (it acts around dedupe and stance)."""
    seen = []

    def step(name, fn, *args, **kwargs):
        seen.append(name)
        return fn(*args, **kwargs)

    a = run_stages(read_input(KANTINE), use_embeddings=False, step=step)
    assert seen == a.provenance["stages"][1:]  # the caller read the thread
    b = run_stages(read_input(KANTINE), options=RunOptions(use_embeddings=False), progress=Progress())
    assert _json(a) == _json(b)
