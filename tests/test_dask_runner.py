"""The Dask runner gives exactly the local runner's analysis (issue 8)."""

import importlib.util
import os

import numpy as np
import pytest

from innspill.embed import Embedder
from innspill.pipeline import analyze

from conftest import ROOT, SEED

pytest.importorskip("dask.distributed")


def _same(a: dict, b: dict) -> None:
    assert b["provenance"]["runner"]["name"] == "dask"
    for key in a:
        if key == "provenance" or a[key] == b[key]:
            continue
        x, y = a[key], b[key]
        if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            i = next(i for i, (u, v) in enumerate(zip(x, y)) if u != v)
            pytest.fail(f"{key}[{i}] differs (of {len(x)}):\nlocal {x[i]!r}\ndask  {y[i]!r}")
        pytest.fail(f"{key} differs:\nlocal {str(x)[:2000]}\ndask  {str(y)[:2000]}")


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
    local = analyze(str(SEED), embedder=e).to_dict()
    seen = []
    dask = analyze(str(SEED), embedder=e, runner="dask", workers=2, meter=lambda *a: seen.append(a)).to_dict()
    _same(local, dask)
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

    def stop(done, total, *what):
        if what[:1] == ("segmenting",) and 0 < done < total:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        analyze(str(SEED), embedder=Embedder(cache_dir=cache), runner="dask", workers=2, meter=stop)
    db = next((tmp_path / "cache").glob("embeddings-*.sqlite"))

    def rows():
        with sqlite3.connect(db) as con:
            return dict(con.execute("SELECT key, rowid FROM vec"))
    saved = rows()
    assert saved  # at least the partition that came back
    resumed = analyze(str(SEED), embedder=Embedder(cache_dir=cache), runner="dask", workers=2).to_dict()
    after = rows()
    assert len(after) > len(saved) and {k: after[k] for k in saved} == saved
    _same(analyze(str(SEED), embedder=Embedder()).to_dict(), resumed)


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


def test_dask_runner_matches_local_on_a_generated_thread(tmp_path):
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "thread.txt"
    bench.generate(2000, path, seed=3)
    # the local run fills the disk cache; the workers read it, so the comparison stays cheap
    e = Embedder(cache_dir=str(tmp_path / "cache"))
    local = analyze(str(path), embedder=e).to_dict()
    dask = analyze(str(path), embedder=Embedder(cache_dir=str(tmp_path / "cache")), runner="dask",
                   workers=2).to_dict()
    _same(local, dask)
    st = local["stats"]
    assert st["comments_read"] == 2000 and st["duplicates"] > 100
    assert sum(1 for c in local["comments"] if c["repairs"]) > 50


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
