import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from innspill.cli import build_parser, main

from conftest import EXAMPLES, ROOT


def run(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_analyze_seed_writes_contract(seed_path, tmp_path, capsys):
    out = tmp_path / "a.json"
    code, stdout, _ = run(["analyze", seed_path, "-o", out], capsys)
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "innspill.analysis/1"
    assert {"source", "language", "questions", "comments", "answers", "themes", "stats"} <= set(data)
    assert data["language"] == "nb"
    assert data["source"]["format"] == "text" and len(data["source"]["sha256"]) == 64
    # summary: one block per question with counts and a quote
    for q in data["questions"]:
        assert f"{q['id']} [" in stdout
    assert stdout.count("answered by") == 4
    assert "comments read 22, distinct 11, duplicates 11" in stdout


def test_same_input_same_output(seed_path, tmp_path, capsys):
    outs = []
    for i in range(2):
        out = tmp_path / f"a{i}.json"
        assert run(["analyze", seed_path, "-o", out, "--quiet"], capsys)[0] == 0
        data = json.loads(out.read_text(encoding="utf-8"))
        data["provenance"].pop("seconds")
        outs.append(json.dumps(data, sort_keys=True))
    assert outs[0] == outs[1]


def _bad(tmp_path, name, content: bytes):
    p = tmp_path / name
    p.write_bytes(content)
    return p


@pytest.mark.parametrize("name,content,code", [
    ("empty.txt", b"", "E102"),
    ("blank.txt", b"  \n\n  \n", "E102"),
    ("binary.bin", bytes(range(256)) * 10, "E103"),
    ("latin1.txt", "Er det greit?\n\n  1. Ja, det er greit p\xe5 jobben.\n".encode("latin-1"), "E104"),
    ("page.html", b"<html><body><p>Hei</p></body></html>", "E201"),
    ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "E105"),
    ("export.xml", b"<?xml version='1.0'?><feed><entry>x</entry></feed>", "E105"),
    ("noquestions.txt", b"Just a post with no questions.\n\n2 comments\n\n  1. Nice.\n\n  2. Good.\n", "E201"),
])
def test_bad_input_gives_code_place_and_status_2(tmp_path, capsys, name, content, code):
    path = _bad(tmp_path, name, content)
    rc, stdout, err = run(["analyze", path, "-o", tmp_path / "x.json"], capsys)
    assert rc == 2
    assert f"error {code}:" in err and name in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.json").exists()


def test_invalid_utf8_names_the_line(tmp_path, capsys):
    path = _bad(tmp_path, "t.txt", b"Er det greit?\n\nline two\n\xff\xfe broken\n")
    rc, _, err = run(["analyze", path], capsys)
    assert rc == 2 and "E104" in err and "line 4" in err and "--encoding cp1252" in err


def test_cp1252_file_reads_with_encoding_option(tmp_path, capsys):
    text = "Er det greit å jobbe hjemme?\n\n1 kommentar\n\n  1. Ja, det er greit på fredager.\n"
    path = _bad(tmp_path, "t.txt", text.encode("cp1252"))
    out = tmp_path / "a.json"
    assert run(["analyze", path, "--encoding", "cp1252", "-o", out, "--no-embeddings"], capsys)[0] == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["comments"][0]["text"] == "Ja, det er greit på fredager."


def test_missing_path_and_directory(tmp_path, capsys):
    rc, _, err = run(["analyze", tmp_path / "nope.txt"], capsys)
    assert rc == 2 and "E101" in err and "nope.txt" in err
    rc, _, err = run(["analyze", tmp_path], capsys)
    assert rc == 2 and "E108" in err


def test_file_over_the_size_limit_is_refused_with_a_hint(tmp_path, capsys):
    path = tmp_path / "big.txt"
    with open(path, "wb") as fh:
        fh.write(b"Er det greit?\n\n")
        fh.write((b"  1. Ja, det er greit. " + b"x" * 1000 + b"\n") * 2_100)
    assert path.stat().st_size > 2 * 1024 * 1024
    rc, _, err = run(["analyze", path, "--max-size", "2MB"], capsys)
    assert rc == 2 and "E106" in err and "--max-size" in err


def test_default_size_limit_is_200mb():
    from innspill.ingest import DEFAULT_MAX_BYTES

    assert DEFAULT_MAX_BYTES == 200 * 1024 * 1024


def test_bad_option_values(tmp_path, capsys, seed_path):
    rc, _, err = run(["analyze", seed_path, "--max-size", "lots"], capsys)
    assert rc == 2 and "E301" in err
    rc, _, err = run(["analyze", seed_path, "--encoding", "klingon"], capsys)
    assert rc == 2 and "E301" in err


def test_no_comments_is_a_result_with_a_warning(tmp_path, capsys):
    path = _bad(tmp_path, "t.txt", "Bør vi ha gratis skolemat?\n\n0 kommentarer\n\nKommentarfeltet er stengt.\n".encode())
    out = tmp_path / "a.json"
    rc, stdout, _ = run(["analyze", path, "-o", out], capsys)
    assert rc == 0 and "W202" in stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["comments"] == [] and data["stats"]["comments_read"] == 0


def test_questions_file_overrides(tmp_path, capsys, seed_path):
    q = tmp_path / "q.txt"
    q.write_text("Er det greit at ansatte oppretter grupper på facebook?\nHvilke regler bør gjelde?\n")
    out = tmp_path / "a.json"
    assert run(["analyze", seed_path, "--questions", q, "-o", out, "--quiet"], capsys)[0] == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [x["kind"] for x in data["questions"]] == ["yesno", "open"]


def test_every_cli_option_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():
        assert re.search(rf"`innspill {name}\b", readme), f"command {name} is not documented"
        for action in sub._actions:
            for opt in action.option_strings:
                if opt in ("-h", "--help"):
                    continue
                assert f"`{opt}" in readme, f"option {opt} of {name} is not documented in README.md"
            if not action.option_strings:
                assert action.metavar in readme, f"argument {action.metavar} of {name} is not documented"


def test_entry_point_runs():
    r = subprocess.run([sys.executable, "-m", "innspill.cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "analyze" in r.stdout and "eval" in r.stdout
    assert Path(sys.executable).exists()


def test_embedding_cache_makes_a_rerun_cheap(tmp_path):
    from innspill.embed import Embedder
    from innspill.pipeline import analyze
    first = Embedder(cache_dir=str(tmp_path))
    a = analyze(str(EXAMPLES / "townhall-en.txt"), embedder=first).to_dict()
    assert first.calls > 20 and first.disk_hits == 0
    second = Embedder(cache_dir=str(tmp_path))
    b = analyze(str(EXAMPLES / "townhall-en.txt"), embedder=second).to_dict()
    assert second.calls == 0 and second.disk_hits == first.calls
    assert a["answers"] == b["answers"]


def _open_cache(folder):
    from innspill.embed import DiskCache
    try:
        DiskCache(folder, "v1").close()
        return "ok"
    except Exception as e:  # reported to the test, which names it
        return repr(e)


def test_processes_opening_a_new_cache_at_once_all_succeed(tmp_path):
    # the Dask workers open the same new cache file together; SQLite's switch to WAL then fails
    # at once with "database is locked" for about one opener in seventy unless it is retried
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(6) as pool:
        for round_ in range(40):
            folder = str(tmp_path / f"c{round_}")
            assert pool.map(_open_cache, [folder] * 6) == ["ok"] * 6, round_


def test_cache_setup_retries_only_a_locked_database(tmp_path, monkeypatch):
    import innspill.embed as embed
    real_connect = sqlite3.connect
    failures = {"n": 3, "message": "database is locked"}

    class Flaky:
        def __init__(self, *a, **k):
            self._db = real_connect(*a, **k)

        def execute(self, sql, *a):
            if sql.startswith("PRAGMA journal_mode") and failures["n"]:
                failures["n"] -= 1
                raise sqlite3.OperationalError(failures["message"])
            return self._db.execute(sql, *a)

        def __getattr__(self, name):
            return getattr(self._db, name)

        def __enter__(self):
            return self._db.__enter__()

        def __exit__(self, *exc):
            return self._db.__exit__(*exc)

    monkeypatch.setattr(embed.sqlite3, "connect", Flaky)
    cache = embed.DiskCache(str(tmp_path), "v1")
    assert failures["n"] == 0
    cache.put_many({b"k": np.ones(3, dtype=np.float32)})
    assert cache.get_many([b"k"])[b"k"].tolist() == [1.0, 1.0, 1.0]
    failures.update(n=1, message="disk I/O error")  # other errors are not retried
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        embed.DiskCache(str(tmp_path / "other"), "v1")


def test_batching_does_not_change_vectors(embedder):
    texts = ["Nei.", "Closing the street on Saturdays: yes, please.", "Jeg mener subsidien bør fjernes."]
    together = embedder.model.passage(texts)
    alone = [embedder.model.passage([t])[0] for t in texts]
    assert [list(map(float, v)) for v in together] == [list(map(float, v)) for v in alone]


def test_engine_calls_are_cut_by_length(embedder, monkeypatch):
    """The engine's working memory grows with the characters it gets at once, so calls hold at
    most BATCH texts and BATCH_CHARS characters (a longer text goes alone); the vectors are
    those of one big call, and progress counts every text."""
    import innspill.embed as embed_mod
    from innspill.embed import Embedder

    texts = [("Lang kommentar om skolemat. " * (1 + i % 9)).strip() + f" {i}" for i in range(40)]
    texts.append("x " * 400)  # 800 characters: over the budget below on its own
    monkeypatch.setattr(embed_mod, "BATCH", 8)
    monkeypatch.setattr(embed_mod, "BATCH_CHARS", 300)
    batches = [b for b in embed_mod._batches([(b"", t) for t in texts])]
    assert [t for b in batches for _, t in b] == texts
    assert all(len(b) <= 8 and (len(b) == 1 or sum(len(t) for _, t in b) <= 300) for b in batches)
    assert [len(b[0][1]) for b in batches if len(b) == 1 and len(b[0][1]) > 300] == [800]
    sizes, ticks = [], []
    e = Embedder(progress=lambda done, total: ticks.append((done, total)))
    e._model = embedder.model
    real = embedder.model.passage
    monkeypatch.setattr(embedder.model, "passage", lambda ts: sizes.append(len(ts)) or real(ts))
    got = e.embed(texts)
    monkeypatch.setattr(embedder.model, "passage", real)
    assert sizes == [len(b) for b in batches] and len(sizes) > len(texts) / 8
    assert ticks[-1] == (41, 41) and [d for d, _ in ticks] == sorted(d for d, _ in ticks)
    assert np.array_equal(got, np.asarray(real(texts), dtype=np.float32))


def test_estimate_before_a_long_embedding_run(embedder):
    from innspill.embed import Embedder
    seen = []
    e = Embedder(on_estimate=lambda n, secs: seen.append((n, secs)))
    e._model = embedder.model  # share the loaded model
    texts = [f"Kommentar nummer {i} om skolemat og trygg skolevei." for i in range(600)]
    vecs = e.embed(texts)
    assert len(seen) == 1 and seen[0][0] == 600 and seen[0][1] > 0
    assert e.calls == 600 and vecs.shape == (600, 384)  # the timed sample is not embedded twice
    assert (vecs[123] == embedder.embed([texts[123]])[0]).all()


def test_progress_bar_shows_each_long_step(monkeypatch, capsys):
    """On a terminal: one bar for segmentation in comments, then one per embedding call in texts
    (a short embedding run gets none), each with its rate; quiet or not a terminal: no bar."""
    import sys

    from innspill.cli import _progress_bar
    assert _progress_bar(quiet=True) is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert _progress_bar(quiet=False) is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    bar = _progress_bar(quiet=False)
    bar(2000, 5000, "segmenting", "comment")
    bar(4000, 5000, "segmenting", "comment")
    bar(10, 300)  # 300 texts: too short for a bar
    bar(1024, 4096)
    bar(None, None)
    err = capsys.readouterr().err
    assert "segmenting" in err and "/5000" in err and "comment/s" in err  # tqdm redraws at most every 0.1 s
    assert "embedding" in err and "/4096" in err and "text/s" in err and "/300" not in err


def test_streamed_json_is_what_json_dump_writes(seed_path):
    import io
    import json

    from innspill.pipeline import analyze
    a = analyze(str(seed_path), use_embeddings=False)
    fh = io.StringIO()
    a.write_json(fh, {"seconds": {"read": 0.1}})
    data = a.to_dict()
    data["provenance"]["seconds"] = {"read": 0.1}
    assert fh.getvalue() == json.dumps(data, ensure_ascii=False, indent=1)
    assert len(data["comments"]) > 20 and data["answers"]


def test_in_memory_vectors_are_bounded_and_results_unchanged(embedder, tmp_path):
    from innspill.embed import Embedder
    texts = [f"Svar {i}: skolemat hver dag er {'bra' if i % 2 else 'dyrt'}." for i in range(40)]
    full = embedder.embed(texts + texts[:5])
    small = Embedder(cache_dir=str(tmp_path))
    small._model = embedder.model
    small.memory_vectors = 10
    got = small.embed(texts + texts[:5])  # 40 distinct texts, five of them twice
    assert len(small._cache) == 10 and small.calls == 40
    assert np.array_equal(got, full) and np.array_equal(got[40:], got[:5])
    again = small.embed(texts[:3])  # evicted from memory: read back from the disk cache
    assert small.calls == 40 and small.disk_hits == 3 and np.array_equal(again, full[:3])


def test_interrupted_run_resumes_from_the_cache(tmp_path, monkeypatch):
    """Ctrl-C during embedding keeps the batches done (exit 130, a message saying where), and the
    same command then embeds only the rest and writes the same analysis as an uninterrupted run."""
    import innspill.embed as embed_mod
    from innspill import cli

    monkeypatch.setattr(embed_mod, "BATCH", 8)
    src = EXAMPLES / "townhall-en.txt"
    args = ["analyze", str(src), "--cache-dir", str(tmp_path / "cache"), "--quiet"]
    batches = {"n": 0}
    real = embed_mod.Embedder.embed

    def stop_after_two(self, texts, query=False):
        orig = self.progress

        def tick(done, total):
            batches["n"] += 1
            if batches["n"] == 2:
                raise KeyboardInterrupt
        self.progress = tick
        try:
            return real(self, texts, query)
        finally:
            self.progress = orig
    monkeypatch.setattr(embed_mod.Embedder, "embed", stop_after_two)
    assert cli.main(args + ["-o", str(tmp_path / "a.json")]) == 130
    assert not (tmp_path / "a.json").exists()
    db = next((tmp_path / "cache").glob("embeddings-*.sqlite"))
    with sqlite3.connect(db) as con:
        saved = con.execute("SELECT COUNT(*) FROM vec").fetchone()[0]
    assert 8 < saved <= 16  # the questions' batch and one batch of 8 answers, committed before Ctrl-C
    monkeypatch.setattr(embed_mod.Embedder, "embed", real)
    counted = {}
    orig_init = embed_mod.Embedder.__init__

    def spy(self, *a, **k):
        orig_init(self, *a, **k)
        counted["e"] = self
    monkeypatch.setattr(embed_mod.Embedder, "__init__", spy)
    assert cli.main(args + ["-o", str(tmp_path / "a.json")]) == 0
    resumed = counted["e"]
    assert resumed.disk_hits == saved and resumed.calls > 0
    assert cli.main(["analyze", str(src), "--no-cache", "--quiet", "-o", str(tmp_path / "b.json")]) == 0
    assert counted["e"].calls == resumed.calls + saved  # nothing done before Ctrl-C was embedded again
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert a["answers"] == b["answers"] and a["themes"] == b["themes"]
