import pytest

from innspill.contract import Comment
from innspill.dedupe import link_duplicates


def _comments(texts):
    return [Comment(id=f"c{i}", position=i, original=t) for i, t in enumerate(texts, start=1)]


def test_seed_duplicates_linked_to_first_copy(seed_analysis):
    comments = seed_analysis["comments"]
    assert seed_analysis["stats"]["comments_read"] == 22
    assert seed_analysis["stats"]["distinct"] == 11
    assert seed_analysis["stats"]["duplicates"] == 11
    for c in comments:
        if c["position"] % 2 == 0:
            assert c["duplicate_of"] == f"c{c['position'] - 1}"
            assert c["status"] == "duplicate"
        else:
            assert c["duplicate_of"] is None and c["status"] == "kept"
    st = seed_analysis["stats"]
    assert st["comments_read"] == sum(st["by_status"].values())


def test_truncated_copy_and_form_letter():
    base = ("Jeg mener kommunen bør beholde biblioteket i sentrum, fordi det er et viktig møtested "
            "for barn, eldre og alle som trenger et sted å være uten å betale.")
    letter = ("Til kommunestyret. Vi som bor på Nordsida krever at bussruta beholdes slik den er i dag, "
              "fordi mange eldre og skolebarn er helt avhengige av den for å komme seg til byen. Hilsen Kari")
    texts = [base, "Helt uenig, legg det ned.", base[:97], letter, letter.replace("Hilsen Kari", "Hilsen Per Olav"),
             "Bussen er viktig for meg også."]
    cs = _comments(texts)
    counts = link_duplicates(cs)
    assert cs[2].duplicate_of == "c1" and cs[2].duplicate_how == "prefix" and "truncated" in cs[2].flags
    assert cs[4].duplicate_of == "c4" and cs[4].duplicate_how == "near"
    assert [c.duplicate_of for c in (cs[0], cs[1], cs[3], cs[5])] == [None, None, None, None]
    assert counts == {"exact": 0, "prefix": 1, "near": 1}


def test_short_answers_are_not_duplicates_of_longer_ones():
    cs = _comments(["Nei.", "Nei. Det er helt feil av bedriften å gjøre dette, og jeg forstår ikke hvorfor."])
    link_duplicates(cs)
    assert cs[1].duplicate_of is None


def test_exact_copy_after_normalisation():
    cs = _comments(["Helt klart, ja!", "helt  klart ja"])
    link_duplicates(cs)
    assert cs[1].duplicate_of == "c1" and cs[1].duplicate_how == "exact"


def test_form_letter_with_changed_opening_and_signature_is_linked():
    from innspill.contract import Comment
    from innspill.dedupe import link_duplicates
    body = ("ber fylkeskommunen om å beholde rute 22 etter at bybanen åpner, fordi mange eldre på Lia "
            "ikke kan gå til bybanestoppet, og fordi bussen er den eneste forbindelsen til legesenteret")
    a = Comment(id="c1", position=1, original="Vi i Lia vel " + body + ". Hilsen styret i Lia vel")
    b = Comment(id="c2", position=2, original="Jeg " + body + " og butikken. Med vennlig hilsen Per Olsen, Lia")
    other = Comment(id="c3", position=3, original="Rute 22 bør legges ned når bybanen åpner, den går tom store "
                                                    "deler av dagen og pengene trengs bedre andre steder i fylket")
    link_duplicates([a, b, other])
    assert (b.duplicate_of, b.duplicate_how) == ("c1", "near")
    assert other.duplicate_of is None


def _shuffled_links(items, parts, per_destination=None, kept=False):
    """The links the distributed search makes: entries split by bucket over ``parts``
    destinations (as the Dask runner's workers do), each destination's buckets checked apart;
    with ``kept``, as the Dask runner does it, with the features the mappers kept instead of the
    texts."""
    from innspill.dedupe import FeatureLookup, band_entries, bucket_links, lsh_bands
    bands = lsh_bands()
    chunks = [items[i::3] for i in range(3)]  # three "partitions", interleaved
    if kept:
        out = [band_entries(c, bands, parts, with_features=True) for c in chunks]
        mapped = [m for m, _ in out]
        lookup = FeatureLookup([t for _, t in out])
        assert sum(len(t) for _, t in out) == len(lookup.pos) <= len(items)
    else:
        mapped = [band_entries(c, bands, parts) for c in chunks]
    links = []
    for d in range(parts):
        found = (bucket_links([m[d] for m in mapped], {}, bands, features=lookup) if kept
                 else bucket_links([m[d] for m in mapped], dict(items), bands))
        if per_destination is not None:
            per_destination.append(len(found))
        links += found
    return links


def _shuffled_groups(items, parts):
    from innspill.dedupe import Groups
    groups = Groups()
    links = _shuffled_links(items, parts)
    for a, b in links:
        groups.union(a, b)
    return {p: groups.find(p) for p, _ in items}, links


def test_links_do_not_depend_on_the_order_found():
    from innspill.textutil import normalise
    texts = {1: "the council should keep the bus route to the old town because people need it",
             2: "the council should keep the bus route to the old town because older people need it",
             3: "something else entirely about parking fees on the lot near the station today"}
    items = [(p, normalise(t)) for p, t in texts.items()]
    for parts in (1, 2, 5):
        a, links = _shuffled_groups(items, parts)
        b, _ = _shuffled_groups(items[::-1], parts)
        assert a == b == {1: 1, 2: 1, 3: 3}
        assert links == [(1, 2)]  # found in one bucket only: a pair that met before is not checked again


def test_shuffled_search_links_what_the_local_search_links(tmp_path):
    """On 3,000 generated answers (form letters, stock phrases), the bucket-by-bucket search of
    the distributed runner makes the same groups as the local search, whatever the number of
    destinations, and sends back fewer links than there are texts."""
    from innspill.dedupe import apply_links, link_copies, link_duplicates
    from innspill.ingest import read_input
    from innspill.repair import repair_comments
    from scriptload import load_script

    bench = load_script("benchmarks/bench.py")
    path = tmp_path / "t.txt"
    bench.generate(3000, path, seed=5, form_letters=True)
    comments = read_input(str(path)).comments
    repair_comments(comments)
    link_duplicates(comments)
    local = [(c.duplicate_of, c.duplicate_how) for c in comments]
    assert sum(1 for _, how in local if how == "near") > 50
    for parts, kept in ((1, False), (4, True), (7, False), (7, True)):
        fresh = read_input(str(path)).comments
        repair_comments(fresh)
        live, norms, groups, first, truncated = link_copies(fresh)  # what the Dask runner does
        items = sorted((pos, n) for n, pos in first.items())
        sizes = []
        links = _shuffled_links(items, parts, sizes, kept)
        assert max(sizes) < len(items)  # links that join groups (a forest), not candidate pairs
        for a, b in links:
            groups.union(a, b)
        apply_links(live, norms, groups, truncated)
        assert [(c.duplicate_of, c.duplicate_how) for c in fresh] == local


def test_listed_and_matrix_buckets_and_check_order_link_the_same(tmp_path, monkeypatch):
    """Small buckets have their pairs listed, larger ones go through an agreement matrix, and a
    group checks its most similar partners first when it has many: forcing either path
    everywhere, or checking every candidate at once, links the same comments."""
    from innspill import dedupe
    from innspill.dedupe import buckets, jaccard
    from innspill.ingest import read_input
    from innspill.repair import repair_comments
    from scriptload import load_script

    bench = load_script("benchmarks/bench.py")
    path = tmp_path / "t.txt"
    bench.generate(1500, path, seed=8, form_letters=True)
    results = []
    for small, per_group, plain in ((1, 4, False), (1, 4, True), (10**9, 4, False), (24, 0, False),
                                    (24, 10**9, False), (24, 4, True)):
        monkeypatch.setattr(buckets, "SMALL_BUCKET", small)
        monkeypatch.setattr(buckets, "CHECK_ALL_PER_GROUP", per_group)
        # plain: every pair of a larger bucket counted in the plain sparse product
        monkeypatch.setattr(buckets, "pairs_reaching", jaccard._pairs_by_product if plain else jaccard.pairs_reaching)
        comments = read_input(str(path)).comments
        repair_comments(comments)
        counts = dedupe.link_duplicates(comments)
        results.append([(c.duplicate_of, c.duplicate_how) for c in comments])
        assert counts["near"] > 20
    assert all(r == results[0] for r in results[1:])


def test_pairs_reaching_are_those_of_the_plain_product():
    """Issue 19: the pairs of a batch of buckets whose Jaccard similarity reaches the threshold,
    counted with the rows that lack each bucket's common shingles, are exactly those of counting
    every pair's shared shingles in the plain sparse product: on texts that share stock phrases
    (most of a bucket has them), in parts of many sizes, at several thresholds."""
    import random

    import numpy as np

    from innspill.dedupe import FeatureTable, lsh_bands
    from innspill.dedupe.jaccard import _pairs_by_product, pairs_reaching
    rng = random.Random(7)
    stock = [f"felles setning nummer {k} som mange skriver" for k in range(6)]
    words = [f"w{i}" for i in range(40)]
    texts = []
    for _ in range(600):
        body = [s for s in stock if rng.random() < 0.7] + [" ".join(rng.choice(words) for _ in range(rng.randrange(3, 30)))]
        rng.shuffle(body)
        texts.append(" ".join(body))
    texts += [texts[k] + " og litt til" for k in range(0, 600, 7)]  # near copies
    t = FeatureTable.of(list(enumerate(texts)), lsh_bands())
    order = np.random.default_rng(1)
    for trial in range(12):
        sizes = order.integers(2, 90, size=order.integers(1, 8))
        rows = np.concatenate([np.sort(order.choice(len(t), size=k, replace=False)) for k in sizes])
        part = np.repeat(np.arange(len(sizes)), sizes)
        if trial % 2:
            part = part * 2  # numbers with gaps, as when buckets drop out
        for threshold in (0.2, 0.4, 0.6):
            want = _pairs_by_product(t, rows, part, threshold)
            got = pairs_reaching(t, rows, part, threshold)
            assert want[0].tolist() == got[0].tolist() and want[1].tolist() == got[1].tolist()
    assert len(_pairs_by_product(t, np.arange(len(t)), np.zeros(len(t), np.int64), 0.4)[0]) > 80


@pytest.mark.parametrize("dense_share, pair_chunk", [(0.0, 1 << 23), (0.05, 7), (2.0, 1000)])
def test_pairs_reaching_counted_by_products_or_pair_by_pair(monkeypatch, dense_share, pair_chunk):
    """Session 13: the shared shingles of a part's pairs are counted pair by pair for the rarer
    columns and by a matrix product for the columns many rows have; every split between the two
    (all by products, all pair by pair) and any chunk of listed pairs give the plain product's
    pairs."""
    import numpy as np

    from innspill.dedupe import FeatureTable, jaccard, lsh_bands
    monkeypatch.setattr(jaccard, "DENSE_SHARE", dense_share)
    monkeypatch.setattr(jaccard, "PAIR_CHUNK", pair_chunk)
    rng = np.random.default_rng(5)
    stock = [f"felles setning nummer {k} som mange skriver" for k in range(5)]
    words = [f"w{i}" for i in range(30)]
    texts = [" ".join([s for s in stock if rng.random() < 0.6] + [" ".join(rng.choice(words, rng.integers(3, 25)))])
             for _ in range(300)]
    t = FeatureTable.of(list(enumerate(texts)), lsh_bands())
    for _ in range(4):
        sizes = rng.integers(2, 70, size=rng.integers(1, 6))
        rows = np.concatenate([np.sort(rng.choice(len(t), size=k, replace=False)) for k in sizes])
        part = np.repeat(np.arange(len(sizes)), sizes) * 3
        for threshold in (0.2, 0.4):
            want = jaccard._pairs_by_product(t, rows, part, threshold)
            got = jaccard.pairs_reaching(t, rows, part, threshold)
            assert want[0].tolist() == got[0].tolist() and want[1].tolist() == got[1].tolist()


def test_normal_forms_are_normalise(monkeypatch):
    """Session 13: the duplicate search's normal forms, made many texts at a time in numpy, are
    textutil.normalise's, also for connectors, NFKC, case folding past Latin-1, combining marks at a
    text's start or end, characters past U+FFFF, NUL and lone surrogates, in chunks of any size."""
    import random

    from innspill.dedupe import normal
    from innspill.textutil import normalise
    pieces = ["", " ", "-", "a-b", "a--b", "-a-", "a-'b", "a'b’c", "’a’", "ΑΣ ΣΑΣ", "ß Straße", "ﬁ ﬂ ①②",
              "e\u0301", "\u0301e", "a_b", "__a__", "a\x00b", "\ud800 a", "A\u030a", "ǅ", "İstanbul",
              "½ ⅓", "٣ ४", "…a…", "a\u00a0b", "a\tb\nc", "😀 a 😀", "a-😀-b", "Ⅻ", "x-", "'", "ŉ", "ﬀ-ﬀ",
              "ÆØÅ æøå", "Ã¸", "Dette er en setning, med komma. Og punktum!"]
    rng = random.Random(3)
    texts = pieces + ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 5))) for _ in range(2000)]
    want = [normalise(x) for x in texts]
    for chunk in (1, 3, 4096):
        monkeypatch.setattr(normal, "CHUNK", chunk)
        assert normal.normal_forms(texts) == want


def test_batched_jaccard_is_the_exact_one():
    """The pairs' Jaccard similarities computed together in one sort are those of the sets."""
    import random

    import numpy as np

    from innspill.dedupe import FeatureTable, lsh_bands
    from innspill.dedupe.jaccard import jaccard_reaches
    rng = random.Random(2)
    words = [f"w{i}" for i in range(60)]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(8, 60))) for _ in range(300)]
    t = FeatureTable.of(list(enumerate(texts)), lsh_bands())
    sets = [set(t.shingles_of(k).tolist()) for k in range(len(t))]
    a = np.array([rng.randrange(len(t)) for _ in range(5000)])
    b = np.array([rng.randrange(len(t)) for _ in range(5000)])
    for threshold in (0.1, 0.2, 0.4):
        want = [len(sets[x] & sets[y]) / len(sets[x] | sets[y]) >= threshold for x, y in zip(a, b)]
        assert jaccard_reaches(a, b, t, threshold, chunk=1000).tolist() == want


def test_bucket_links_of_nothing():
    from innspill.dedupe import FeatureLookup, band_entries, bucket_links, lsh_bands
    bands = lsh_bands()
    assert bucket_links([], {}, bands) == []
    assert bucket_links(band_entries([], bands, 3), {}, bands) == []
    assert bucket_links(band_entries([(1, "too short")], bands, 1), {1: "too short"}, bands) == []
    pieces, table = band_entries([(1, "too short")], bands, 2, with_features=True)
    assert len(table) == 0 and bucket_links(pieces, {}, bands, features=FeatureLookup([table])) == []


def test_short_equal_answers_from_different_people_are_not_copies():
    from innspill.contract import Comment
    from innspill.dedupe import link_duplicates
    cs = [Comment(id="c1", position=1, original="Nei.", author="Kari"),
          Comment(id="c2", position=2, original="Nei.", author="Kari"),      # double post
          Comment(id="c3", position=3, original="Helt enig!"),
          Comment(id="c9", position=9, original="Nei.", author="Ola"),       # someone else, later
          Comment(id="c10", position=10, original="Helt enig!")]             # far from the first
    link_duplicates(cs)
    assert [c.duplicate_of for c in cs] == [None, "c1", None, None, None]


def test_same_short_answer_from_two_people_counts_twice():
    """Issue 18: two people who both answer '3 - No.' gave the same answer; neither is a copy,
    even back to back. The same author again is a copy, however far apart."""
    from innspill.contract import Comment
    from innspill.dedupe import link_duplicates
    cs = [Comment(id="c1", position=1, original="3 - No.", author="Kari"),
          Comment(id="c2", position=2, original="3 - No.", author="Ola"),
          Comment(id="c3", position=3, original="Yes.", author="Per"),
          Comment(id="c4", position=4, original="3 - no", author="Ola"),
          Comment(id="c5", position=5, original="Long enough text to count as a form letter here, copied.",
                  author="Anne"),
          Comment(id="c6", position=6, original="Long enough text to count as a form letter here, copied.",
                  author="Berit")]
    link_duplicates(cs)
    assert [c.duplicate_of for c in cs] == [None, None, None, "c2", None, "c5"]


def test_unsigned_short_answer_is_a_copy_only_right_after_itself():
    from innspill.contract import Comment
    from innspill.dedupe import link_duplicates
    texts = ["Nei.", "Nei.", "Ja.", "Nei.", "Ja.", "Ja."]
    cs = [Comment(id=f"c{i}", position=i, original=t) for i, t in enumerate(texts, start=1)]
    link_duplicates(cs)
    assert [c.duplicate_of for c in cs] == [None, "c1", None, None, None, "c5"]


def test_signatures_of_a_batch_are_those_of_one_minhash_per_text():
    """FeatureTable.of hashes many texts in numpy: bit for bit the MinHash datasketch makes for
    each text, and the band hashes of it."""
    import random

    from innspill.dedupe import FeatureTable, bands_of, lsh_bands
    from innspill.dedupe.features import _minhash, _shingles
    from innspill.textutil import normalise
    rng = random.Random(4)
    words = "buss bybane rute skole lia eldre barn kveld natt legesenter butikk vei sykkel".split()
    texts = ["", "to ord", "tre ord her", "Nei."] + [
        normalise(" ".join(rng.choice(words) for _ in range(rng.randrange(3, 40)))) for _ in range(400)]
    bands = lsh_bands()
    table = FeatureTable.of(list(enumerate(texts)), bands)
    rows = {int(p): k for k, p in enumerate(table.positions)}
    for pos, t in enumerate(texts):
        sh = _shingles(t)
        if len(sh) < 5:
            assert pos not in rows
            continue
        k = rows[pos]
        assert (table.sigs[k] == _minhash(sh)).all()
        assert (table.band_hashes[k] == bands_of(_minhash(sh), bands)).all()
        assert len(table.shingles_of(k)) == len(sh)


def _bucket_thread(n_copies: int, seed: int = 1) -> list:
    """A form letter in ``n_copies`` variants (its body and a few words of one's own), and as many
    unrelated comments that quote its first sentence: one band's bucket holds more than
    LARGE_BUCKET texts."""
    import random

    from innspill.contract import Comment
    rng = random.Random(seed)
    vocab = [f"ord{i}" for i in range(5000)]
    body = ("vi ber kommunestyret beholde bussruta til lia slik den går i dag fordi mange eldre og skolebarn "
            "er avhengige av den for å komme seg til byen legesenteret og butikken hver eneste dag")
    texts = []
    for _ in range(n_copies):
        texts.append(f"{body} {' '.join(rng.choice(vocab) for _w in range(6))}")
        texts.append(f"{' '.join(body.split()[:8])} {' '.join(rng.choice(vocab) for _w in range(40))}")
    return [Comment(id=f"c{i}", position=i, original=t) for i, t in enumerate(texts, start=1)]


def test_a_large_bucket_is_split_and_its_near_copies_still_found(monkeypatch):
    """Issue 19: a bucket of thousands of texts is checked part by part (the work grows with the
    bucket, not its square); the 2,500 variants of a form letter in it are still one group, and
    none of the 2,500 comments that only quote its opening joins them: the same groups as checking
    every pair."""
    from innspill import dedupe
    from innspill.dedupe import buckets
    split = []
    real = buckets._split_bucket

    def spy(rows, *a):
        split.append(len(rows))
        return real(rows, *a)
    monkeypatch.setattr(buckets, "_split_bucket", spy)
    cs = _bucket_thread(2500)
    counts = dedupe.link_duplicates(cs)
    assert split and max(split) > buckets.LARGE_BUCKET
    letters, quotes = cs[0::2], cs[1::2]
    assert all(c.duplicate_of == "c1" and c.duplicate_how == "near" for c in letters[1:])
    assert all(c.duplicate_of is None for c in quotes)
    assert counts["near"] == 2499
    monkeypatch.setattr(buckets, "LARGE_BUCKET", 10**9)  # every pair of every bucket
    every = _bucket_thread(2500)
    dedupe.link_duplicates(every)
    assert [c.duplicate_of for c in every] == [c.duplicate_of for c in cs]


def test_split_buckets_bound_the_work():
    """Parts of a split bucket have at most SPLIT_TO texts where the MinHash values differ, so the
    pairs checked grow with the bucket's size, not its square."""
    import numpy as np

    from innspill import dedupe
    from innspill.dedupe.buckets import _split_bucket
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**32, size=(20_000, dedupe.NUM_PERM), dtype=np.uint64).astype(np.uint32)
    sigs[:, :3] = 7  # one bucket in band 0
    parts = list(_split_bucket(np.arange(len(sigs)), 0, sigs, dedupe.lsh_bands()))
    assert all(len(p) <= dedupe.SPLIT_TO for p in parts)
    assert sum(len(p) ** 2 for p in parts) / 2 <= dedupe.SPLIT_CHAINS * len(sigs) * dedupe.SPLIT_TO
    assert all((np.diff(p) > 0).all() for p in parts)


def test_small_threads_are_searched_pair_by_pair_and_runners_agree_on_split_buckets(tmp_path, monkeypatch):
    """A thread of 3,000 generated answers has no large bucket: its groups are those of checking
    every pair. With the limit lowered so that its largest buckets are split, the local search and
    the shuffled (Dask) search still make the same groups, and the split search only joins what
    checking every pair joins."""
    import numpy as np

    from innspill import dedupe
    from innspill.dedupe import buckets
    from innspill.ingest import read_input
    from innspill.repair import repair_comments
    from scriptload import load_script

    bench = load_script("benchmarks/bench.py")
    path = tmp_path / "t.txt"
    bench.generate(3000, path, seed=5, form_letters=True)

    def run(**patch):
        for k, v in patch.items():
            monkeypatch.setattr(buckets, k, v)
        comments = read_input(str(path)).comments
        repair_comments(comments)
        counts = dedupe.link_duplicates(comments)
        return comments, counts

    default, _ = run()
    every, counts = run(LARGE_BUCKET=10**9)
    assert [c.duplicate_of for c in default] == [c.duplicate_of for c in every] and counts["near"] > 50
    _, _, _, first, _ = dedupe.link_copies(every)
    table = dedupe.FeatureTable.of(sorted((p, n) for n, p in first.items()), dedupe.lsh_bands()).band_hashes
    biggest = max(np.unique(table[:, b], return_counts=True)[1].max() for b in range(table.shape[1]))
    assert biggest <= dedupe.LARGE_BUCKET
    split, split_counts = run(LARGE_BUCKET=40, SPLIT_TO=12)
    assert biggest > 40
    root = {c.id: c.duplicate_of or c.id for c in every}
    assert all(root[c.id] == root[c.duplicate_of] for c in split if c.duplicate_of)  # a finer grouping
    assert split_counts["near"] >= 0.9 * counts["near"]
    local = [(c.duplicate_of, c.duplicate_how) for c in split]
    for parts in (1, 4, 7):
        fresh = read_input(str(path)).comments
        repair_comments(fresh)
        live, norms, groups, first, truncated = dedupe.link_copies(fresh)
        items = sorted((pos, n) for n, pos in first.items())
        chunks = [items[i::3] for i in range(3)]
        out = [dedupe.band_entries(c, dedupe.lsh_bands(), parts, with_features=True) for c in chunks]
        lookup = dedupe.FeatureLookup([t for _, t in out])
        large: dict = {}
        for d in range(parts):
            for b, keys in dedupe.large_buckets([m[d] for m, _ in out]).items():
                large[b] = np.union1d(large[b], keys) if b in large else keys
        for d in range(parts):
            for a, b in dedupe.bucket_links([m[d] for m, _ in out], {}, dedupe.lsh_bands(), features=lookup,
                                            large=large):
                groups.union(a, b)
        dedupe.apply_links(live, norms, groups, truncated)
        assert [(c.duplicate_of, c.duplicate_how) for c in fresh] == local


def test_norms_tell_prefixes_after_the_forms_are_forgotten():
    """Session 14: ``Norms`` keeps only the forms that start another form or start with another
    (and the empty form), and tells exact / prefix / near for every pair of forms as the forms
    themselves would, once they are forgotten."""
    import itertools

    import numpy as np

    from innspill.dedupe.copies import Norms, _related

    forms = ["ja", "ja takk", "ja takk og farvel", "nei", "", "nei nei", "helt annet", "ja t", "hei"]
    norms = Norms(np.arange(len(forms)) * 3, np.arange(len(forms), dtype=np.int32), list(forms))
    norms.hold_prefixes(_related(forms, sorted(range(len(forms)), key=forms.__getitem__)))
    norms.forget(range(len(forms)))
    assert norms.forms == [None] * len(forms)
    for x, y in itertools.product(range(len(forms)), repeat=2):
        fx, fy = forms[x], forms[y]
        want = "exact" if fx == fy else "prefix" if fx.startswith(fy) or fy.startswith(fx) else "near"
        assert norms.kind(x, y) == want, (fx, fy)
    assert norms.number_of(np.array([6, 0, 24])).tolist() == [2, 0, 8]
