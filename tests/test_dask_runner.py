"""The Dask runner gives exactly the local runner's analysis (issue 8)."""

import os

import numpy as np
import pytest

from innspill.embed import Embedder
from innspill.pipeline import analyze
from scriptload import load_script

from conftest import SEED

pytest.importorskip("dask.distributed")


def _json(analysis) -> str:
    """The analysis as the CLI writes it (``write_json``), byte for byte, without
    ``provenance.runner`` (the one field that is meant to differ; timings are the CLI's
    ``provenance_extra`` and are not in an analysis)."""
    import io

    prov = dict(analysis.provenance)
    prov.pop("runner", None)
    saved, analysis.provenance = analysis.provenance, prov
    try:
        buf = io.StringIO()
        analysis.write_json(buf)
        return buf.getvalue()
    finally:
        analysis.provenance = saved


def _same(local, dask) -> None:
    """Identical means byte-equal JSON apart from ``provenance.runner`` (and the CLI's timings):
    the written files are compared, then, to say where they differ, their contents."""
    assert dask.provenance["runner"]["name"] == "dask"
    assert "runner" not in local.provenance
    x_json, y_json = _json(local), _json(dask)
    if x_json == y_json:
        return
    a, b = local.to_dict(), dask.to_dict()
    a["provenance"].pop("runner", None)
    b["provenance"].pop("runner", None)
    for key in a:
        if a[key] == b[key]:
            continue
        x, y = a[key], b[key]
        if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            i = next(i for i, (u, v) in enumerate(zip(x, y)) if u != v)
            pytest.fail(f"{key}[{i}] differs (of {len(x)}):\nlocal {x[i]!r}\ndask  {y[i]!r}")
        pytest.fail(f"{key} differs:\nlocal {str(x)[:2000]}\ndask  {str(y)[:2000]}")
    i = next(i for i, (u, v) in enumerate(zip(x_json, y_json)) if u != v)
    pytest.fail(f"the JSON differs at byte {i} (same contents, other order or form):\n"
                f"local {x_json[max(0, i - 200):i + 200]!r}\ndask  {y_json[max(0, i - 200):i + 200]!r}")


def test_same_compares_the_written_json_bytes():
    """Equal contents written in another order are not identical; a differing runner is."""
    from innspill.contract import Analysis
    from innspill.ingest import read_input

    thread = read_input(str(SEED))
    a = Analysis(source=thread.source, questions=thread.questions, comments=thread.comments, post=thread.post,
                 provenance={"tool": "x", "stages": ["read"]})
    b = Analysis(source=thread.source, questions=thread.questions, comments=thread.comments, post=thread.post,
                 provenance={"tool": "x", "stages": ["read"], "runner": {"name": "dask", "workers": 2}})
    _same(a, b)
    b.provenance = {"stages": ["read"], "tool": "x", "runner": {"name": "dask"}}  # same dict, other bytes
    with pytest.raises(pytest.fail.Exception, match="JSON differs"):
        _same(a, b)
    b.provenance = {"tool": "x", "stages": ["read"], "runner": {"name": "dask"}, "seconds": 1}
    with pytest.raises(pytest.fail.Exception, match="provenance differs"):
        _same(a, b)


def test_dask_runner_matches_local_on_the_seed(monkeypatch):
    import tempfile

    from innspill.runners import dask_runner
    made, real = [], tempfile.mkdtemp

    def mkdtemp(*a, **kw):
        path = real(*a, **kw)
        if kw.get("prefix") == "innspill-dask-":
            made.append(path)
        return path
    monkeypatch.setattr(dask_runner.tempfile, "mkdtemp", mkdtemp)
    e = Embedder()
    local = analyze(str(SEED), embedder=e)
    seen = []
    dask_run = analyze(str(SEED), embedder=e, runner="dask", workers=2, meter=lambda *a: seen.append(a))
    _same(local, dask_run)
    local, dask = local.to_dict(), dask_run.to_dict()
    # progress: comments segmented as partitions come back, then the texts embedded for the themes
    seg = [a[:2] for a in seen if a[2:] == ("segmenting", "comment")]
    assert seg[-1] == (11, 11) and [d for d, _ in seg] == sorted(d for d, _ in seg)
    emb = [a for a in seen if len(a) == 2]
    assert emb and emb[-1][0] == emb[-1][1] and all(0 < d <= t for d, t in emb)
    assert dask["stats"]["distinct"] == 11 and len(dask["answers"]) == len(local["answers"]) > 20
    # without a cache the workers shared their vectors through a scratch cache, removed at the end
    assert len(made) == 1 and not os.path.exists(made[0])


def test_interrupted_dask_run_resumes_from_the_workers_cache(tmp_path):
    """Ctrl-C while the workers segment: what they embedded is committed to the shared cache, the
    cluster is closed, and the same run then reuses those vectors (their rows are not written
    again) and gives the uninterrupted analysis."""
    import sqlite3

    cache = str(tmp_path / "cache")

    # Ctrl-C once half the comments are segmented: the seed's partitions are single comments, and
    # the one that comes back first may have had nothing new to embed (on a loaded machine with
    # the faster engine, the first partition back came with an empty cache)
    def stop(done, total, *what):
        if what[:1] == ("segmenting",) and total // 2 <= done < total:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        analyze(str(SEED), embedder=Embedder(cache_dir=cache), runner="dask", workers=2, meter=stop)
    db = next((tmp_path / "cache").glob("embeddings-*.sqlite"))

    def rows():
        with sqlite3.connect(db) as con:
            return dict(con.execute("SELECT key, rowid FROM vec"))
    saved = rows()
    assert saved  # at least what the partitions that came back embedded
    resumed = analyze(str(SEED), embedder=Embedder(cache_dir=cache), runner="dask", workers=2)
    after = rows()
    assert len(after) > len(saved) and {k: after[k] for k in saved} == saved
    _same(analyze(str(SEED), embedder=Embedder()), resumed)


def test_dask_runner_on_a_thread_of_blank_comments():
    from innspill.ingest import read_input
    from innspill.runners.dask_runner import run_stages_dask
    thread = read_input(str(SEED))
    for c in thread.comments:
        c.original = "  "
    a = run_stages_dask(thread, use_embeddings=False, workers=1)
    assert a.answers == [] and len(a.comments) == 22
    assert a.provenance["duplicates_by_kind"] == {"exact": 0, "prefix": 0, "near": 0}


def test_worker_embedder_puts_the_rows_back_in_order():
    from dask.distributed import Client

    from innspill.runners.dask_runner import WorkerEmbedder
    texts = ["busser til Lia", "bybanen", "kveldsruter", "busser til Lia", "skolebuss", "", "rute 22", "nattbuss"]
    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as client:
        w = WorkerEmbedder(client, 3, None, window=2)
        e = Embedder()
        assert np.array_equal(w.embed(texts), e.embed(texts))
        assert np.array_equal(w.embed(texts, query=True), e.embed(texts, query=True))
        assert w.embed([]).shape == (0, e.embed(["x"]).shape[1])
        assert w.calls == 2 * len(texts)


def _generated_thread_matches(folder, cache: str, monkeypatch=None) -> None:
    bench = load_script("benchmarks/bench.py")
    path = folder / "thread.txt"
    bench.generate(2000, path, seed=3)
    # the local run fills the disk cache; the workers read it, so the comparison stays cheap
    local = analyze(str(path), embedder=Embedder(cache_dir=cache))
    if monkeypatch is not None:  # the client's themes fetch vectors again from the workers, as for a large
        from innspill import themes  # question (their cache is shared), instead of keeping them: same themes

        monkeypatch.setattr(themes, "HOLD_BYTES", 0)
    dask = analyze(str(path), embedder=Embedder(cache_dir=cache), runner="dask", workers=2)
    _same(local, dask)
    st = local.stats()
    assert st["comments_read"] == 2000 and st["duplicates"] > 100
    # the client let go of the comments no stage after language reads (innspill.comment_spill)
    assert dask.comments.spilled == st["comments_read"] - st["distinct"]
    assert sum(1 for c in local.comments if c.repairs) > 50


def test_dask_runner_matches_local_on_a_generated_thread(tmp_path, monkeypatch):
    _generated_thread_matches(tmp_path, str(tmp_path / "cache"), monkeypatch)


def test_the_dask_client_holds_only_the_analysed_comments(tmp_path, monkeypatch):
    """Once the language stage has run the client keeps the analysed comments only (the others on
    disk, a few per partition here, so several partitions), and writes the local runner's analysis.
    """
    from innspill import comment_spill

    monkeypatch.setattr(comment_spill, "PART", 9)
    path = tmp_path / "thread.txt"
    load_script("benchmarks/bench.py").generate(400, path, seed=7, form_letters=True)
    local = analyze(str(path), use_embeddings=False)
    x = _json(local)
    del local
    dask = analyze(str(path), use_embeddings=False, runner="dask", workers=2)
    st = dask.stats()
    assert st["comments_read"] == 400 and st["comments_read"] - st["distinct"] > 5 * 9
    assert len(dask.comments.analysed) == st["distinct"] and dask.comments.spilled == 400 - st["distinct"]
    # Not asserted: how many Comment objects are alive in the process afterwards. In about one run of
    # four some of the comments stay alive after the run (19, 38, once 452 more than the analysed ones:
    # whole partitions, held by lists that gc.get_referrers traces no further than lists of lists;
    # session 16, not yet traced), so a count in objects would make this test flaky. The spill itself
    # is asserted above, and what the client's process holds is measured by benchmarks/dask_memory.py.
    # The texts (the comments' and the answers') are held once: a str the client pickled for the workers keeps
    # its UTF-8 form inside it, so the texts sent are replaced by new equal strings (fresh_texts)
    import sys

    def once(t: str) -> bool:
        return sys.getsizeof(t) == sys.getsizeof(t.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass"))
    texts = [c.original for c in dask.comments.analysed] + [a.text for a in dask.answers]
    assert sum(not t.isascii() for t in texts) > 100 and all(once(t) for t in texts)
    assert _json(dask) == x


# INNSPILL_DASK_REPEAT=20: the generated-thread comparison 20 times in one session (issue 19: it
# must pass 20 runs in a row, also on a loaded machine); not in the default run. The runs share
# one embedding cache (the first fills it), as the single test's two runners do.
# benchmarks/dask_repeat.py runs it and records the result.
REPEAT = int(os.environ.get("INNSPILL_DASK_REPEAT") or 0)


@pytest.mark.skipif(not REPEAT, reason="INNSPILL_DASK_REPEAT=N repeats the generated-thread comparison N times")
@pytest.mark.parametrize("run", range(1, max(REPEAT, 1) + 1))
def test_dask_runner_matches_local_repeatedly(run, tmp_path, tmp_path_factory):
    _generated_thread_matches(tmp_path, str(tmp_path_factory.getbasetemp() / "repeat-cache"))


def _square_plus(x, plus=0):
    return x * x + plus


def test_bounded_map_keeps_a_window_of_partitions_in_flight():
    """Every partition's result comes back, under its own index, with never more than ``window``
    in flight (the client pickles a partition only when it is nearly needed): the next is
    submitted as a finished one is handed back, so window + 1 are submitted and not yet taken."""
    from dask.distributed import Client

    from innspill.runners.dask_runner import _map_bounded
    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as client:
        outstanding, most = [0], [0]
        submit = client.submit

        def counting_submit(*a, **kw):
            outstanding[0] += 1
            most[0] = max(most[0], outstanding[0])
            return submit(*a, **kw)
        client.submit = counting_submit
        got = {}
        for i, res in _map_bounded(client, _square_plus, [(k,) for k in range(23)], 3, plus=1):
            outstanding[0] -= 1
            got[i] = res
        assert got == {k: k * k + 1 for k in range(23)}
        assert most[0] == 3 + 1
        assert list(_map_bounded(client, _square_plus, [], 3)) == []


def test_scratch_cache_removal_is_retried(tmp_path, monkeypatch):
    """A worker still exiting may write its journal again after the folder was listed: the
    scratch cache's removal tries again instead of leaving it behind."""
    from innspill.runners import dask_runner
    folder = tmp_path / "innspill-dask-x"
    folder.mkdir()
    (folder / "embeddings.sqlite").write_bytes(b"x")
    calls, real = [], dask_runner.shutil.rmtree

    def rmtree(path, ignore_errors=False):
        calls.append(path)
        real(path, ignore_errors=ignore_errors)
        if len(calls) == 1:  # the late journal write
            os.makedirs(path)
            (folder / "embeddings.sqlite-wal").write_bytes(b"y")
    monkeypatch.setattr(dask_runner.shutil, "rmtree", rmtree)
    dask_runner._remove(str(folder))
    assert len(calls) == 2 and not folder.exists()
