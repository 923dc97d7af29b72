import random

import numpy as np

from innspill.contract import Analysis, Answer, Comment, Question
from innspill.themes import MAX_OTHER, build_themes, cluster_group, label_themes


def _check_themes(data):
    answers = {f"{a['comment_id']}:{a['question_id']}": a for a in data["answers"]}
    texts = {c["id"]: c["text"] for c in data["comments"]}
    seen = []
    for t in data["themes"]:
        seen += t["answer_ids"]
        assert all(answers[aid]["question_id"] == t["question_id"] for aid in t["answer_ids"])
        if not t["other"]:
            assert all(answers[aid]["stance"] == t["stance"] for aid in t["answer_ids"])
            assert t["label"] and t["terms"]
        assert 0 <= len(t["quotes"]) <= 3 and len(t["quotes"]) == len(t["quote_refs"])
        for q, ref in zip(t["quotes"], t["quote_refs"]):
            assert q in texts[ref["comment_id"]]
            assert texts[ref["comment_id"]][ref["start"]:ref["end"]] == q
        # labels are words from the theme's own answers
        own = " ".join(answers[aid]["text"].lower() for aid in t["answer_ids"])
        assert all(term in own for term in t["terms"])
    assert sorted(seen) == sorted(answers), "every answer lands in exactly one theme"
    for q in data["questions"]:
        n = sum(a["question_id"] == q["id"] for a in data["answers"])
        other = sum(t["size"] for t in data["themes"] if t["question_id"] == q["id"] and t["other"])
        assert other <= MAX_OTHER * n


def test_seed_themes_cover_every_answer_with_verbatim_quotes(seed_analysis):
    _check_themes(seed_analysis)
    assert {t["question_id"] for t in seed_analysis["themes"]} == {"q1", "q2", "q3", "q4"}
    ids = [t["id"] for t in seed_analysis["themes"]]
    assert ids == [f"t{k}" for k in range(1, len(ids) + 1)]


def test_seed_quotes_never_from_the_sensitive_story(seed_analysis):
    refs = [r["comment_id"] for t in seed_analysis["themes"] for r in t["quote_refs"]]
    assert refs and "c21" not in refs


def test_examples_themes(embedder):
    from innspill.pipeline import analyze

    from conftest import EXAMPLES

    for name in ("kantine-nb.txt", "townhall-en.txt"):
        _check_themes(analyze(str(EXAMPLES / name), embedder=embedder).to_dict())


def test_same_input_same_themes(seed_path, embedder, seed_analysis):
    from innspill.pipeline import analyze

    again = analyze(str(seed_path), embedder=embedder).to_dict()
    assert again["themes"] == seed_analysis["themes"]


def _synthetic(n=400, seed=7):
    rng = random.Random(seed)
    topics = ["skolemat gir likt utgangspunkt for alle barn", "mobilforbud gir mer lek i friminuttene",
              "fortau og lys gjør skoleveien trygg", "budsjettet er rektors ansvar og ikke foreldrenes",
              "leksefri skole gir mer tid til familien"]
    comments, answers = [], []
    for i in range(n):
        text = rng.choice(topics) + " " + " ".join(rng.sample(["ja", "klart", "tenker", "viktig", "barna",
                                                                "dessuten", "uansett", "kanskje"], 3))
        if rng.random() < 0.1:
            text = " ".join(rng.sample("kaffe sykkel regn båt fotball konsert hund katt tog fjell".split(), 4))
        cid = f"c{i + 1}"
        comments.append(Comment(id=cid, position=i + 1, original=text))
        answers.append(Answer(comment_id=cid, question_id="q1", text=text, start=0, end=len(text), how="numbered",
                              stance=rng.choice(["for", "against", "mixed", "none"])))
    q = Question(id="q1", number=1, text="Hva mener du om skolen?", kind="open")
    return Analysis(source={}, questions=[q], comments=comments, language="nb", answers=answers)


def test_other_stays_small_and_output_is_stable_without_embeddings():
    a = _synthetic()
    themes = build_themes(a)
    assert build_themes(_synthetic()) == themes
    data = a.to_dict()
    _check_themes(data)
    other = sum(t["size"] for t in themes if t["other"])
    assert other <= 0.15 * len(a.answers)
    assert 4 <= sum(not t["other"] for t in themes) <= 40


def test_cluster_group_separates_clear_groups():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 16)
    X = np.concatenate([c + 0.05 * rng.standard_normal((20, 16)) for c in centres])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    groups = cluster_group(X)
    assert sorted(len(g) for g in groups) == [20, 20, 20]
    assert all(len({i // 20 for i in g}) == 1 for g in groups)


def test_label_words_are_distinctive():
    t1 = [[("skolemat", "skolemat"), ("barn", "barna")], [("skolemat", "skolematen"), ("sunn", "sunn")]]
    t2 = [[("mobil", "mobilen"), ("barn", "barna")], [("mobil", "mobil"), ("lek", "lek")]]
    labels = label_themes([t1, t2], question_stems=set(), top=1)
    assert labels[0] == ["skolemat"] and labels[1][0].startswith("mobil")


def test_nearest_centre_by_blocks_gives_the_labels_of_the_whole_product(seed_analysis):
    """k-means labels a block of rows at a time (memory at 1,000,000 answers): the same labels as
    the argmax of the whole product, on the seed's answers (hash vectors, repeated to 12,000 rows,
    and with noise so no two rows tie) and on generated unit vectors."""
    from innspill.theme_clusters import nearest_centre
    from innspill.themes import Vectoriser

    texts = [a["text"] for a in seed_analysis["answers"]]
    X = Vectoriser(None, "nb")(texts * (12_000 // len(texts) + 1))
    rng = np.random.default_rng(19)
    X = X + rng.normal(0, 1e-3, X.shape).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    G = rng.standard_normal((30_000, 384)).astype(np.float32)
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    for M in (X, G):
        C = M[rng.choice(len(M), 150, replace=False)]
        whole = np.argmax(M @ C.T, axis=1)
        assert np.array_equal(nearest_centre(M, C), whole)
        assert np.array_equal(nearest_centre(M, C, block=1000), whole)


def test_group_mean_by_blocks_is_the_mean_of_the_copied_rows():
    """settle_outliers' centres and k-means' sums without copying a group's rows: ``group_sum`` carries
    the running sum from block to block and must give the bits of ``X[g].sum(axis=0)``, ``group_mean``
    those of ``X[g].mean(axis=0)`` (numpy sums a float32 matrix's rows one after the other over axis 0),
    for groups shorter and longer than a block, block sizes that divide the group and ones that do not,
    and a group in any order."""
    from innspill.theme_clusters import group_mean, group_sum

    rng = np.random.default_rng(15)
    X = rng.standard_normal((40_000, 384)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    X[::7] *= 1e-3  # rows of very different size, so a changed order of the additions would show
    for m in (1, 2, 999, 1000, 1001, 8192, 8193, 16_385, 39_999, 40_000):
        g = np.sort(rng.choice(len(X), m, replace=False))
        whole = X[g].mean(axis=0)
        for block in (None, 1, 7, 1000, 4096):
            assert np.array_equal(group_mean(X, g, block), whole), (m, block)
            assert np.array_equal(group_sum(X, g, block), X[g].sum(axis=0)), (m, block)
        assert np.array_equal(group_mean(X, g.tolist(), 1000), whole)
    shuffled = rng.permutation(len(X))[:12_345]
    assert np.array_equal(group_mean(X, shuffled, 1000), X[shuffled].mean(axis=0))


class _CachedHashEmbedder:
    """Hash vectors text by text, as an embedder with a disk cache looks to the themes (``cache_path``
    set: vectors may be fetched again rather than kept); counts the texts asked for."""

    def __init__(self, cache_path="cache.sqlite"):
        self.cache_path, self.asked = cache_path, 0

    def embed(self, texts):
        import zlib

        self.asked += len(texts)
        out = np.empty((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            v = np.random.default_rng(zlib.crc32(t.encode())).standard_normal(384).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


def test_themes_are_the_same_when_vectors_are_fetched_again_instead_of_kept(monkeypatch):
    """A large question's vectors are not kept while its themes are built (``HOLD_BYTES``): a side's
    are made while it is clustered and a theme's fetched again to rank it. The themes must be those
    built from kept vectors, with bags of stems and with an embedder, with group means summed a few
    rows at a time; an embedder with no disk cache keeps its vectors (its model never runs twice)."""
    from innspill import theme_clusters, themes

    kept = build_themes(_synthetic(1200, seed=3))
    kept_emb = build_themes(_synthetic(1200, seed=3), _CachedHashEmbedder())
    monkeypatch.setattr(themes, "HOLD_BYTES", 0)
    monkeypatch.setattr(theme_clusters, "MEAN_BLOCK", 5)
    assert build_themes(_synthetic(1200, seed=3)) == kept
    emb = _CachedHashEmbedder()
    assert build_themes(_synthetic(1200, seed=3), emb) == kept_emb
    assert emb.asked > 1200  # fetched again
    no_cache = _CachedHashEmbedder(cache_path=None)
    assert build_themes(_synthetic(1200, seed=3), no_cache) == kept_emb
    assert no_cache.asked == 1200  # kept
