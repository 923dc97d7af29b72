"""Results of a live vote (``innspill.live/1``): counts, opinion groups, consensus, divisive statements.

The computation follows Pol.is: a participant x statement vote matrix (agree 1, disagree -1,
pass or missing 0), PCA to two dimensions, each participant's point scaled up by
``sqrt(statements / statements they voted on)`` so that people who voted on few statements are
not all drawn to the centre, then k-means with k (2..5) chosen by the silhouette score.
Consensus and divisive statements are group-aware: shares are computed within each opinion group,
so a large group cannot outvote a small one.

:func:`build_results` validates its input first and raises :class:`LiveFormatError` with a code
(``E4xx`` for the data, ``E301`` for a bad option; all registered in :mod:`innspill.errors`) and
the place (``votes[12]: unknown statement 99``). It is meant to be recomputed about once a second
while votes arrive: 1,000 participants x 30 statements take well under half a second.
"""

from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime

import numpy as np

from innspill.errors import CODES, InnspillError

SCHEMA = "innspill.live/1"

MIN_PARTICIPANTS = 6          # groups need this many participants with enough votes
MIN_STATEMENTS = 2            # ... and this many statements with votes
K_MIN, K_MAX = 2, 5           # k-means k range, chosen by silhouette
CONSENSUS_SHARE = 0.6         # every group (or the whole audience) at least this share
CONSENSUS_MIN_VOTES = 5       # a statement needs this many votes to be consensus
DIVISIVE_SPREAD = 0.5         # largest minus smallest group agree-share
STRAIGHT_LINE_MIN = 3         # agree / disagree votes (passes ignored) to call someone a straight-liner
SILHOUETTE_SAMPLE = 2000      # above this many points the silhouette is computed on a fixed sample
# How the groups were formed, in plain words (the brief says it in its own language), and the
# technique for whoever checks the computation.
METHOD = (f"participants who voted alike on the same statements are put in the same group; between {K_MIN} and "
          f"{K_MAX} groups, as many as separate the votes most clearly")
TECHNIQUE = f"PCA (2 components) + k-means, k by silhouette in {K_MIN}..{K_MAX}"

KINDS = ("question", "statement")
SOURCES = ("question", "brief", "presenter", "audience")
VOTES = (1, -1, 0)

class LiveFormatError(InnspillError):
    """Bad ``innspill.live/1`` input: ``code`` (``E4xx``; ``E301`` for an option of
    :func:`build_results`), ``where`` (``votes[12]``) and ``detail``.

    ``str(err)`` begins ``"error E404: votes[12]: unknown statement 99"`` (the code's fix follows on
    the next line). It is an
    :class:`~innspill.errors.InnspillError`, so the CLI prints it without a traceback.
    """

    def __init__(self, code: str, where: str, detail: str):
        assert code in CODES, code
        self.code = code
        self.where = where
        self.detail = detail
        self.message = f"{where}: {detail}" if where else detail
        self.path = self.line = self.record = self.hint = None
        Exception.__init__(self, self.format())


# ---------------------------------------------------------------- validation


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _timestamp(value, where: str) -> datetime:
    if not isinstance(value, str):
        raise LiveFormatError("E408", where, f"expected an ISO 8601 string, got {type(value).__name__}")
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise LiveFormatError("E408", where, f"not an ISO 8601 timestamp: {value!r}") from None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _field(obj: dict, key: str, where: str, kinds, *, required: bool = True, nullable: bool = False):
    if key not in obj:
        if required:
            raise LiveFormatError("E402", where, f"missing {key!r}")
        return None
    value = obj[key]
    if value is None and nullable:
        return None
    ok = _is_int(value) if kinds is int else isinstance(value, kinds)
    if not ok:
        names = {int: "an integer", str: "a string", bool: "true or false", dict: "an object", list: "a list"}
        want = names.get(kinds, getattr(kinds, "__name__", str(kinds)))
        raise LiveFormatError("E402", f"{where}.{key}", f"expected {want}, got {_type_name(value)}")
    return value


def _type_name(value) -> str:
    return "null" if value is None else type(value).__name__


class _Parsed:
    """Validated input: statement and participant order, the last vote per (participant, statement)."""

    __slots__ = ("statements", "stmt_index", "participants", "part_index", "p_idx", "s_idx", "vals", "ats",
                 "repeated")


def validate(data) -> _Parsed:
    """Check ``data`` against ``innspill.live/1``; raise :class:`LiveFormatError` at the first problem.

    A participant who voted twice on the same statement (a changed vote) is not an error: the vote
    with the latest ``at`` counts (equal or missing ``at``: the later one in the list); the number of
    such repeats is returned in ``repeated``.
    """
    _check_top_level(data)
    parsed = _Parsed()
    parsed.statements = data["statements"]
    parsed.stmt_index = _statement_index(parsed.statements)
    parsed.participants = data["participants"]
    parsed.part_index = _participant_index(parsed.participants)
    _read_votes(parsed, data["votes"])
    return parsed


def _check_top_level(data) -> None:
    """The object, its schema, and the lists it must hold."""
    if not isinstance(data, dict):
        raise LiveFormatError("E401", "", f"expected an object, got {_type_name(data)}")
    if data.get("schema") != SCHEMA:
        raise LiveFormatError("E401", "schema", f"expected {SCHEMA!r}, got {data.get('schema')!r}")
    if "session" in data and data["session"] is not None and not isinstance(data["session"], dict):
        raise LiveFormatError("E402", "session", f"expected an object, got {_type_name(data['session'])}")
    for key in ("statements", "participants", "votes"):
        if key not in data:
            raise LiveFormatError("E402", "", f"missing {key!r}")
        if not isinstance(data[key], list):
            raise LiveFormatError("E402", key, f"expected a list, got {_type_name(data[key])}")


def _statement_index(statements: list) -> dict[int, int]:
    """Statement id -> its place in the list, each statement checked."""
    stmt_index: dict[int, int] = {}
    for i, st in enumerate(statements):
        where = f"statements[{i}]"
        if not isinstance(st, dict):
            raise LiveFormatError("E402", where, f"expected an object, got {_type_name(st)}")
        sid = _field(st, "id", where, int)
        if sid in stmt_index:
            raise LiveFormatError("E403", f"{where}.id", f"statement {sid} is repeated (first at statements[{stmt_index[sid]}])")
        stmt_index[sid] = i
        kind = _field(st, "kind", where, str)
        if kind not in KINDS:
            raise LiveFormatError("E407", f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        _field(st, "text", where, str)
        source = _field(st, "source", where, str, required=False)
        if source is not None and source not in SOURCES:
            raise LiveFormatError("E407", f"{where}.source", f"{source!r} is not one of {', '.join(SOURCES)}")
        for key in ("hidden", "revealed", "locked"):
            _field(st, key, where, bool, required=False)
        _field(st, "position", where, int, required=False, nullable=True)
        _field(st, "question_id", where, str, required=False, nullable=True)
        _field(st, "comment_id", where, str, required=False, nullable=True)
    return stmt_index


def _participant_index(participants: list) -> dict[str, int]:
    """Participant id -> its place in the list, each participant checked."""
    part_index: dict[str, int] = {}
    for i, pa in enumerate(participants):
        where = f"participants[{i}]"
        if not isinstance(pa, dict):
            raise LiveFormatError("E402", where, f"expected an object, got {_type_name(pa)}")
        pid = _field(pa, "id", where, str)
        if not pid:
            raise LiveFormatError("E402", f"{where}.id", "empty participant id")
        if pid in part_index:
            raise LiveFormatError("E403", f"{where}.id", f"participant {pid!r} is repeated (first at participants[{part_index[pid]}])")
        part_index[pid] = i
        if pa.get("joined") is not None:
            _timestamp(pa["joined"], f"{where}.joined")
    return part_index


def _read_votes(parsed: _Parsed, votes: list) -> None:
    """Each vote checked; the last one per (participant, statement) kept in ``parsed`` as arrays."""
    part_index, stmt_index = parsed.part_index, parsed.stmt_index
    # the hot loop (recomputed every second on tens of thousands of votes): checks are cheap type tests,
    # the message is built only on a failure; timestamps are parsed once per distinct string
    n_s = max(len(stmt_index), 1)
    latest: dict[int, tuple[datetime | None, int, str | None]] = {}
    stamps: dict[str, datetime] = {}
    part_get, stmt_get, latest_get = part_index.get, stmt_index.get, latest.get
    repeated = 0
    for i, vote in enumerate(votes):
        if type(vote) is not dict:
            raise LiveFormatError("E402", f"votes[{i}]", f"expected an object, got {_type_name(vote)}")
        try:
            participant, statement, value = vote["participant"], vote["statement"], vote["vote"]
        except KeyError as exc:
            raise LiveFormatError("E402", f"votes[{i}]", f"missing {exc.args[0]!r}") from None
        pi = part_get(participant) if type(participant) is str else None
        si = stmt_get(statement) if type(statement) is int else None
        if pi is None or si is None or type(value) is not int or not -1 <= value <= 1:
            _bad_vote(i, participant, statement, value, pi is not None, si is not None)
        at = vote.get("at")
        if at is None:
            stamp = None
        else:
            stamp = stamps.get(at) if type(at) is str else None
            if stamp is None:
                stamp = stamps[at] = _timestamp(at, f"votes[{i}].at")
        key = pi * n_s + si
        before = latest_get(key)
        if before is not None:
            repeated += 1
            if before[0] is not None and stamp is not None and stamp < before[0]:
                continue            # an older vote listed after a newer one
        latest[key] = (stamp, value, at)

    n = len(latest)
    keys = np.fromiter(latest, dtype=np.int64, count=n)
    parsed.p_idx, parsed.s_idx = keys // n_s, keys % n_s
    parsed.vals = np.fromiter((v[1] for v in latest.values()), dtype=np.int8, count=n)
    parsed.ats = [v[2] for v in latest.values()]
    parsed.repeated = repeated


def _bad_vote(i: int, participant, statement, value, known_participant: bool, known_statement: bool):
    """Raise the error for votes[i] (the slow path of :func:`validate`'s loop)."""
    if type(participant) is not str:
        raise LiveFormatError("E402", f"votes[{i}].participant", f"expected a string, got {_type_name(participant)}")
    if not known_participant:
        raise LiveFormatError("E405", f"votes[{i}]", f"unknown participant {participant!r}")
    if type(statement) is not int:
        raise LiveFormatError("E402", f"votes[{i}].statement", f"expected an integer, got {_type_name(statement)}")
    if not known_statement:
        raise LiveFormatError("E404", f"votes[{i}]", f"unknown statement {statement}")
    raise LiveFormatError("E406", f"votes[{i}].vote", f"expected 1, -1 or 0, got {value!r}")


# ---------------------------------------------------------------- results


def _share(part: int, whole: int) -> float:
    return round(float(part) / float(whole), 3) if whole else 0.0


def build_results(data: dict, *, include_straight_liners: bool = True, min_votes: int = 5, seed: int = 0) -> dict:
    """Return a (shallow) copy of ``data`` with ``counts``, ``participants_voting``, ``straight_liners``,
    ``straight_liners_included``, ``groups``, ``consensus``, ``divisive``, ``notes`` and ``notes_detail``.

    ``min_votes``: a participant needs this many votes on visible statements to be placed in a group
    (capped at the number of visible statements with votes, as Pol.is does). ``seed`` makes k-means
    reproducible: the same input and seed give the same result.
    """
    if not _is_int(min_votes) or min_votes < 1:
        raise LiveFormatError("E301", "min_votes", f"must be a positive integer, got {min_votes!r}")
    if not _is_int(seed) or seed < 0:
        raise LiveFormatError("E301", "seed", f"must be a non-negative integer, got {seed!r}")
    parsed = validate(data)
    statements, participants = parsed.statements, parsed.participants
    n_p, n_s = len(participants), len(statements)

    # dense vote matrix: value (1 / -1 / 0) and whether a vote exists at all
    values = np.zeros((n_p, n_s), dtype=np.int8)
    voted = np.zeros((n_p, n_s), dtype=bool)
    values[parsed.p_idx, parsed.s_idx] = parsed.vals
    voted[parsed.p_idx, parsed.s_idx] = True
    agree, disagree = values == 1, values == -1
    passed = voted & (values == 0)

    sids = [st["id"] for st in statements]
    a_col, d_col, p_col = agree.sum(0), disagree.sum(0), passed.sum(0)
    counts = {str(sid): {"agree": int(a_col[j]), "disagree": int(d_col[j]), "pass": int(p_col[j]),
                         "total": int(a_col[j] + d_col[j] + p_col[j])} for j, sid in enumerate(sids)}

    # straight-liners: >= 3 agree / disagree votes, all the same way (passes ignored)
    n_agree, n_disagree = agree.sum(1), disagree.sum(1)
    n_sided = n_agree + n_disagree
    straight = (n_sided >= STRAIGHT_LINE_MIN) & ((n_agree == n_sided) | (n_disagree == n_sided))
    pids = [pa["id"] for pa in participants]

    notes: list[str] = []
    details: list[dict] = []
    if parsed.repeated:
        notes.append(f"{parsed.repeated} repeated vote(s) on the same statement by the same participant: "
                     "the latest counts")
        details.append({"code": "repeated_votes", "count": parsed.repeated})

    visible = np.array([not st.get("hidden", False) for st in statements], dtype=bool)
    counted = voted.any(1) & (include_straight_liners | ~straight)    # who the consensus can count
    order = _statement_order(statements)

    groups = _groups(values, voted, visible, straight, include_straight_liners, min_votes, seed, pids, sids,
                     notes, details)
    if groups is None:
        consensus = _audience_consensus(agree, disagree, voted, counted, visible, order, sids)
        divisive: list[dict] = []
    else:
        consensus, divisive = _group_consensus(groups.pop("_tallies"), visible, order, sids)

    result = dict(data)
    result.update({
        "counts": counts,
        "participants_voting": int(voted.any(1).sum()),
        "straight_liners": [pids[i] for i in np.flatnonzero(straight)],
        "straight_liners_included": bool(include_straight_liners),
        "groups": groups,
        "consensus": consensus,
        "divisive": divisive,
        "notes": notes,
        "notes_detail": details,
    })
    return result


def _statement_order(statements: list[dict]) -> list[int]:
    """Statement indexes in presentation order (``position``, then list order), for stable tie-breaking."""
    def key(j):
        pos = statements[j].get("position")
        return (pos if _is_int(pos) else math.inf, j)
    return sorted(range(len(statements)), key=key)


def _groups(values, voted, visible, straight, include_straight_liners, min_votes, seed, pids, sids, notes, details):
    """The opinion groups (see the module's docstring), or None with a note and its detail saying why not."""
    found = _eligible(values, voted, visible, straight, include_straight_liners, min_votes, notes, details)
    if found is None:
        return None
    rows, cols, need_votes = found
    best, pca, points = _cluster(values[np.ix_(rows, cols)].astype(np.float64), voted[np.ix_(rows, cols)], seed)
    if best is None:
        notes.append("the participants' votes do not separate into groups")
        details.append({"code": "no_differences", "participants": int(len(rows))})
        return None
    score, _, labels = best
    labels, k = _ranked_labels(labels)

    # per-group tallies on every statement (hidden ones too; they are dropped from the output)
    onehot = np.zeros((len(rows), k), dtype=np.int64)
    onehot[np.arange(len(rows)), labels] = 1
    sub_vals, sub_voted = values[rows], voted[rows]
    g_agree = onehot.T @ (sub_vals == 1)
    g_disagree = onehot.T @ (sub_vals == -1)
    g_n = onehot.T @ sub_voted
    g_pass = g_n - g_agree - g_disagree

    by_group = {}
    for j in np.flatnonzero(visible):
        by_group[str(sids[j])] = [
            {"group": g, "agree": int(g_agree[g, j]), "disagree": int(g_disagree[g, j]),
             "pass": int(g_pass[g, j]), "n": int(g_n[g, j]),
             "agree_share": _share(g_agree[g, j], g_n[g, j]), "disagree_share": _share(g_disagree[g, j], g_n[g, j])}
            for g in range(k)]
    return {
        "k": int(k),
        "silhouette": round(score, 3),
        "method": METHOD,
        "technique": TECHNIQUE,
        "members": {pids[r]: int(labels[i]) for i, r in enumerate(rows)},
        "points": {pids[r]: [round(float(points[i, 0]), 4), round(float(points[i, 1]), 4)]
                   for i, r in enumerate(rows)},
        "sizes": [int(s) for s in onehot.sum(0)],
        "explained_variance": [round(float(v), 3) for v in pca.explained_variance_ratio_],
        "min_votes": int(need_votes),
        "by_group": by_group,
        "_tallies": (g_agree, g_disagree, g_n),
    }


def _eligible(values, voted, visible, straight, include_straight_liners, min_votes, notes, details):
    """The participants (rows) and statements (columns) the groups are computed on, and the votes a
    participant needs; None, with a note and its detail, when they are too few or all vote alike."""
    cols = np.flatnonzero(visible & voted.any(0))
    if len(cols) < MIN_STATEMENTS:
        notes.append(f"groups need at least {MIN_STATEMENTS} visible statements with votes; {len(cols)} have")
        details.append({"code": "too_few_statements", "need": MIN_STATEMENTS, "have": int(len(cols))})
        return None
    need_votes = min(min_votes, len(cols))
    n_voted = voted[:, cols].sum(1)
    eligible = n_voted >= need_votes
    if not include_straight_liners:
        eligible &= ~straight
    rows = np.flatnonzero(eligible)
    if len(rows) < MIN_PARTICIPANTS:
        excluded = " (straight-liners excluded)" if not include_straight_liners and straight.any() else ""
        notes.append(f"groups need at least {MIN_PARTICIPANTS} participants with {need_votes} votes; "
                     f"{len(rows)} have{excluded}")
        details.append({"code": "too_few_participants", "need": MIN_PARTICIPANTS, "have": int(len(rows)),
                        "min_votes": int(need_votes), "straight_liners_excluded": not include_straight_liners})
        return None
    # columns nobody eligible voted on carry no information
    cols = cols[voted[np.ix_(rows, cols)].any(0)]
    matrix = values[np.ix_(rows, cols)].astype(np.float64)
    if len(np.unique(matrix, axis=0)) < 2:
        notes.append(f"all {len(rows)} participants with enough votes voted the same way: no groups")
        details.append({"code": "no_differences", "participants": int(len(rows))})
        return None
    return rows, cols, need_votes


def _cluster(matrix, voted, seed):
    """PCA of the vote ``matrix`` to two dimensions, the points pushed out by the share of
    statements each participant ``voted`` on, and the k-means labels with the best silhouette:
    ((score, k, labels) or None, the fitted PCA, the points)."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    # one thread: a few thousand 2-D points are done before BLAS / OpenMP threads would start, and
    # idle spinning threads slow everything down on a busy machine (the web server recomputing every
    # second shares its cores with the requests)
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")      # k-means on duplicate points warns about convergence
        pca = PCA(n_components=2, svd_solver="full", random_state=seed)
        points = pca.fit_transform(matrix)
        # Pol.is: push participants who voted on few statements out from the centre
        points *= np.sqrt(matrix.shape[1] / voted.sum(1))[:, None]
        distinct = len(np.unique(np.round(points, 9), axis=0))
        k_top = min(K_MAX, len(matrix) - 1, distinct)
        best = None
        for k in range(K_MIN, k_top + 1):
            labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(points)
            if len(np.unique(labels)) < 2:
                continue
            sample = SILHOUETTE_SAMPLE if len(points) > SILHOUETTE_SAMPLE else None
            score = float(silhouette_score(points, labels, sample_size=sample, random_state=seed))
            if best is None or score > best[0] + 1e-12:
                best = (score, k, labels)
    return best, pca, points


def _ranked_labels(labels):
    """Stable group numbers: largest group first, ties by its first member; (labels, groups)."""
    found = np.unique(labels)
    ranked = sorted(found, key=lambda g: (-int((labels == g).sum()), int(np.argmax(labels == g))))
    relabel = np.empty(found.max() + 1, dtype=np.int64)
    relabel[ranked] = np.arange(len(ranked))
    return relabel[labels], len(ranked)


def _audience_consensus(agree, disagree, voted, counted, visible, order, sids) -> list[dict]:
    """Without groups: >= 60 % of the (counted) audience's >= 5 votes on a visible statement, one way."""
    a = agree[counted].sum(0)
    d = disagree[counted].sum(0)
    n = voted[counted].sum(0)
    found = []
    for j in order:
        if not visible[j] or n[j] < CONSENSUS_MIN_VOTES:
            continue
        for direction, part in (("agree", a[j]), ("disagree", d[j])):
            if part / n[j] >= CONSENSUS_SHARE:
                found.append((-(part / n[j]), len(found), {"statement": sids[j], "direction": direction,
                                                           "min_share": _share(part, n[j])}))
    return [entry for *_, entry in sorted(found, key=lambda t: t[:2])]


def _group_consensus(tallies, visible, order, sids) -> tuple[list[dict], list[dict]]:
    """Group-aware consensus (every group >= 60 % one way) and divisive statements (agree-share spread)."""
    g_agree, g_disagree, g_n = tallies
    consensus, divisive = [], []
    for rank, j in enumerate(order):
        if not visible[j]:
            continue
        n = g_n[:, j]
        present = n > 0
        if present.sum() >= 2:
            shares = g_agree[present, j] / n[present]
            spread = float(shares.max() - shares.min())
            if spread >= DIVISIVE_SPREAD:
                divisive.append((-spread, rank, {"statement": sids[j], "spread": round(spread, 3)}))
        if not present.all() or n.sum() < CONSENSUS_MIN_VOTES:
            continue
        for direction, part in (("agree", g_agree[:, j]), ("disagree", g_disagree[:, j])):
            low = float((part / n).min())
            if low >= CONSENSUS_SHARE:
                consensus.append((-low, rank, {"statement": sids[j], "direction": direction,
                                               "min_share": round(low, 3)}))
    return ([e for *_, e in sorted(consensus, key=lambda t: t[:2])],
            [e for *_, e in sorted(divisive, key=lambda t: t[:2])])
