from innspill.dedupe import link_duplicates
from innspill.model import Comment


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
    from innspill.dedupe import link_duplicates
    from innspill.model import Comment
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
    from innspill.dedupe import _Groups
    groups = _Groups()
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
    import importlib.util

    from innspill.dedupe import apply_links, link_copies, link_duplicates
    from innspill.ingest import read_input
    from innspill.repair import repair_comments

    from conftest import ROOT
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
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


def test_sparse_and_pairwise_jaccard_link_the_same(tmp_path, monkeypatch):
    """A row with many partners has their Jaccard computed in one sparse product, a row with few
    one pair at a time: forcing either path everywhere links the same comments."""
    import importlib.util

    from innspill import dedupe
    from innspill.ingest import read_input
    from innspill.repair import repair_comments

    from conftest import ROOT
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "t.txt"
    bench.generate(1500, path, seed=8, form_letters=True)
    results = []
    for sparse_from in (1, 10**9):
        monkeypatch.setattr(dedupe, "SPARSE_FROM", sparse_from)
        comments = read_input(str(path)).comments
        repair_comments(comments)
        counts = dedupe.link_duplicates(comments)
        results.append([(c.duplicate_of, c.duplicate_how) for c in comments])
        assert counts["near"] > 20
    assert results[0] == results[1]


def test_bucket_links_of_nothing():
    from innspill.dedupe import FeatureLookup, band_entries, bucket_links, lsh_bands
    bands = lsh_bands()
    assert bucket_links([], {}, bands) == []
    assert bucket_links(band_entries([], bands, 3), {}, bands) == []
    assert bucket_links(band_entries([(1, "too short")], bands, 1), {1: "too short"}, bands) == []
    pieces, table = band_entries([(1, "too short")], bands, 2, with_features=True)
    assert len(table) == 0 and bucket_links(pieces, {}, bands, features=FeatureLookup([table])) == []


def test_short_equal_answers_from_different_people_are_not_copies():
    from innspill.dedupe import link_duplicates
    from innspill.model import Comment
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
    from innspill.dedupe import link_duplicates
    from innspill.model import Comment
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
    from innspill.dedupe import link_duplicates
    from innspill.model import Comment
    texts = ["Nei.", "Nei.", "Ja.", "Nei.", "Ja.", "Ja."]
    cs = [Comment(id=f"c{i}", position=i, original=t) for i, t in enumerate(texts, start=1)]
    link_duplicates(cs)
    assert [c.duplicate_of for c in cs] == [None, "c1", None, None, None, "c5"]
