"""Load run of the live debate on loopback against ``innspill serve`` (uvicorn, SQLite in a
throwaway data folder): N simulated phones join by code, each holds the participant event stream
open (as a phone does), and votes on every statement while it is on the screen; a presenter moves
to the next statement at equal intervals, a projector listens to its own event stream. Every
statement's results are shown (so the projector's stream carries the counts).

Printed: p50 / p95 / max vote latency (POST to answer), the time from a vote to the projector's
event that counts it, errors, and the votes stored in the database against those sent (a changed
vote is one stored vote). Not part of the test run.

    python benchmarks/live_bench.py --participants 1000 --seconds 60

Vote-to-projector time: the projector's events give, per statement, the total of votes counted at
each moment. The k-th vote whose POST was answered for a statement is taken as counted by the
first projector event with a total of at least k; its time is that event's arrival minus the time
the vote was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

STATEMENTS = ["Kantina bør ha vegetardag hver uke.", "Kaffen bør være gratis.", "Kantina bør holde åpent etter 15.",
              "Det bør være mer fisk på menyen.", "Prisene er for høye.", "Vi trenger flere sitteplasser.",
              "Maten bør være lokal.", "Kantina bør ha frokost.", "Matsvinn bør måles og vises.",
              "Det bør være et salatbord hver dag."]
PASSWORD = "Bench-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data: str, statements: int) -> tuple[str, int]:
    """A consultation and a live session (started, results shown), made through the app's models."""
    from innspill.web.runtime import setup

    setup(data)
    from django.contrib.auth import get_user_model

    from innspill.web.consultations.models import Consultation, Membership
    from innspill.web.live.models import LiveSession, LiveStatement

    user = get_user_model().objects.create_superuser("bench", "", PASSWORD)
    c = Consultation.objects.create(slug="bench", title="Kantina", state="open", created_by=user)
    Membership.objects.create(consultation=c, user=user, role="organiser")
    s = LiveSession.create_with_code(consultation=c, title="Kantina", state=LiveSession.LIVE, created_by=user)
    for i in range(statements):
        LiveStatement.objects.create(session=s, position=i + 1, text=STATEMENTS[i % len(STATEMENTS)] + f" ({i + 1})",
                                     kind="statement", revealed=True)
    s.current = s.statements.order_by("position").first()
    s.save()
    return s.code, s.pk


def projector_process(base: str, code: str, queue, stop) -> None:
    """The projector's event stream: (arrival, statement, total) for every event, sent back at the end."""
    import httpx

    seen: list[tuple[float, int, int]] = []
    errors: list[str] = []

    async def listen():
        async with httpx.AsyncClient(base_url=base, timeout=None) as client:
            first = True
            while not stop.is_set():
                try:
                    async with client.stream("GET", f"/j/{code}/events?view=projector") as r:
                        if first:
                            queue.put("listening")
                            first = False
                        async for line in r.aiter_lines():
                            if line.startswith("data: "):
                                st = json.loads(line[6:]).get("statement")
                                if st and st.get("counts"):
                                    seen.append((time.perf_counter(), st["id"], st["counts"]["total"]))
                except Exception as exc:  # reconnect as EventSource does
                    errors.append(f"projector stream: {type(exc).__name__}: {exc}")
                    await asyncio.sleep(1)

    async def main():
        task = asyncio.create_task(listen())
        while not stop.is_set():
            await asyncio.sleep(0.1)
        task.cancel()

    asyncio.run(main())
    queue.put((seen, errors))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


class Conn:
    """A minimal HTTP/1.1 client on one kept-alive connection (asyncio streams): the simulated
    phones are many, and a full client library would measure itself more than the server."""

    def __init__(self, host: str, port: int, cookies: dict):
        self.host, self.port, self.cookies = host, port, cookies
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self):
        if self.writer:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except Exception:
                pass
            self.writer = None

    def _head(self, method: str, path: str, extra: dict) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in extra.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def send(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        if self.writer is None:
            await self.open()
        extra = dict(headers or {})
        if body or method == "POST":
            extra["Content-Length"] = str(len(body))
        self.writer.write(self._head(method, path, extra) + body)
        await self.writer.drain()

    async def response_head(self) -> tuple[int, list[tuple[str, str]]]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = [(k.strip().lower(), v.strip()) for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)]
        for k, v in headers:
            if k == "set-cookie":
                name, _, value = v.split(";")[0].partition("=")
                self.cookies[name] = value
        return status, headers

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        await self.send(method, path, body, headers)
        status, head = await self.response_head()
        h = dict(head)
        if h.get("transfer-encoding") == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
        else:
            data = await self.reader.readexactly(int(h.get("content-length", 0)))
        if h.get("connection", "").lower() == "close":
            await self.close()
        return status, data


async def _phones(base, code, ids, indices, seconds, change_share, streams, seed, joined_q, start_at):
    """Some of the simulated phones (one worker process): join, hold the event stream, vote."""
    host, port = base.split("//", 1)[1].split(":")
    port = int(port)
    sent: list[dict] = []
    errors: list[str] = []
    retries = 0
    distinct: set[tuple[int, int]] = set()
    stop = asyncio.Event()

    async def drain(cookies):
        # a phone's event stream: read and dropped (a phone renders it; the bench only keeps it open)
        while not stop.is_set():
            conn = Conn(host, port, dict(cookies))
            try:
                await conn.send("GET", f"/j/{code}/events", headers={"Accept": "text/event-stream"})
                status, _h = await conn.response_head()
                if status != 200:
                    raise RuntimeError(f"HTTP {status}")
                while not stop.is_set():
                    if not await conn.reader.read(65536):
                        break  # the server closed the stream: reconnect, as EventSource does
            except Exception as exc:
                if not stop.is_set():
                    errors.append(f"participant stream: {type(exc).__name__}: {exc}")
                    await asyncio.sleep(1)
            finally:
                await conn.close()

    async def phone(i, conn, rng, t0):
        nonlocal retries
        csrf = conn.cookies["csrftoken"]
        step = seconds / len(ids)
        for j, sid in enumerate(ids):
            # a phone votes a moment after the statement appears on its screen
            await asyncio.sleep(max(0.0, t0 + j * step + rng.uniform(0.3, step * 0.5) - time.perf_counter()))
            values = [rng.choice((1, -1, 0))]
            if rng.random() < change_share:
                values.append(-values[0] or 1)
            for v in values:
                body = json.dumps({"statement": sid, "vote": v}).encode()
                t = time.perf_counter()
                ok = False
                for attempt in (1, 2):
                    try:
                        status, data = await conn.request("POST", f"/j/{code}/vote", body,
                                                          {"Content-Type": "application/json", "X-CSRFToken": csrf})
                    except (ConnectionError, asyncio.IncompleteReadError) as exc:
                        # a kept-alive connection closed under the request: a vote is idempotent, so it is
                        # sent again once on a new connection (as browsers do); counted apart
                        await conn.close()
                        if attempt == 1:
                            retries += 1
                            continue
                        errors.append(f"vote: {type(exc).__name__}: {exc}")
                    except Exception as exc:
                        await conn.close()
                        errors.append(f"vote: {type(exc).__name__}: {exc}")
                    else:
                        ok = status == 200
                        if not ok:
                            errors.append(f"vote: HTTP {status} {data[:100]!r}")
                    break
                sent.append({"statement": sid, "send": t, "ack": time.perf_counter(), "ok": ok,
                             "first": (i, sid) not in distinct})
                if ok:
                    distinct.add((i, sid))

    conns: dict[int, Conn] = {}

    async def join(i):
        conn = Conn(host, port, {})
        try:
            status, _data = await conn.request("GET", f"/j/{code}/")
            if status != 200 or "csrftoken" not in conn.cookies:
                raise RuntimeError(f"HTTP {status}")
            conns[i] = conn
        except Exception as exc:
            errors.append(f"join: {type(exc).__name__}: {exc}")
            await conn.close()

    for k in range(0, len(indices), 50):  # in batches, as a room does after the code is shown
        await asyncio.gather(*(join(i) for i in indices[k:k + 50]))
    drains = [asyncio.create_task(drain(conns[i].cookies)) for i in indices[:streams] if i in conns]
    joined_q.put(len(conns))
    while start_at.value == 0.0:
        await asyncio.sleep(0.05)
    rng = random.Random(seed)
    await asyncio.gather(*(phone(i, c, random.Random(rng.random()), start_at.value) for i, c in conns.items()))
    await asyncio.sleep(max(0.0, start_at.value + seconds + 2 - time.perf_counter()))
    stop.set()
    for d in drains:
        d.cancel()
    await asyncio.gather(*drains, return_exceptions=True)
    for c in conns.values():
        await c.close()
    return sent, errors, retries, len(distinct)


def phones_process(args, joined_q, start_at, out_q) -> None:
    out_q.put(asyncio.run(_phones(*args, joined_q, start_at)))


async def presenter(base, live_id, ready, start_at, seconds, statements, errors):
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30) as org:
        await org.get("/login/")
        r = await org.post("/login/", data={"username": "bench", "password": PASSWORD,
                                            "csrfmiddlewaretoken": org.cookies["csrftoken"]})
        assert r.status_code == 302, "bench login failed"
        page = f"/org/c/bench/live/{live_id}/"
        ids = [int(x) for x in re.findall(r'<tr id="st(\d+)"', (await org.get(page)).text)]
        ready(ids)
        while start_at.value == 0.0:
            await asyncio.sleep(0.05)
        step = seconds / statements
        for i in range(1, statements):
            await asyncio.sleep(max(0.0, start_at.value + i * step - time.perf_counter()))
            r = await org.post(page + "do", data={"do": "next", "csrfmiddlewaretoken": org.cookies["csrftoken"]})
            if r.status_code != 302:
                errors.append(f"next: HTTP {r.status_code}")


def run(base, code, live_id, n, seconds, statements, change_share, streams, procs) -> dict:
    """Phones in ``procs`` worker processes, the projector in one more, the presenter here."""
    ctx = multiprocessing.get_context("spawn")
    start_at = ctx.Value("d", 0.0)
    errors: list[str] = []
    got: dict = {}
    ids_box: list = []
    threading_ready = threading.Event()

    def ready(ids):
        ids_box.extend(ids)
        threading_ready.set()

    pres = threading.Thread(target=lambda: asyncio.run(presenter(base, live_id, ready, start_at, seconds, statements,
                                                                 errors)))
    pres.start()
    threading_ready.wait(60)
    queue, stop_proj = ctx.Queue(), ctx.Event()
    proj = ctx.Process(target=projector_process, args=(base, code, queue, stop_proj), daemon=True)
    proj.start()
    assert queue.get(timeout=60) == "listening"
    joined_q, out_q = ctx.Queue(), ctx.Queue()
    workers = []
    for w in range(procs):
        indices = list(range(w, n, procs))
        per = streams // procs + (1 if w < streams % procs else 0)
        args = (base, code, ids_box, indices, seconds, change_share, per, 7 + w)
        p = ctx.Process(target=phones_process, args=(args, joined_q, start_at, out_q), daemon=True)
        p.start()
        workers.append(p)
    joined = sum(joined_q.get(timeout=600) for _ in workers)
    time.sleep(1.0)
    start_at.value = time.perf_counter() + 0.5  # one clock for all processes (CLOCK_MONOTONIC)
    results = [out_q.get(timeout=seconds + 600) for _ in workers]
    wall = time.perf_counter() - start_at.value
    pres.join()
    time.sleep(2.0)
    stop_proj.set()
    seen, proj_errors = queue.get(timeout=60)
    for p in workers + [proj]:
        p.join(timeout=10)
    got["sent"] = [v for r in results for v in r[0]]
    got["errors"] = errors + proj_errors + [e for r in results for e in r[1]]
    got["retries"] = sum(r[2] for r in results)
    got["distinct"] = sum(r[3] for r in results)
    got["projector"], got["joined"], got["wall"], got["ids"] = seen, joined, wall, ids_box
    return got


def to_projector(sent, projector) -> tuple[list[float], int]:
    """Per first vote: seconds from its POST to the projector event that counts it; and how many
    were never seen counted."""
    by_statement: dict[int, list[dict]] = {}
    for v in sent:
        if v["ok"] and v["first"]:
            by_statement.setdefault(v["statement"], []).append(v)
    out, missing = [], 0
    for sid, votes in by_statement.items():
        events = [(t, total) for t, s, total in projector if s == sid]
        votes.sort(key=lambda v: v["ack"])
        k = 0
        for rank, v in enumerate(votes, start=1):
            while k < len(events) and (events[k][1] < rank or events[k][0] < v["send"]):
                k += 1
            if k == len(events):
                missing += len(votes) - rank + 1
                break
            out.append(events[k][0] - v["send"])
    return out, missing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--statements", type=int, default=10)
    ap.add_argument("--streams", type=int, default=None, help="phones that hold an event stream (default: all)")
    ap.add_argument("--change-share", type=float, default=0.1, help="share of votes changed right after")
    ap.add_argument("--procs", type=int, default=None,
                    help="worker processes for the simulated phones (default: the cores less one, at least 1)")
    ap.add_argument("--dump", metavar="FILE", help="write every vote and projector event as JSON (for a closer look)")
    ap.add_argument("--database-url", default=None, help="run against PostgreSQL instead of SQLite")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="innspill-live-bench-")
    os.environ.update({"INNSPILL_DATA": data, "INNSPILL_NO_EMBEDDINGS": "1"})
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    code, live_id = prepare(data, args.statements)
    port = free_port()
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # every phone comes from loopback here: the per-address limits (issue 21) would refuse most of them
    env.update({"INNSPILL_LIVE_JOINS_PER_ADDRESS": "0", "INNSPILL_LIVE_VOTES_PER_ADDRESS": "0",
                "INNSPILL_LIVE_IDEAS_PER_ADDRESS": "0"})
    if args.dump:
        env["INNSPILL_LIVE_TRACE"] = "1"  # the server logs each recomputation (to FILE.server.log)
    log_path = (args.dump + ".server.log") if args.dump else os.path.join(data, "server.log")
    log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115  (closed below)
    server = subprocess.Popen([sys.executable, "-m", "innspill.cli", "serve", "--port", str(port), "--data", data,
                               "--no-worker"], env=env, stdout=subprocess.DEVNULL, stderr=log_file, text=True)
    base = f"http://127.0.0.1:{port}"
    streams = args.participants if args.streams is None else args.streams
    procs = args.procs or max(1, min(8, (os.cpu_count() or 2) - 1))
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        got = run(base, code, live_id, args.participants, args.seconds, args.statements, args.change_share, streams,
                  procs)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log_file.close()
        with open(log_path, encoding="utf-8") as fh:
            err = fh.read()
    from innspill.web.live.models import Vote

    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            json.dump(got, fh)
    sent, errors, wall = got["sent"], got["errors"], got["wall"]
    stored = Vote.objects.filter(statement__session_id=live_id).count()
    ok = [v for v in sent if v["ok"]]
    lat = [v["ack"] - v["send"] for v in ok]
    to_proj, missing = to_projector(sent, got["projector"])
    db = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    print(f"live bench: {args.participants} participants ({streams} holding an event stream), {args.statements} "
          f"statements over {args.seconds:.0f} s, {args.change_share:.0%} of votes changed; uvicorn on loopback, "
          f"{db}, {os.cpu_count()} cores; phones in {procs} processes")
    print(f"  wall time            {wall:.1f} s")
    print(f"  participants joined  {got['joined']}")
    print(f"  votes sent           {len(sent)} ({len(sent) / max(wall, 1e-9):.0f}/s), answered 200: {len(ok)}")
    if lat:
        print(f"  vote latency         p50 {statistics.median(lat) * 1000:.0f} ms, p95 {pct(lat, 95) * 1000:.0f} ms, "
              f"max {max(lat) * 1000:.0f} ms   (target p95 < 200 ms)")
    if to_proj:
        print(f"  vote -> projector    p50 {statistics.median(to_proj) * 1000:.0f} ms, p95 {pct(to_proj, 95) * 1000:.0f} ms, "
              f"max {max(to_proj) * 1000:.0f} ms   (target < 2 s)" + (f"; {missing} never seen" if missing else ""))
    print(f"  projector events     {len(got['projector'])}")
    print(f"  votes resent once    {got['retries']} (connection closed under the request)")
    print(f"  errors               {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"  distinct votes sent  {got['distinct']}")
    print(f"  votes stored         {stored}  {'= sent' if stored == got['distinct'] else '!= sent'}")
    if errors and err.strip():
        print(err[-2000:], file=sys.stderr)
    met = bool(lat and pct(lat, 95) < 0.2 and to_proj and pct(to_proj, 95) < 2.0 and not missing)
    print(f"  targets              {'met' if met else 'MISSED'} (p95 vote < 200 ms, p95 vote -> projector < 2 s)")
    # the exit status says whether anything was lost or refused; the timing targets depend on the machine
    expected = args.participants * len(got["ids"])
    return 0 if not errors and stored == got["distinct"] == expected else 1


if __name__ == "__main__":
    sys.exit(main())
