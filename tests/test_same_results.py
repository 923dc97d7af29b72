"""A restructuring changes no result (issue 22): ``innspill analyze`` writes byte for byte the
analysis JSON it wrote before, on the seed, the examples and the development threads, with the
embeddings (the default engine) and with ``--no-embeddings``.

The digests are in ``tests/data/analysis-digests.json`` (how they are taken:
``tests/analysis_digest.py``). A change that is MEANT to change results rewrites them with
``.venv/bin/python tests/tools/update_digests.py`` and says so in its commit message.
"""

from __future__ import annotations

import io
import json

import pytest

from analysis_digest import MODES, ROOT, SEED, analysis_digest, load_digests, stable_bytes, threads

DIGESTS = load_digests()
CASES = [(mode, name) for mode in MODES for name in threads()]


def test_every_thread_has_a_digest():
    assert sorted(DIGESTS) == sorted(MODES)
    for mode in MODES:
        assert sorted(DIGESTS[mode]) == sorted(threads()), \
            f"{mode}: run tests/tools/update_digests.py after adding or removing a thread"


def test_stable_bytes_drops_only_the_volatile_provenance_fields():
    from innspill.contract import Analysis
    from innspill.ingest import read_input

    thread = read_input(str(SEED))
    a = Analysis(source=thread.source, questions=thread.questions, comments=thread.comments, post=thread.post,
                 provenance={"tool": "innspill 0.1.0", "stages": ["read"], "embedding_model": None})
    plain, timed = io.StringIO(), io.StringIO()
    a.write_json(plain)
    a.provenance = {**a.provenance, "runner": {"name": "dask", "workers": 2}}
    a.write_json(timed, {"seconds": {"read": 0.5}})
    assert stable_bytes(plain.getvalue()) == stable_bytes(timed.getvalue())
    kept = json.loads(stable_bytes(timed.getvalue()))
    assert kept["provenance"] == {"stages": ["read"], "embedding_model": None}
    assert stable_bytes(plain.getvalue()).decode().startswith(plain.getvalue().split('\n "provenance"')[0])
    a.provenance["stages"] = ["read", "repair"]  # any other field counts
    other = io.StringIO()
    a.write_json(other)
    assert stable_bytes(other.getvalue()) != stable_bytes(plain.getvalue())


@pytest.mark.parametrize(("mode", "name"), CASES, ids=[f"{m}:{n}" for m, n in CASES])
def test_analysis_json_is_unchanged(mode, name, tmp_path_factory, embedder):
    path = threads()[name]
    assert path.exists(), f"missing thread {path}"
    out = tmp_path_factory.mktemp("same-results")
    got = analysis_digest(path, mode, out, embedder)
    written = (out / f"{path.stem}.{mode}.json").read_text(encoding="utf-8")
    assert str(ROOT) not in written, "the analysis names the clone's folder: its digest would depend on it"
    assert got == DIGESTS[mode][name], (
        f"innspill analyze {name} ({mode}) no longer writes the same analysis JSON. If the change is "
        "meant to change results, run tests/tools/update_digests.py and say so in the commit message")
