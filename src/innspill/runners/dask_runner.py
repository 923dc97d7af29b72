"""Run the pipeline's stages over partitions of comments on a Dask cluster.

The stages, their names and order are the table :data:`innspill.stages.STAGES`; this runner
has a hook of its own for each stage the table runs ``where="runner"`` and runs them in the
table's order. The hooks call the same functions the local runner calls; only the steps that
need the whole thread run on the client, and they see exactly the numbers the local runner sees:

* repair: word counts per partition, summed (the vocabulary that picks lost letters is the
  thread's), then each distinct original repaired once with it, a window of partitions in flight;
  copies share the client's strings (an unchanged text is its original), as in the local runner;
* duplicates: exact and truncated copies on the client (sorting normalised texts is cheap);
  near-identical texts by MinHash band entries computed per partition and *shuffled by
  bucket* (each partition's entries split by bucket, one reducing task per share), so copies
  in different partitions meet; each bucket is checked on a worker, with the features its
  texts' mappers kept on their workers (no text is broadcast), and only the links that join
  groups come back to the client, which joins them; a bucket too large to check pair by pair
  (``dedupe.buckets.LARGE_BUCKET``) is split the same way on every runner, and each destination is told
  the thread's large buckets first;
* language per comment on the workers, the thread's vote on the client; then the comments no later
  stage reads (copies, comments not kept) leave the client's memory for a temporary file, read back
  a partition at a time when the analysis is counted and written (:mod:`innspill.comment_spill`);
* segmentation: sections and raw scores (embedding, word overlap) per partition, only the
  numbers come back; the per-thread calibration on the client over all units in the local order;
  then each partition is planned again on a worker, scored with it and picked, so the client
  gathers answers and never holds the thread's units;
* stance per partition;
* privacy and themes on the client (themes compare answers across comments), with the
  answers' embeddings computed on the workers (:class:`WorkerEmbedder`), so the one step that
  costs as much as segmentation is not left to a single process; a large question's vectors are
  fetched again from the workers (their cache is shared) rather than all kept on the client.

Embeddings are computed per text, independent of the batch (see ``embed.py``), so the result
is identical to the local runner's (tested). What the client gets back shares its strings (ids,
names), and the texts it keeps are held once although it pickles them for the workers
(:func:`fresh_texts`).
"""

from __future__ import annotations

import operator
import os
import shutil
import sys
import tempfile
from collections import Counter

import numpy as np

from ..errors import InnspillError
from .client_strings import as_bytes, as_text, fresh_texts, share_ids, shared_names

N_PARTITIONS_PER_WORKER = 8  # small enough that no worker waits long for the last one


def _client(scheduler: str | None, workers: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InnspillError("E302", "the dask runner needs the dask extra",
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
    every result at once. Used for every step that ships comments or texts."""
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


def _w_repair(texts: list[str], vocab) -> list[tuple[str | None, list]]:
    """Each distinct original repaired: ``(None, [])`` when it is unchanged (the client keeps its
    own string), else the repaired text and the repairs."""
    from ..repair import repair_text
    out = []
    for t in texts:
        fixed, repairs = repair_text(t, vocab)
        out.append((None if fixed == t else fixed, repairs))
    return out


def _piece(mapped, d: int):
    return mapped[0][d]


def _w_large_buckets(*pieces) -> dict:
    from ..dedupe import large_buckets
    return large_buckets(list(pieces))


def _w_bucket_links(tables: list, bands, threshold: float, large: dict, *pieces) -> list[tuple[int, int]]:
    """One destination's buckets, checked with the features the mappers kept on the workers
    (``tables``, one per partition): no text is sent or hashed twice. ``large``: the thread's
    large buckets (every destination's), which are checked part by part."""
    from ..dedupe import FeatureLookup, bucket_links
    return bucket_links(list(pieces), {}, bands, threshold, features=FeatureLookup(tables), large=large)


def _w_languages(texts: list[str]):
    from ..langdetect import detect_comments
    return detect_comments(texts)


_EMBEDDERS: dict = {}
# vectors a worker keeps in memory when it has a disk cache (the local runner keeps 50,000): the
# texts a worker embeds during segmentation come back to it for the themes through any worker,
# so its memory cache mostly holds the questions' vectors
WORKER_MEMORY_VECTORS = 5_000


def _worker_embedder(cache_dir: str | None):
    """One model per worker process, one embedder (memory cache) per cache folder: a worker of a
    long-lived cluster serves runs with different folders."""
    if cache_dir not in _EMBEDDERS:
        from ..embed import Embedder
        e = Embedder(threads=1, cache_dir=cache_dir)
        if cache_dir is not None:  # the disk cache, shared by the workers, keeps every vector
            e.memory_vectors = WORKER_MEMORY_VECTORS
        _EMBEDDERS[cache_dir] = e
    return _EMBEDDERS[cache_dir]


def _w_raw_scores(comments, questions, language, use_embeddings, cache_dir):
    """A partition's units' raw scores (slice by slice, as the local runner scores them) and which
    units are paragraphs: numbers only go back, the units stay here."""
    from ..segment import Segmenter, para_mask
    seg = Segmenter(questions, language, _worker_embedder(cache_dir) if use_embeddings else None)
    units = [u for _, _, us in seg.plan(comments) for u in us]
    rel, lex = seg.sliced_scores(units)
    return rel, lex, para_mask(units)


def _w_pick(comments, rel, lex, calib, questions, language, use_embeddings):
    """A partition's answers: its units planned again (text rules, cheap), scored with their raw
    scores and the thread's calibration, then picked, as the local runner's second pass does."""
    from ..segment import Segmenter
    seg = Segmenter(questions, language, _Marker() if use_embeddings else None)
    plan = seg.plan(comments)
    units = [u for _, _, us in plan for u in us]
    if len(units) != len(rel):
        raise RuntimeError("partitioned segmentation saw different units")  # pragma: no cover
    seg.apply(units, rel, lex, calib)
    return seg.pick(plan)


def _w_embed(texts: list[bytes], query: bool, cache_dir: str | None) -> np.ndarray:
    return _worker_embedder(cache_dir).embed([as_text(t) for t in texts], query=query)


class WorkerEmbedder:
    """Looks like :class:`innspill.embed.Embedder` to the client-side stages, but embeds on the
    workers: ``embed(texts)`` splits the texts into one chunk per partition, maps them over the
    cluster and puts the rows back in order. Each worker keeps its own model, memory cache and
    (with ``cache_dir``) the shared disk cache, so texts seen during segmentation are not
    embedded twice on the worker that saw them, and a re-run reads them from disk."""

    def __init__(self, client, nparts: int, cache_dir: str | None, window: int = 4, progress=None):
        self.client, self.nparts, self.cache_dir, self.window = client, nparts, cache_dir, window
        self.progress = progress  # (texts done, texts) as parts come back, like Embedder.progress
        self.cache_path = None  # the disk cache (if any) is the workers': ``cache_dir``, which the themes
        # read as "vectors can be had again without the model" (they keep one stance side's at a time)
        self.calls = 0  # texts sent to the workers

    def embed(self, texts: list[str], query: bool = False) -> np.ndarray:
        from ..embed import DIM

        out = np.empty((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        parts = _chunks(list(texts), self.nparts)
        starts = np.r_[0, np.cumsum([len(p) for p in parts])]
        self.calls += len(texts)
        done = 0
        for i, vecs in _map_bounded(self.client, _w_embed, [([as_bytes(t) for t in p],) for p in parts], self.window,
                                    query=query,
                                    cache_dir=self.cache_dir):
            out[starts[i]:starts[i + 1]] = vecs  # filled in place, one part at a time
            done += len(vecs)
            if self.progress is not None:
                self.progress(done, len(texts))
        return out


def _w_stances(answers, comments, questions, language):
    from ..stance import assign_stances
    assign_stances(answers, comments, questions, language)
    return [(a.stance, a.confidence, a.evidence, a.provenance) for a in answers]


# ---- the runner ------------------------------------------------------------------------
class _ClusterStages:
    """The runner's hook for each stage it runs (``where="runner"`` in the table), on one cluster:
    ``hooks()`` maps each stage's name to its hook, as :func:`innspill.stages.run_stages_at` takes
    them. Each hook is the stage of that name; its ``*_partitions`` method, run as the stage's
    step, spreads the work over partitions of the thread's comments."""

    def __init__(self, client, thread, step, *, lang: str, use_embeddings: bool, cache_dir: str | None,
                 nparts: int, window: int, meter=None):
        self.client, self.thread, self.step, self.lang = client, thread, step, lang
        self.use_embeddings, self.cache_dir, self.meter = use_embeddings, cache_dir, meter
        self.nparts = nparts
        self.window = window  # partitions in flight: each worker has the next one waiting
        self.comments = thread.comments

    def hooks(self) -> dict:
        return {"repair": self.repair, "dedupe": self.dedupe, "language": self.language,
                "segment": self.segment, "stance": self.stance}

    def repair(self, r):
        from ..repair import repair_text

        for q in self.thread.questions:
            q.text, _ = repair_text(q.text)
        self.step("repair", self.repair_partitions)

    def repair_partitions(self):
        from ..repair import Vocabulary, word_counts

        # The thread's word counts (copies count, as in the local runner) from partitions of
        # originals, a window of them in flight; then each distinct original is repaired once,
        # and copies share the client's strings (an unchanged text is its original), as
        # repair_comments does: the client holds each distinct text once, not once per copy
        # and once more as the workers' answer.
        counts = Counter()
        parts = _chunks(self.comments, self.nparts)
        for _, c in _map_bounded(self.client, _w_word_counts, [([c.original for c in p],) for p in parts], self.window):
            counts.update(c)
        counts.update(word_counts([self.thread.post]))
        vocab = Vocabulary.from_counts(counts - Vocabulary().counts)  # from_counts adds the stop words
        index: dict[str, int] = {}
        texts: list[str] = []
        for c in self.comments:
            k = index.setdefault(c.original, len(texts))
            if k == len(texts):
                texts.append(c.original)
            c.original = texts[k]
        del index
        fixed: list = [None] * len(texts)
        [vfut] = self.client.scatter([vocab], broadcast=True)
        size = max(1, -(-len(texts) // self.nparts))
        starts = range(0, len(texts), size)
        for i, res in _map_bounded(self.client, _w_repair, [(texts[k:k + size],) for k in starts], self.window, vocab=vfut):
            fixed[starts[i]:starts[i] + len(res)] = res
        at = {id(t): k for k, t in enumerate(texts)}
        for c in self.comments:
            text, repairs = fixed[at[id(c.original)]]
            c.text, c.repairs = (c.original if text is None else text), list(repairs)
            if "Ã" in c.text or "\ufffd" in c.text or "â?" in c.text:
                c.flags.append("unrepaired-encoding")

    def dedupe(self, r):
        r.dup_counts = self.step("dedupe", self.dedupe_partitions)

    def dedupe_partitions(self):
        from ..dedupe import NEAR_THRESHOLD, apply_links, band_entries, link_copies, lsh_bands
        from ..memory import release_memory

        live, norms, groups, first, truncated = link_copies(self.comments)
        bands = lsh_bands(NEAR_THRESHOLD)
        items = sorted((pos, n) for n, pos in first.items())
        del first
        # the forms go to the workers; what is left here reads the prefixes norms holds apart (kind)
        norms.forget(range(len(norms.forms)))
        if not items:
            return apply_links(live, norms, groups, truncated)
        # shuffle by bucket: each partition's entries (band, band hash, position) are split by
        # bucket into one piece per destination, and destination d's task gets piece d of every
        # partition, so texts that share a bucket meet whatever partition they came from; the
        # task checks its buckets and returns only the links it made. The texts go to the
        # workers one partition at a time (scattered, not held in the task graph), and each
        # mapper keeps its texts' features on its worker for the bucket checks, so the texts
        # are neither broadcast to every worker nor hashed again there.
        mapped = [self.client.submit(band_entries, self.client.scatter([chunk], hash=False)[0], bands, self.nparts,
                                     with_features=True, pure=False) for chunk in _chunks(items, self.nparts)]
        del items  # the forms' text, on the workers now (at 1,000,000 answers some 400 MB)
        release_memory()
        # each destination's piece is cut out where its mapper ran, so a bucket task fetches
        # only its own pieces, not every mapper's whole output
        pieces = [[self.client.submit(_piece, m, d, pure=False) for m in mapped] for d in range(self.nparts)]
        tables = [self.client.submit(operator.getitem, m, 1, pure=False) for m in mapped]
        del mapped
        # the thread's large buckets (a bucket's entries are all at one destination), so each
        # destination knows which earlier band's bucket of a pair was checked only in parts
        large: dict = {}
        for found in self.client.gather([self.client.submit(_w_large_buckets, *pieces[d], pure=False)
                                         for d in range(self.nparts)]):
            for b, keys in found.items():
                large[b] = np.union1d(large[b], keys) if b in large else keys
        links = self.client.gather([self.client.submit(_w_bucket_links, tables, bands, NEAR_THRESHOLD, large,
                                                       *pieces[d], pure=False) for d in range(self.nparts)])
        del pieces, tables
        for a, b in sorted(p for lst in links for p in lst):
            groups.union(a, b)
        return apply_links(live, norms, groups, truncated)

    def language(self, r):
        r.open_analysis(self.step("language", self.language_partitions))
        self.spill(r)

    def spill(self, r):
        """The comments no later stage reads (copies, comments not kept) leave the client's memory
        for a temporary file, read back a partition at a time when the analysis is counted and
        written (:mod:`innspill.comment_spill`); the analysed ones stay. Every holder of the list
        (the thread, the analysis, this object) gets the spilled sequence, so the list goes."""
        from ..comment_spill import SpilledComments
        from ..memory import release_memory

        spilled = SpilledComments(self.comments)
        self.comments = self.thread.comments = r.analysis.comments = spilled
        release_memory()

    def language_partitions(self):
        from ..langdetect import detect_thread

        parts = _chunks(self.comments, self.nparts)
        found = [None] * len(parts)
        for i, res in _map_bounded(self.client, _w_languages, [([c.text for c in p],) for p in parts], self.window):
            found[i] = res
        # one string per language name, not one per comment as unpickled from the workers
        detected = [x if x is None else sys.intern(x) for res in found for x in res]
        return detect_thread(self.thread.post, self.comments, self.lang, detected=detected)

    def segment(self, r):
        r.analysis.answers = self.step("segment", self.segment_partitions, r.distinct, r.analysis.language)

    def segment_partitions(self, distinct, lang_main):
        from ..segment import Segmenter

        # first pass on the workers: units and their raw scores; only the numbers come back.
        # The thread's calibration on the client, over all units in the local order; then the
        # workers plan their partitions again, apply it and pick: the client gathers answers,
        # and never holds the thread's units.
        parts = _chunks(distinct, self.nparts)
        raws = [None] * len(parts)
        done = 0
        for i, res in _map_bounded(self.client, _w_raw_scores, [(p,) for p in parts], self.window,
                                   questions=self.thread.questions, language=lang_main,
                                   use_embeddings=self.use_embeddings, cache_dir=self.cache_dir):
            raws[i] = res
            done += len(parts[i])
            if self.meter is not None:
                self.meter(done, len(distinct), "segmenting", "comment")
        seg = Segmenter(self.thread.questions, lang_main, _Marker() if self.use_embeddings else None)
        rel = np.concatenate([x[0] for x in raws]) if raws else np.zeros((0, len(self.thread.questions)), np.float32)
        para = np.concatenate([x[2] for x in raws]) if raws else np.zeros(0, bool)
        calib = seg.calibration(rel, para) if len(rel) else None
        del rel, para
        picked = [None] * len(parts)
        for i, res in _map_bounded(self.client, _w_pick, [(p, raws[k][0], raws[k][1]) for k, p in enumerate(parts)],
                                   self.window, calib=calib, questions=self.thread.questions, language=lang_main,
                                   use_embeddings=self.use_embeddings):
            picked[i] = res
        return share_ids([a for res in picked for a in res], distinct, self.thread.questions)

    def stance(self, r):
        self.step("stance", self.stance_partitions, r.analysis.answers, r.distinct, r.analysis.language)
        fresh_texts(r.distinct, r.analysis.answers)  # the last stage that sends them to the workers

    def stance_partitions(self, answers, distinct, lang_main):
        from ..stages import stance_questions

        by_comment: dict[str, list] = {}
        for a in answers:
            by_comment.setdefault(a.comment_id, []).append(a)
        cparts = _chunks([c for c in distinct if c.id in by_comment], self.nparts)
        aparts = [[a for c in p for a in by_comment[c.id]] for p in cparts]
        for i, res in _map_bounded(self.client, _w_stances, list(zip(aparts, cparts)), self.window,
                                   questions=stance_questions(self.thread.questions), language=lang_main):
            for a, (st, conf, ev, prov) in zip(aparts[i], res):
                a.stance, a.confidence, a.evidence, a.provenance = (
                    sys.intern(st) if type(st) is str else st, conf, ev, shared_names(prov))


def run_stages_dask(thread, *, lang: str = "auto", use_embeddings: bool = True, scheduler: str | None = None,
                    workers: int = 2, cache_dir: str | None = None, step=None, embedder_version: str | None = None,
                    finish=None, meter=None):
    """The runner's stages (``where="runner"`` in :data:`innspill.stages.STAGES`: repair to stance)
    on the cluster, named and ordered by the table, each by this module's hook of that name; then
    ``finish(analysis, embedder)`` (the client's stages: the stance model, privacy and themes) while
    the cluster is still up, with a :class:`WorkerEmbedder` as the embedder. A thread that needs a
    stage this runner has no hook for (answers from table cells) is refused; ``run_thread`` runs
    such threads locally.
    ``meter(done, total, desc, unit)`` is told the comments segmented as partitions come back, and
    (through the worker embedder) the texts embedded for the themes."""
    from ..stages import StageRun, entry_stages, run_stages_at, thread_provenance

    r = StageRun(thread=thread, lang=lang, use_embeddings=use_embeddings, step=step, meter=meter,
                 ran=entry_stages())
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
        stages = _ClusterStages(client, thread, r.step, lang=lang, use_embeddings=use_embeddings,
                                cache_dir=cache_dir, nparts=nparts, window=window, meter=meter)
        run_stages_at(r, "runner", hooks=stages.hooks())
        analysis = r.analysis
        analysis.provenance = thread_provenance(r, embedder_version if use_embeddings else None)
        if finish is not None:
            finish(analysis, WorkerEmbedder(client, nparts, cache_dir, window, progress=meter)
                   if use_embeddings else None)
        return analysis
    finally:
        try:
            client.close()
            if cluster is not None:
                cluster.close()  # the workers exit and close the scratch cache's database
        finally:
            if scratch is not None:
                _remove(scratch)


def _remove(folder: str, tries: int = 40) -> None:
    """Remove the scratch cache. A worker that is still exiting may write its database's journal
    once more after the folder was listed, so removal is retried for a few seconds."""
    import time

    for _ in range(tries):
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.exists(folder):
            return
        time.sleep(0.25)


class _Marker:
    """Stands in for the embedder on the client: calibration only needs to know embeddings were used."""

