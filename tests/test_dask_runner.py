"""The Dask runner gives exactly the local runner's analysis (issue 8)."""

import importlib.util

import pytest

from innspill.embed import Embedder
from innspill.pipeline import analyze

from conftest import ROOT, SEED

pytest.importorskip("dask.distributed")


def _same(a: dict, b: dict) -> None:
    assert b["provenance"]["runner"]["name"] == "dask"
    for key in a:
        if key != "provenance":
            assert a[key] == b[key], key


def test_dask_runner_matches_local_on_the_seed():
    e = Embedder()
    local = analyze(str(SEED), embedder=e).to_dict()
    dask = analyze(str(SEED), embedder=e, runner="dask", workers=2).to_dict()
    _same(local, dask)
    assert dask["stats"]["distinct"] == 11 and len(dask["answers"]) == len(local["answers"]) > 20


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
