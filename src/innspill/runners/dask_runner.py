"""Run the pipeline's stages over partitions of comments on a Dask cluster.

The stages are the same functions the local runner calls; only the steps that need the
whole thread run on the client, and they see exactly the numbers the local runner sees:

* repair: word counts per partition, summed (the vocabulary that picks lost letters is the
  thread's), then each partition repaired with it;
* duplicates: exact and truncated copies on the client (sorting normalised texts is cheap);
  near-identical texts by MinHash band entries computed per partition and *shuffled by
  bucket* (each partition's entries split by bucket, one reducing task per share), so copies
  in different partitions meet; each bucket is checked on a worker and only the links that
  join groups come back to the client, which joins them;
* language per comment on the workers, the thread's vote on the client;
* segmentation: sections and raw scores (embedding, word overlap) per partition, the
  per-thread calibration on the client over all units in the local order, then picking;
* stance per partition;
* privacy and themes on the client (themes compare answers across comments), with the
  answers' embeddings computed on the workers (:class:`WorkerEmbedder`), so the one step that
  costs as much as segmentation is not left to a single process.

Embeddings are computed per text, independent of the batch (see ``embed.py``), so the result
is identical to the local runner's (tested).
"""

from __future__ import annotations

import operator
import os
import shutil
import tempfile
import uuid
from collections import Counter

import numpy as np

from ..errors import InnspillError

N_PARTITIONS_PER_WORKER = 8  # small enough that no worker waits long for the last one


def _client(scheduler: str | None, workers: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InnspillError("E301", "the dask runner needs the dask extra",
                            hint="pip install 'innspill[dask]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except OSError as exc:
            raise InnspillError("E301", f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           env={"OMP_NUM_THREADS": "1"})
    return Client(cluster), cluster


def _map_bounded(client, fn, arg_lists: list[tuple], window: int, **kwargs):
    """``fn(*args, **kwargs)`` for each tuple of ``arg_lists`` on the cluster, yielding
    ``(index, result)`` as tasks finish, with at most ``window`` tasks in flight: the client
    pickles a partition's comments only when a worker is about to need them and drops each
    result once used, instead of holding every partition twice (as objects and as bytes) and
    every result at once. Used for the steps that ship comments (repair, segmentation, stance)."""
    from dask.distributed import as_completed

    pending = iter(enumerate(arg_lists))
    index: dict = {}
    running = as_completed()

    def submit() -> None:
        nxt = next(pending, None)
        if nxt is not None:
            fut = client.submit(fn, *nxt[1], pure=False, **kwargs)
            index[fut.key] = nxt[0]
            running.add(fut)

    for _ in range(max(1, window)):
        submit()
    for fut in running:
        result = fut.result()
        i = index.pop(fut.key)
        fut.release()
        submit()
        yield i, result


def _chunks(items: list, n: int) -> list[list]:
    size = max(1, -(-len(items) // max(1, n)))
    return [items[i:i + size] for i in range(0, len(items), size)]


# ---- functions run on the workers (top level so they pickle by reference) ----------
def _w_word_counts(originals: list[str]) -> Counter:
    from ..repair import word_counts
    return word_counts(originals)


def _w_repair(comments, vocab):
    from ..repair import repair_comments
    repair_comments(comments, vocab=vocab)
    return [(c.text, c.repairs, c.flags) for c in comments]


_FEATURES: dict = {"run": None, "cache": {}}
FEATURE_CACHE = 200_000  # texts whose features a worker keeps between its bucket tasks (about 1 KB each)


def _w_bucket_links(norms: dict[int, str], bands, threshold: float, run: str, *pieces) -> list[tuple[int, int]]:
    """One destination's buckets. A worker runs several destinations in turn and most texts have
    buckets in each, so their MinHash features are kept for the run (up to ``FEATURE_CACHE``)."""
    from ..dedupe import bucket_links
    if _FEATURES["run"] != run or len(_FEATURES["cache"]) > FEATURE_CACHE:
        _FEATURES["run"], _FEATURES["cache"] = run, {}
    return bucket_links(list(pieces), norms, bands, threshold, features=_FEATURES["cache"])


def _w_forget_features() -> None:
    _FEATURES["run"], _FEATURES["cache"] = None, {}


def _w_languages(texts: list[str]):
    from ..langdetect import detect_comments
    return detect_comments(texts)


_EMBEDDERS: dict = {}


def _worker_embedder(cache_dir: str | None):
    """One model per worker process, one embedder (memory cache) per cache folder: a worker of a
    long-lived cluster serves runs with different folders."""
    if cache_dir not in _EMBEDDERS:
        from ..embed import Embedder
        _EMBEDDERS[cache_dir] = Embedder(threads=1, cache_dir=cache_dir)
    return _EMBEDDERS[cache_dir]


def _w_raw_scores(comments, questions, language, use_embeddings, cache_dir):
    from ..segment import Segmenter
    seg = Segmenter(questions, language, _worker_embedder(cache_dir) if use_embeddings else None)
    units = [u for _, _, us in seg.plan(comments) for u in us]
    return seg.raw_scores(units)


def _w_embed(texts: list[str], query: bool, cache_dir: str | None) -> np.ndarray:
    return _worker_embedder(cache_dir).embed(texts, query=query)


class WorkerEmbedder:
    """Looks like :class:`innspill.embed.Embedder` to the client-side stages, but embeds on the
    workers: ``embed(texts)`` splits the texts into one chunk per partition, maps them over the
    cluster and puts the rows back in order. Each worker keeps its own model, memory cache and
    (with ``cache_dir``) the shared disk cache, so texts seen during segmentation are not
    embedded twice on the worker that saw them, and a re-run reads them from disk."""

    def __init__(self, client, nparts: int, cache_dir: str | None):
        self.client, self.nparts, self.cache_dir = client, nparts, cache_dir
        self.cache_path = None  # the disk cache (if any) is the workers'
        self.calls = 0  # texts sent to the workers

    def embed(self, texts: list[str], query: bool = False) -> np.ndarray:
        from ..embed import DIM

        out = np.empty((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        parts = _chunks(list(texts), self.nparts)
        self.calls += len(texts)
        futures = self.client.map(_w_embed, self.client.scatter(parts), query=query, cache_dir=self.cache_dir,
                                  pure=False)
        start = 0
        for part, fut in zip(parts, futures):  # filled in place, one part at a time
            out[start:start + len(part)] = fut.result()
            start += len(part)
            fut.release()
        return out


def _w_stances(answers, comments, questions, language):
    from ..stance import assign_stances
    assign_stances(answers, comments, questions, language)
    return [(a.stance, a.confidence, a.evidence, a.provenance) for a in answers]


# ---- the runner ------------------------------------------------------------------------
def run_stages_dask(thread, *, lang: str = "auto", use_embeddings: bool = True, scheduler: str | None = None,
                    workers: int = 2, cache_dir: str | None = None, step=None, embedder_version: str | None = None,
                    finish=None):
    """The stages up to stance on the cluster; then ``finish(analysis, embedder)`` (privacy and
    themes) while the cluster is still up, with a :class:`WorkerEmbedder` as the embedder."""
    from .. import __version__
    from ..dedupe import NEAR_THRESHOLD, apply_links, band_entries, link_copies, lsh_bands
    from ..langdetect import detect_thread
    from ..model import Analysis
    from ..repair import Vocabulary, repair_text, word_counts
    from ..segment import Segmenter

    step = step or (lambda name, fn, *a, **k: fn(*a, **k))
    client, cluster = _client(scheduler, workers)
    scratch = None
    if cluster is not None and use_embeddings and cache_dir is None:
        # Without a cache the workers still share their vectors through a scratch cache for this
        # run only: the themes step needs the answers' vectors, and most of them were embedded
        # during segmentation, by whichever worker had that comment. (Not done for a remote
        # scheduler: its workers may not see this machine's disk.)
        scratch = cache_dir = tempfile.mkdtemp(prefix="innspill-dask-")
    try:
        nworkers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        nparts = nworkers * N_PARTITIONS_PER_WORKER
        window = 2 * nworkers  # partitions in flight: each worker has the next one waiting
        for q in thread.questions:
            q.text, _ = repair_text(q.text)
        comments = thread.comments

        def repair():
            parts = _chunks(comments, nparts)
            counts = Counter()
            for c in client.gather(client.map(_w_word_counts, [[c.original for c in p] for p in parts], pure=False)):
                counts.update(c)
            counts.update(word_counts([thread.post]))
            vocab = Vocabulary.from_counts(counts - Vocabulary().counts)  # from_counts adds the stop words
            [vfut] = client.scatter([vocab], broadcast=True)
            for i, res in _map_bounded(client, _w_repair, [(p,) for p in parts], window, vocab=vfut):
                for c, (text, repairs, flags) in zip(parts[i], res):
                    c.text, c.repairs, c.flags = text, repairs, flags

        step("repair", repair)

        def dedupe():
            live, norms, groups, first, truncated = link_copies(comments)
            bands = lsh_bands(NEAR_THRESHOLD)
            items = sorted((pos, n) for n, pos in first.items())
            if not items:
                return apply_links(live, norms, groups, truncated)
            # shuffle by bucket: each partition's entries (band, band hash, position) are split by
            # bucket into one piece per destination, and destination d's task gets piece d of every
            # partition, so texts that share a bucket meet whatever partition they came from; the
            # task checks its buckets and returns only the links it made
            mapped = client.map(band_entries, _chunks(items, nparts), bands=bands, parts=nparts, pure=False)
            # each destination's piece is cut out where its mapper ran, so a bucket task fetches
            # only its own pieces, not every mapper's whole output
            pieces = [[client.submit(operator.getitem, m, d, pure=False) for m in mapped] for d in range(nparts)]
            [nf] = client.scatter([dict(items)], broadcast=True, hash=False)  # a dict scatters as one object in a list
            run = uuid.uuid4().hex
            links = client.gather([client.submit(_w_bucket_links, nf, bands, NEAR_THRESHOLD, run, *pieces[d],
                                                 pure=False) for d in range(nparts)])
            del mapped, pieces, nf
            client.run(_w_forget_features)
            for a, b in sorted(p for lst in links for p in lst):
                groups.union(a, b)
            return apply_links(live, norms, groups, truncated)

        dup_counts = step("dedupe", dedupe)

        def language():
            parts = _chunks(comments, nparts)
            detected = [x for r in client.gather(client.map(_w_languages, [[c.text for c in p] for p in parts],
                                                              pure=False)) for x in r]
            return detect_thread(thread.post, comments, lang, detected=detected)

        lang_main = step("language", language)
        analysis = Analysis(source=thread.source, questions=thread.questions, comments=comments,
                            post=thread.post, language=lang_main, warnings=list(thread.warnings))
        distinct = analysis.distinct()

        def segment():
            parts = _chunks(distinct, nparts)
            raws = [None] * len(parts)
            for i, res in _map_bounded(client, _w_raw_scores, [(p,) for p in parts], window,
                                       questions=thread.questions, language=lang_main,
                                       use_embeddings=use_embeddings, cache_dir=cache_dir):
                raws[i] = res
            seg = Segmenter(thread.questions, lang_main, _Marker() if use_embeddings else None)
            plan = seg.plan(distinct)
            units = [u for _, _, us in plan for u in us]
            nq = len(thread.questions)
            rel = np.concatenate([r[0] for r in raws]) if raws else np.zeros((0, nq), np.float32)
            lex = np.concatenate([r[1] for r in raws]) if raws else np.zeros((0, nq), np.float32)
            if len(units) != len(rel):
                raise RuntimeError("partitioned segmentation saw different units")  # pragma: no cover
            if units:
                seg.calibrate(units, rel, lex)
            return seg.pick(plan)

        analysis.answers = step("segment", segment)

        def stance():
            by_comment: dict[str, list] = {}
            for a in analysis.answers:
                by_comment.setdefault(a.comment_id, []).append(a)
            cparts = _chunks([c for c in distinct if c.id in by_comment], nparts)
            aparts = [[a for c in p for a in by_comment[c.id]] for p in cparts]
            for i, res in _map_bounded(client, _w_stances, list(zip(aparts, cparts)), window,
                                       questions=thread.questions, language=lang_main):
                for a, (st, conf, ev, prov) in zip(aparts[i], res):
                    a.stance, a.confidence, a.evidence, a.provenance = st, conf, ev, prov

        step("stance", stance)
        analysis.provenance = {
            "tool": f"innspill {__version__}",
            "stages": ["read", "repair", "dedupe", "language", "segment", "stance"],
            "embedding_model": embedder_version if use_embeddings else None,
            "duplicates_by_kind": dup_counts,
        }
        if finish is not None:
            finish(analysis, WorkerEmbedder(client, nparts, cache_dir)
                   if use_embeddings else None)
        return analysis
    finally:
        try:
            client.close()
            if cluster is not None:
                cluster.close()  # the workers exit and close the scratch cache's database
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)


class _Marker:
    """Stands in for the embedder on the client: calibration only needs to know embeddings were used."""


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
