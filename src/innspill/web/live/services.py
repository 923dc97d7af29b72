"""Live debate logic without HTTP: statements from a consultation, votes, the export in
``innspill.live/1``, and the per-session results cache that the pages and the event streams read
(what each audience sees of it: ``state.py``).

Results are recomputed in this process at most every ``MIN_INTERVAL`` seconds per session, and
only after something changed (a vote, a presenter action) or ``MAX_AGE`` passed (another process
may have written). Every vote is committed before its request returns: the database is the only
truth and the cache can be dropped at any time (a restart rebuilds it on the first request)."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_noop

from .models import AudienceIdea, IdeaUpvote, LiveSession, LiveStatement, Participant, Vote
from .state import public_state

log = logging.getLogger("innspill.live")
if os.environ.get("INNSPILL_LIVE_TRACE"):  # one line per recomputation on stderr (the load bench uses it)
    log.setLevel(logging.INFO)

SCHEMA = "innspill.live/1"
MIN_INTERVAL = 1.0  # seconds between two recomputations of one session
MAX_AGE = 5.0  # recompute after this long even without a change seen in this process
VOTE_WORDS = {1: "agree", -1: "disagree", 0: "pass"}
# a participant is here now while their page holds an event stream open, or fetched the state
# this many seconds ago or less: long enough to cover the stream's own reconnect (the server ends
# it every INNSPILL_LIVE_STREAM_SECONDS, the page is back within a second) and a polling page's
# 2 s interval; a closed tab stops counting after this long
GONE_SECONDS = 5.0


class LiveError(Exception):
    """A request the live session refuses (``status`` is the HTTP status to answer with). The
    message is English and marked for translation; the views answer in the session's language."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


# -- statements from a consultation --------------------------------------------------------------

def suggested_statements(consultation) -> list[dict]:
    """The consultation's yes/no questions (voted yes / no), scale questions (agree / disagree) and
    each option of a multiple-choice question ("Question – option", agree / disagree), each
    followed by the brief's debate statements for it (anonymised quotes from the latest analysis,
    corrections applied), in question order."""
    from ..analysis import corrections, services

    out: list[dict] = []
    by_question: dict[str, list[dict]] = {}
    numbers: dict[str, int] = {}
    run = services.latest_run(consultation)
    if run is not None:
        from ...report.brief_data import build_brief

        data = corrections.corrected(run)
        numbers = {q["id"]: q.get("number") for q in data.get("questions", [])}
        for s in build_brief(data)["statements"]:
            by_question.setdefault(s["question_id"], []).append(s)
    seen: set[str] = set()
    for q in consultation.questions.all():
        qid = q.qid
        if q.kind == "yesno":
            out.append({"kind": "question", "text": q.text, "source": "question", "question_id": qid,
                         "question_number": q.number})
        elif q.kind == "scale":  # agree: the scale's upper half, as the analysis reads it
            out.append({"kind": "statement", "text": q.text, "source": "question", "question_id": qid,
                        "question_number": q.number})
        elif q.kind == "choice":  # each option a statement of its own: the room says which it backs
            for option in q.options or []:
                out.append({"kind": "statement", "text": f"{q.text} – {option}", "source": "question",
                            "question_id": qid, "question_number": q.number})
        for s in by_question.get(qid, []):
            out.append({"kind": "statement", "text": s["text"], "source": "brief", "question_id": qid,
                        "question_number": q.number, "comment_id": s.get("comment_id") or ""})
        seen.add(qid)
    for qid, items in by_question.items():  # analysis questions the consultation no longer has
        if qid not in seen:
            for s in items:
                out.append({"kind": "statement", "text": s["text"], "source": "brief", "question_id": qid,
                            "question_number": numbers.get(qid), "comment_id": s.get("comment_id") or ""})
    return out


def hide_erased_quotes(sender, consultation_id: int, comment_ids: set, **kwargs) -> None:
    """``answer_erased``: the consultation's brief statements quoting the erased answer say it was
    withdrawn and are hidden; their sessions recompute at once."""
    from ..analysis.services import WITHDRAWN_TEXT

    quoting = LiveStatement.objects.filter(session__consultation_id=consultation_id, source="brief",
                                           comment_id__in=comment_ids)
    sessions = set(quoting.values_list("session_id", flat=True))
    quoting.update(text=WITHDRAWN_TEXT, hidden=True)
    for sid in sessions:
        touch(sid, now=True)


def start_session(consultation, user, language: str = "nb", title: str = "") -> LiveSession:
    with transaction.atomic():
        session = LiveSession.create_with_code(consultation=consultation, title=title or consultation.title,
                                               language=language if language in ("nb", "en") else "nb",
                                               created_by=user)
        for i, s in enumerate(suggested_statements(consultation), start=1):
            LiveStatement.objects.create(session=session, position=i, **s)
    return session


def renumber(session: LiveSession) -> None:
    for i, s in enumerate(session.statements.order_by("position", "id"), start=1):
        if s.position != i:
            LiveStatement.objects.filter(pk=s.pk).update(position=i)


# -- votes and ideas -----------------------------------------------------------------------------

LIMIT_SECONDS = 24 * 3600  # how long the per-address counters are kept (in the server process's cache)


def refuse(session_id: int, what: str) -> None:
    """Count one request refused by a per-address limit (``joins``, ``votes``, ``ideas``) for the presenter."""
    LiveSession.objects.filter(pk=session_id).update(**{f"refused_{what}": F(f"refused_{what}") + 1})
    touch(session_id)  # throttled like any change: a flood of refused requests must not force recomputations


def _count(key: str) -> int:
    cache.add(key, 0, LIMIT_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, LIMIT_SECONDS)
        return 1


def join_allowed(session_id: int, address: str) -> bool:
    """At most ``LIVE_JOINS_PER_ADDRESS`` new participants per address and session (0: no limit);
    a refusal is counted for the presenter."""
    limit = settings.LIVE_JOINS_PER_ADDRESS
    if limit <= 0 or _count(f"innspill:live:joins:{session_id}:{address}") <= limit:
        return True
    refuse(session_id, "joins")
    return False


def _vote_allowed(session_id: int, st_id: int, participant_id: int, address: str | None) -> bool:
    """At most ``LIVE_VOTES_PER_ADDRESS`` participants' votes per address and statement (a changed
    vote is not counted again; 0: no limit)."""
    limit = settings.LIVE_VOTES_PER_ADDRESS
    if address is None or limit <= 0:
        return True
    mine = f"innspill:live:voted:{st_id}:{participant_id}"
    if not cache.add(mine, address, LIMIT_SECONDS):
        return True  # this participant voted on this statement before: a change
    if _count(f"innspill:live:votes:{st_id}:{address}") <= limit:
        return True
    cache.delete(mine)
    refuse(session_id, "votes")
    return False


def record_vote(code: str, token_sha256: str, statement_id: int, value: int, address: str | None = None) -> int:
    """Store (or replace) a participant's vote; committed when this returns. The hot path of a
    live session: one query checks the session, the statement and the participant, one upsert
    writes the vote (SQLite >= 3.24 and PostgreSQL). Only a statement that is or was on the
    screen takes votes; ``address``: the client's, for the per-address limit. Returns the
    participant's number."""
    if value not in VOTE_WORDS:
        raise LiveError(gettext_noop("vote must be 1, -1 or 0"))
    qn = connection.ops.quote_name
    tables = {k: qn(m._meta.db_table) for k, m in
              (("s", LiveSession), ("st", LiveStatement), ("p", Participant), ("v", Vote))}
    with connection.cursor() as cur:
        cur.execute(f"SELECT s.id, s.state, st.id, st.hidden, st.locked, p.id, p.number, s.current_id, st.shown_at "
                    f"FROM {tables['s']} s "
                    f"LEFT JOIN {tables['st']} st ON st.session_id = s.id AND st.id = %s "
                    f"LEFT JOIN {tables['p']} p ON p.session_id = s.id AND p.token_sha256 = %s "
                    "WHERE s.code = %s", [statement_id, token_sha256, code])
        row = cur.fetchone()
        if row is None:
            raise LiveError(gettext_noop("no live session with this code"), 404)
        session_id, state, st_id, hidden, locked, participant_id, number, current_id, shown_at = row
        if participant_id is None:
            raise LiveError(gettext_noop("join the session first (open the join link again)"), 403)
        if state != LiveSession.LIVE:
            raise LiveError(gettext_noop("the session is not open for votes"), 409)
        if st_id is None or hidden:
            raise LiveError(gettext_noop("no such statement"), 404)
        if st_id != current_id and shown_at is None:
            raise LiveError(gettext_noop("this statement has not been shown yet"), 409)
        if locked:
            raise LiveError(gettext_noop("voting on this statement is closed"), 409)
        if not _vote_allowed(session_id, st_id, participant_id, address):
            raise LiveError(gettext_noop("too many votes from your network on this statement"), 429)
        # a changed vote replaces the earlier one (the last one counts) and is counted in "changes"
        cur.execute(f"INSERT INTO {tables['v']} (participant_id, statement_id, value, at, changes) "
                    "VALUES (%s, %s, %s, %s, 0) ON CONFLICT (participant_id, statement_id) DO UPDATE SET "
                    "value = excluded.value, at = excluded.at, changes = "
                    f"{tables['v']}.changes + CASE WHEN {tables['v']}.value <> excluded.value THEN 1 ELSE 0 END",
                    [participant_id, st_id, value, connection.ops.adapt_datetimefield_value(timezone.now())])
    touch(session_id)
    return number


def submit_idea(session: LiveSession, participant: Participant, text: str, limit: int = 5,
                address: str | None = None) -> AudienceIdea:
    """An audience idea: at most ``limit`` per participant (cookie) and ``LIVE_IDEAS_PER_ADDRESS``
    per address (``address``; 0: no limit), so a new cookie does not start the count again."""
    text = " ".join((text or "").split())
    if not text:
        raise LiveError(gettext_noop("write something first"))
    if len(text) > AudienceIdea._meta.get_field("text").max_length:
        raise LiveError(gettext_noop("at most 200 characters"))
    if session.state == LiveSession.ENDED:
        raise LiveError(gettext_noop("the session has ended"), 409)
    if AudienceIdea.objects.filter(participant=participant).count() >= limit:
        raise LiveError(gettext_noop("you have sent the most ideas one person can"), 429)
    per_address = settings.LIVE_IDEAS_PER_ADDRESS
    if address is not None and per_address > 0 and \
            _count(f"innspill:live:ideas:{session.pk}:{address}") > per_address:
        refuse(session.pk, "ideas")
        raise LiveError(gettext_noop("too many ideas from your network"), 429)
    idea = AudienceIdea.objects.create(session=session, participant=participant, text=text)
    touch(session.pk)
    return idea


def upvote(session: LiveSession, participant: Participant, idea_id: int, on: bool = True) -> bool:
    """Upvote an approved idea once (``on``), or withdraw one's upvote; True when that changed
    something (upvoting twice or withdrawing an upvote never given: no change)."""
    idea = AudienceIdea.objects.filter(pk=idea_id, session=session, state=AudienceIdea.APPROVED).first()
    if idea is None:
        raise LiveError(gettext_noop("no such idea"), 404)
    if on:
        _obj, changed = IdeaUpvote.objects.get_or_create(idea=idea, participant=participant)
    else:
        changed = IdeaUpvote.objects.filter(idea=idea, participant=participant).delete()[0] > 0
    if changed:
        touch(session.pk)
    return changed


def moderate_idea(idea: AudienceIdea, action: str, user) -> LiveStatement | None:
    """approve / reject / promote (a promoted idea becomes the last statement, hidden results)."""
    now = timezone.now()
    made = None
    with transaction.atomic():
        if action == "promote":
            if idea.promoted_to_id is None:
                last = idea.session.statements.order_by("-position").values_list("position", flat=True).first() or 0
                made = LiveStatement.objects.create(session=idea.session, kind=LiveStatement.STATEMENT,
                                                    text=idea.text, source="audience", position=last + 1)
                idea.promoted_to = made
            idea.state = AudienceIdea.APPROVED
        elif action in ("approve", "reject"):
            idea.state = AudienceIdea.APPROVED if action == "approve" else AudienceIdea.REJECTED
        else:
            raise LiveError(gettext_noop("unknown action"))
        idea.moderated_by, idea.moderated_at = user, now
        idea.save()
    touch(idea.session_id, now=True)
    return made


# -- export --------------------------------------------------------------------------------------

def _iso(dt) -> str | None:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def export_data(session: LiveSession) -> dict:
    """The session in ``innspill.live/1`` (input form: statements, participants, last votes)."""
    statements = []
    for s in session.statements.order_by("position", "id"):
        item = {"id": s.id, "kind": s.kind, "text": s.text, "question_id": s.question_id or None,
                "source": s.source, "hidden": s.hidden, "revealed": s.revealed, "locked": s.locked,
                "position": s.position}
        if s.comment_id:
            item["comment_id"] = s.comment_id
        statements.append(item)
    participants = [{"id": f"p{n}", "joined": _iso(j)}
                    for n, j in session.participants.order_by("number").values_list("number", "joined_at")]
    votes = [{"participant": f"p{n}", "statement": sid, "vote": v, "at": _iso(at)}
             for n, sid, v, at in Vote.objects.filter(statement__session=session)
             .order_by("at", "id").values_list("participant__number", "statement_id", "value", "at")]
    return {"schema": SCHEMA,
            "session": {"code": session.code, "title": session.title, "language": session.language,
                        "consultation": session.consultation.slug if session.consultation_id else None,
                        "started": _iso(session.started_at), "ended": _iso(session.ended_at),
                        "exported": _iso(timezone.now())},
            "statements": statements, "participants": participants, "votes": votes}


def results(session: LiveSession, data: dict | None = None) -> dict:
    from innspill.votes.results import build_results

    data = data if data is not None else export_data(session)
    return build_results(data, include_straight_liners=session.include_straight_liners)


def warm_up(freeze: bool = True) -> None:
    """Run the results computation once on a small made-up session, so that its first real run
    (scikit-learn's import takes seconds) does not hold up a live room; ``innspill serve`` calls
    it in a background thread at start. ``freeze``: then move every object made so far (the
    imports: Django, numpy, scikit-learn) out of the garbage collector's sight, so that its full
    collections while a room votes do not scan them (pauses of a second were seen without)."""
    import gc

    from innspill.votes.results import build_results

    statements = [{"id": i, "kind": "statement", "text": f"s{i}", "question_id": None, "source": "presenter",
                   "hidden": False, "revealed": True, "locked": False, "position": i} for i in range(1, 6)]
    people = [{"id": f"p{n}", "joined": None} for n in range(1, 9)]
    votes = [{"participant": f"p{n}", "statement": i, "vote": 1 if (n + i) % 3 else -1, "at": None}
             for n in range(1, 9) for i in range(1, 6)]
    build_results({"schema": SCHEMA, "session": {"code": "WARMUP", "title": "", "language": "en",
                                                 "consultation": None, "started": None, "ended": None,
                                                 "exported": None},
                   "statements": statements, "participants": people, "votes": votes})
    if freeze:
        gc.collect()
        gc.freeze()


# -- the results cache ---------------------------------------------------------------------------

@dataclass
class Entry:
    at: float
    version: int
    results: dict
    session: dict  # the session's own fields at compute time
    ideas: list
    public: dict = field(default_factory=dict)  # view -> JSON text for participants / the projector
    serial: int = 0


_VERSION: dict[int, int] = {}
_CACHE: dict[int, Entry] = {}
_LOCKS: dict[int, threading.Lock] = {}
_GUARD = threading.Lock()


def touch(session_id: int, now: bool = False) -> None:
    """Mark a session changed: the next read after ``MIN_INTERVAL`` recomputes (``now``: the next
    read at all, for the presenter's rare actions such as the next statement or showing results)."""
    _VERSION[session_id] = _VERSION.get(session_id, 0) + 1
    e = _CACHE.get(session_id)
    if now and e is not None:
        e.at = min(e.at, time.monotonic() - MIN_INTERVAL)


def forget(session_id: int | None = None) -> None:
    """Drop cached results (tests; a restart does the same); all of them also forgets the open
    connections."""
    if session_id is None:
        forget_connections()
        _CACHE.clear()
        _VERSION.clear()
    else:
        _CACHE.pop(session_id, None)


def last_entry(session_id: int) -> Entry | None:
    """The cached entry however old (``None`` before the first computation in this process): what
    an event stream serves while the next one is computed."""
    return _CACHE.get(session_id)


def cached(session_id: int) -> Entry | None:
    """The cached entry when it is fresh enough to serve (no database access)."""
    e = _CACHE.get(session_id)
    if e is None:
        return None
    age = time.monotonic() - e.at
    if age >= MAX_AGE or (e.version != _VERSION.get(session_id, 0) and age >= MIN_INTERVAL):
        return None
    if age >= MIN_INTERVAL and e.session.get("active") != connected(session_id):
        return None  # someone came or left: the count on the projector follows within a second
    return e


def get_entry(session_id: int) -> Entry:
    """The cached entry, recomputed when stale; while another thread recomputes, the previous
    entry is served (readers never queue behind the computation)."""
    e = cached(session_id)
    if e is not None:
        return e
    with _GUARD:
        lock = _LOCKS.setdefault(session_id, threading.Lock())
    if not lock.acquire(blocking=session_id not in _CACHE):
        return _CACHE[session_id]
    try:
        e = cached(session_id)
        if e is None:
            e = _compute(session_id)
        return e
    finally:
        lock.release()


def _compute(session_id: int) -> Entry:
    version = _VERSION.get(session_id, 0)
    snapshot = time.monotonic()  # the age of an entry is the age of the data it was built from
    session = LiveSession.objects.select_related("consultation").get(pk=session_id)
    data = export_data(session)
    res = results(session, data)
    ideas = list(AudienceIdea.objects.filter(session=session).annotate(n=Count("upvotes"))
                 .order_by("-n", "created_at").values("id", "text", "state", "n", "promoted_to_id",
                                                      "participant__number"))
    sess = {"id": session.pk, "code": session.code, "title": session.title, "state": session.state,
            "language": session.language, "current": session.current_id,
            "participants": len(data["participants"]), "active": connected(session.pk),
            "include_straight_liners": session.include_straight_liners,
            "refused": {"joins": session.refused_joins, "votes": session.refused_votes,
                        "ideas": session.refused_ideas}}
    old = _CACHE.get(session_id)
    e = Entry(at=snapshot, version=version, results=res, session=sess, ideas=ideas)
    e.public = {view: json.dumps(public_state(e, view), ensure_ascii=False, sort_keys=True)
                for view in ("participant", "projector")}
    e.serial = (old.serial + (old.public != e.public)) if old else 1
    _CACHE[session_id] = e
    log.info("live %s: results of %d votes recomputed in %.0f ms", session.code, len(data["votes"]),
             (time.monotonic() - snapshot) * 1000)
    return e


# -- who is here now: open connections ----------------------------------------------------------
# Per session, in this process (``innspill serve`` is one process, as the results cache is): the
# participants with an event stream open (how many streams: a phone may have two tabs) and when
# each was last seen (a stream closed, a page loaded, a poll of state.json).
_OPEN: dict[int, dict[int, int]] = {}
_SEEN: dict[int, dict[int, float]] = {}
_CONN_GUARD = threading.Lock()


def stream_opened(session_id: int, participant_id: int) -> None:
    with _CONN_GUARD:
        streams = _OPEN.setdefault(session_id, {})
        first = not streams.get(participant_id) and not _recent(session_id, participant_id)
        streams[participant_id] = streams.get(participant_id, 0) + 1
    if first:
        touch(session_id)


def stream_closed(session_id: int, participant_id: int) -> None:
    with _CONN_GUARD:
        streams = _OPEN.get(session_id, {})
        left = streams.get(participant_id, 0) - 1
        if left > 0:
            streams[participant_id] = left
        else:
            streams.pop(participant_id, None)
        _SEEN.setdefault(session_id, {})[participant_id] = time.monotonic()


def seen(session_id: int, participant_id: int) -> None:
    """The participant's page was loaded or polled the state (a page without EventSource)."""
    with _CONN_GUARD:
        first = not _OPEN.get(session_id, {}).get(participant_id) and not _recent(session_id, participant_id)
        _SEEN.setdefault(session_id, {})[participant_id] = time.monotonic()
    if first:
        touch(session_id)


def _recent(session_id: int, participant_id: int, now: float | None = None) -> bool:
    at = _SEEN.get(session_id, {}).get(participant_id)
    return at is not None and (now or time.monotonic()) - at <= GONE_SECONDS


def connected(session_id: int) -> int:
    """Participants here now: an event stream open, or seen in the last ``GONE_SECONDS``."""
    now = time.monotonic()
    with _CONN_GUARD:
        seen_at = _SEEN.get(session_id, {})
        for pid in [p for p, at in seen_at.items() if now - at > GONE_SECONDS]:
            del seen_at[pid]
        return len(set(_OPEN.get(session_id, {})) | set(seen_at))


def forget_connections(session_id: int | None = None) -> None:
    """Drop what is known about open connections (tests)."""
    with _CONN_GUARD:
        for d in (_OPEN, _SEEN):
            if session_id is None:
                d.clear()
            else:
                d.pop(session_id, None)
