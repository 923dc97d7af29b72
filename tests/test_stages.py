"""The stage table (issue 22): one ``STAGES`` that both runners and the provenance iterate."""

import dataclasses
import sys

import pytest

from innspill import contract
from innspill.errors import InnspillError
from innspill.ingest import ReadOptions
from innspill.pipeline import analyze, analyze_all
from innspill.stages import INPUTS, NAMES, STAGES, WHERE, StageRun, run_stages_at

from conftest import DATA, EXAMPLES

# a name in reads / adds: a field of the analysis, or ``comments.X`` / ``answers.X`` / ``questions.X``
# (a field of every comment, answer, question), or ``provenance.X`` (a key of the provenance)
ITEMS = {"comments": contract.Comment, "answers": contract.Answer, "questions": contract.Question}


def _fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_names_are_unique_and_every_stage_has_a_place_and_a_reason():
    assert len(set(NAMES)) == len(NAMES) == len(STAGES)
    assert NAMES[0] == "read" and STAGES[0].where == "entry"
    for s in STAGES:
        assert s.where in WHERE, s.name
        assert s.adds and s.why.strip(), s.name
        assert (s.run is None) == (s.where == "entry"), s.name  # the entry points read; every other stage has a hook
    # the runner's stages come before the client's: the Dask runner hands the client a finished thread
    places = [s.where for s in STAGES]
    assert places == sorted(places, key=WHERE.index)


def test_each_stage_reads_only_what_the_input_or_an_earlier_stage_added():
    assert set(STAGES[0].reads) <= set(INPUTS)
    available = set(INPUTS)
    for s in STAGES:
        missing = set(s.reads) - available
        assert not missing, f"{s.name} reads {sorted(missing)}, which no earlier stage adds"
        available |= set(s.adds)


def test_reads_and_adds_name_fields_of_the_contract(seed_analysis):
    analysis = _fields(contract.Analysis)
    for s in STAGES:
        for name in (*s.reads, *s.adds):
            if name in INPUTS:
                continue
            head, _, rest = name.partition(".")
            assert head in analysis, f"{s.name}: {name}"
            if head == "provenance":
                assert rest in seed_analysis["provenance"], f"{s.name}: {name}"
            elif rest:
                assert head in ITEMS and rest in _fields(ITEMS[head]), f"{s.name}: {name}"


def _expected(*, fields: bool, embeddings: bool) -> list[str]:
    skip = {"fields"} if not fields else set()
    if not embeddings:
        skip.add("stance-model")
    return [n for n in NAMES if n not in skip]


def test_provenance_lists_the_stages_run_in_the_tables_order(seed_path, embedder):
    called = []
    a = analyze(str(seed_path), embedder=embedder, progress=called.append)
    assert a.provenance["stages"] == _expected(fields=False, embeddings=True)
    assert called == a.provenance["stages"]  # each hook steps under its own stage's name, once


def test_provenance_without_embeddings_and_with_table_cells(tmp_path):
    sys.path.insert(0, str(DATA / "import"))
    import make_xlsx

    a = analyze(str(EXAMPLES / "kantine-nb.txt"), use_embeddings=False)
    assert a.provenance["stages"] == _expected(fields=False, embeddings=False)
    assert [w["code"] for w in a.warnings].count("W301") == 1
    w301 = next(w for w in a.warnings if w["code"] == "W301")
    assert list(w301) == ["code", "message", "place"]  # as errors.warning makes every warning
    path = tmp_path / "form.xlsx"
    make_xlsx.build(path)
    called = []
    (b,) = analyze_all(str(path), ReadOptions(), use_embeddings=False, progress=called.append)
    assert b.provenance["stages"] == _expected(fields=True, embeddings=False) == called
    assert any(x.how == "field" for x in b.answers)


def test_a_runner_without_a_hook_for_a_stage_that_applies_is_refused():
    from innspill.ingest import read_input

    thread = read_input(str(EXAMPLES / "kantine-nb.txt"))
    r = StageRun(thread=thread, use_embeddings=False)
    seen = []
    hooks = {"repair": lambda r: seen.append("repair")}
    with pytest.raises(RuntimeError, match="'dedupe'"):
        run_stages_at(r, "runner", hooks=hooks)
    assert seen == ["repair"] and r.ran == ["repair"]


def test_dask_runner_without_the_extra_is_e302(monkeypatch):
    from innspill.runners import dask_runner

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as without the extra
    with pytest.raises(InnspillError) as err:
        dask_runner._client(None, 1)
    assert err.value.code == "E302" and "innspill[dask]" in err.value.fix
