"""Pol.is export files for a live vote, and reading them back.

:func:`write_polis` writes the four CSV files Pol.is's own data export has, with its column names
(checked against Pol.is's server, ``server/src/routes/export.ts`` in compdemocracy/polis):

* ``comments.csv``: ``timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body``
* ``votes.csv``: ``timestamp,datetime,comment-id,voter-id,vote`` (sorted by comment, then voter)
* ``participants-votes.csv``: ``participant,group-id,n-comments,n-votes,n-agree,n-disagree`` and one
  column per comment id (1 / -1 / 0, empty where the participant did not vote)
* ``summary.csv``: ``key,value`` lines without a header (topic, url, voters, voters-in-conv,
  commenters, comments, groups, conversation-description)

As in Pol.is's current export, ``vote`` is 1 for agree and -1 for disagree (Pol.is stores them the
other way round internally and flips them on export), ``timestamp`` is in whole seconds and
``datetime`` is JavaScript's ``Date.toString()`` form in UTC. Pol.is ids are integers: statement ids
are used as they are; participant ids ``p<N>`` become ``N`` (if every participant id has that form,
otherwise participants are numbered 0, 1, ... in the order of ``participants``), and :func:`read_polis`
turns voter ``N`` back into ``p<N>``. ``author-id`` is empty (``innspill.live/1`` does not record
who proposed a statement) and ``n-comments`` / ``commenters`` are 0 for the same reason;
``moderated`` is -1 for hidden statements and 1 for the others. Text cells that start with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return get a ``'`` in front (``innspill.csvsafe``: no
formula runs when a spreadsheet opens the file); :func:`read_polis` takes it off again.
"""

from __future__ import annotations

import csv
import math
import re
from datetime import UTC, datetime
from pathlib import Path

from innspill import csvsafe
from innspill.votes.results import SCHEMA, LiveFormatError, build_results, validate

COMMENTS = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"]
VOTES = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
PARTICIPANT_VOTES = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
_PID = re.compile(r"p(\d+)\Z")


def _stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _js_datetime(stamp: datetime | None) -> str:
    """JavaScript's ``new Date(ms).toString()`` in UTC, as Pol.is writes its ``datetime`` column."""
    if stamp is None:
        return ""
    return stamp.astimezone(UTC).strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def _seconds(stamp: datetime | None) -> str:
    return "" if stamp is None else str(math.floor(stamp.timestamp()))


def polis_ids(participants: list[dict]) -> dict[str, int]:
    """Integer Pol.is participant ids: ``p<N>`` -> N when every id has that form, else 0, 1, ... in order."""
    ids = [pa["id"] for pa in participants]
    numbers = [_PID.match(pid) for pid in ids]
    if all(numbers) and len({int(m.group(1)) for m in numbers}) == len(ids):
        return {pid: int(m.group(1)) for pid, m in zip(ids, numbers)}
    return {pid: n for n, pid in enumerate(ids)}


def write_polis(result_or_data: dict, folder: str | Path) -> list[Path]:
    """Write Pol.is's export CSVs for an ``innspill.live/1`` dict (results are computed if it has none).

    Returns the paths written, in the order ``comments.csv``, ``votes.csv``, ``participants-votes.csv``,
    ``summary.csv``. Only each participant's last vote on a statement is written.
    """
    if isinstance(result_or_data, dict) and "groups" in result_or_data and "counts" in result_or_data:
        result = result_or_data
    else:
        result = build_results(result_or_data)
    parsed = validate(result)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    statements, participants = parsed.statements, parsed.participants
    sids = [st["id"] for st in statements]
    pid_of = polis_ids(participants)
    pids = [pa["id"] for pa in participants]
    voter = [pid_of[pid] for pid in pids]  # Pol.is voter id by participant index
    session = result.get("session") or {}

    # the winning vote per (participant, statement), with its time
    votes = sorted(zip(parsed.s_idx.tolist(), parsed.p_idx.tolist(), parsed.vals.tolist(), parsed.ats),
                   key=lambda v: (sids[v[0]], voter[v[1]]))
    stamps = {}
    first_vote: dict[int, datetime] = {}
    for si, _pi, _val, at in votes:
        stamp = stamps[at] = stamps.get(at) or _stamp(at)
        if stamp is not None and (si not in first_vote or stamp < first_vote[si]):
            first_vote[si] = stamp
    started = _stamp(session.get("started")) if isinstance(session.get("started"), str) else None
    members = (result.get("groups") or {}).get("members", {})

    written = [folder / name for name in FILES]
    _write_csv(written[0], [COMMENTS], _comment_rows(statements, result["counts"], first_vote, started))
    _write_csv(written[1], [VOTES], ([_seconds(stamps[at]), _js_datetime(stamps[at]), sids[si], voter[pi], val]
                                     for si, pi, val, at in votes))
    _write_csv(written[2], [PARTICIPANT_VOTES + sids], _participant_rows(votes, sids, pids, voter, members))
    groups = result.get("groups")
    _write_csv(written[3], [], [
        ["topic", session.get("title") or ""],
        ["url", session.get("url") or ""],
        ["voters", result["participants_voting"]],
        ["voters-in-conv", len(members)],
        ["commenters", 0],
        ["comments", len(statements)],
        ["groups", groups["k"] if groups else 0],
        ["conversation-description", session.get("description") or ""],
    ])
    return written


def _write_csv(path: Path, header: list[list], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csvsafe.writer(fh, lineterminator="\n")
        out.writerows(header)
        out.writerows(rows)


def _comment_rows(statements: list[dict], counts: dict, first_vote: dict[int, datetime], started: datetime | None):
    """``comments.csv``: a statement's time is its ``created``, else its first vote's, else the session's start."""
    for j, st in enumerate(statements):
        created = _stamp(st["created"]) if isinstance(st.get("created"), str) else first_vote.get(j, started)
        tally = counts[str(st["id"])]
        yield [_seconds(created), _js_datetime(created), st["id"], "", tally["agree"], tally["disagree"],
               -1 if st.get("hidden") else 1, st["text"]]


def _participant_rows(votes: list[tuple], sids: list, pids: list[str], voter: list[int], members: dict):
    """``participants-votes.csv``: per voter, their group, vote counts and one cell per statement."""
    by_participant: dict[int, dict[int, int]] = {}
    for si, pi, val, _at in votes:
        by_participant.setdefault(pi, {})[sids[si]] = val
    for pi in sorted(by_participant, key=lambda i: voter[i]):
        mine = by_participant[pi]
        group = members.get(pids[pi])
        yield ([voter[pi], "" if group is None else group, 0, len(mine),
                sum(v == 1 for v in mine.values()), sum(v == -1 for v in mine.values())]
               + ["" if sid not in mine else mine[sid] for sid in sids])


def _read_rows(path: Path, header: list[str] | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header row and the other rows with their line numbers (blank lines skipped)."""
    if not path.is_file():
        raise LiveFormatError("E410", str(path), "file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
        except csv.Error as exc:
            raise LiveFormatError("E410", f"{path.name} line {reader.line_num}", str(exc)) from None
    if header is None:
        return [], rows
    if not rows or rows[0][1][:len(header)] != header:
        got = ",".join(rows[0][1]) if rows else "an empty file"
        raise LiveFormatError("E410", f"{path.name} line {rows[0][0] if rows else 1}",
                              f"expected the columns {','.join(header)}, got {got}")
    return rows[0][1], rows[1:]


def _int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise LiveFormatError("E410", where, f"expected an integer, got {text!r}") from None


def _iso(seconds: str, where: str) -> str | None:
    if seconds == "":
        return None
    return datetime.fromtimestamp(_int(seconds, where), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_polis(folder: str | Path) -> dict:
    """Read a Pol.is export folder back into ``innspill.live/1`` input data.

    Needs ``comments.csv`` and either ``votes.csv`` (preferred: it has the times) or
    ``participants-votes.csv``; ``summary.csv`` is optional (its topic becomes the session title).
    Every comment becomes a ``statement`` (source ``audience``; hidden when ``moderated`` is -1);
    voter ``N`` becomes participant ``p<N>``. Raises :class:`LiveFormatError` (``E410``) with the
    file and line for a missing file or a malformed row.
    """
    folder = Path(folder)
    head, rows = _read_rows(folder / "comments.csv", COMMENTS)
    col = {name: i for i, name in enumerate(head)}
    statements = []
    for line, row in rows:
        where = f"comments.csv line {line}"
        if len(row) < len(COMMENTS):
            raise LiveFormatError("E410", where, f"expected {len(COMMENTS)} columns, got {len(row)}")
        statements.append({
            "id": _int(row[col["comment-id"]], where), "kind": "statement", "text": csvsafe.unescape_cell(row[col["comment-body"]]),
            "question_id": None, "source": "audience",
            "hidden": row[col["moderated"]].strip() == "-1", "revealed": True, "locked": False,
            "position": len(statements) + 1,
        })

    votes: list[dict] = []
    voters: dict[int, None] = {}
    has_votes = (folder / "votes.csv").is_file()
    if has_votes:
        head, rows = _read_rows(folder / "votes.csv", VOTES)
        c = {name: i for i, name in enumerate(head)}
        for line, row in rows:
            where = f"votes.csv line {line}"
            if len(row) < len(VOTES):
                raise LiveFormatError("E410", where, f"expected {len(VOTES)} columns, got {len(row)}")
            voter = _int(row[c["voter-id"]], where)
            voters[voter] = None
            vote = {"participant": f"p{voter}", "statement": _int(row[c["comment-id"]], where),
                    "vote": _int(row[c["vote"]], where)}
            at = _iso(row[c["timestamp"]], where)
            if at is not None:
                vote["at"] = at
            votes.append(vote)
    if not has_votes or (folder / "participants-votes.csv").is_file():     # participants who voted
        head, rows = _read_rows(folder / "participants-votes.csv", PARTICIPANT_VOTES)
        width = len(PARTICIPANT_VOTES)
        tids = [_int(name, f"participants-votes.csv line 1, column {i + 1}")
                for i, name in enumerate(head[width:], start=width)]
        for line, row in rows:
            where = f"participants-votes.csv line {line}"
            voter = _int(row[0], where)
            voters[voter] = None
            if not has_votes:       # the votes without their times
                for tid, cell in zip(tids, row[width:]):
                    if cell.strip() != "":
                        votes.append({"participant": f"p{voter}", "statement": tid, "vote": _int(cell, where)})

    title = None
    if (folder / "summary.csv").is_file():
        for _line, row in _read_rows(folder / "summary.csv", None)[1]:
            if len(row) >= 2 and row[0] == "topic":
                title = csvsafe.unescape_cell(row[1]) or None
    return {
        "schema": SCHEMA,
        "session": {"code": None, "title": title, "language": None, "consultation": None,
                    "started": None, "ended": None, "exported": None},
        "statements": statements,
        "participants": [{"id": f"p{n}", "joined": None} for n in sorted(voters)],
        "votes": votes,
    }
