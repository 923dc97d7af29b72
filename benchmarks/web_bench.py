"""Load run of the web app on loopback: N concurrent participants each open the public page
(CSRF cookie and token) and send an answer, all at once, against ``innspill serve`` (uvicorn,
SQLite in a throwaway data folder). Prints latency percentiles, errors, and the answers stored
against those sent. Not part of the test run.

    python benchmarks/web_bench.py --participants 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

QUESTIONS = [("Bør kantina ha vegetardag hver uke?", "yesno"), ("Bør kaffen være gratis?", "yesno"),
             ("Hva savner du mest i kantina?", "open"), ("Bør kantina holde åpent etter klokka 15?", "yesno")]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data: str) -> str:
    """A published consultation with four questions, made through the app's own models."""
    from innspill.web.runtime import setup

    setup(data)
    from django.contrib.auth import get_user_model

    from innspill.web.consultations.models import Consultation, Membership, Question

    user = get_user_model().objects.create_superuser("bench", "", "Bench-password-123")
    c = Consultation.objects.create(slug="bench", title="Kantina", intro="Hva mener du?", state="open",
                                    created_by=user)
    Membership.objects.create(consultation=c, user=user, role="organiser")
    for i, (text, kind) in enumerate(QUESTIONS, start=1):
        Question.objects.create(consultation=c, number=i, text=text, kind=kind)
    return c.slug


def answer_for(i: int) -> dict:
    if i % 2:
        return {"comment": f"1. Ja, gjerne. 2. Nei, det koster for mye. Deltaker {i}.", "consent": "on"}
    return {"q1": "Ja.", "q2": "Nei, ikke gratis.", "q3": f"Mer frukt, sier deltaker {i}.", "name": f"Deltaker {i}",
            "email": f"d{i}@example.org", "consent": "on"}


async def participant(base: str, slug: str, i: int, start: asyncio.Event, out: list) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await start.wait()
        t0 = time.perf_counter()
        try:
            page = await client.get(f"/c/{slug}/")
            t1 = time.perf_counter()
            token = TOKEN.search(page.text).group(1)
            r = await client.post(f"/c/{slug}/", data={**answer_for(i), "csrfmiddlewaretoken": token},
                                  headers={"Referer": f"{base}/c/{slug}/"})
            t2 = time.perf_counter()
            ok = page.status_code == 200 and r.status_code == 302
            out.append({"ok": ok, "get": t1 - t0, "post": t2 - t1, "total": t2 - t0,
                        "status": (page.status_code, r.status_code)})
        except Exception as exc:  # counted as an error
            out.append({"ok": False, "error": f"{type(exc).__name__}: {exc}", "total": time.perf_counter() - t0})


async def run(base: str, slug: str, n: int) -> tuple[list, float]:
    start = asyncio.Event()
    out: list = []
    tasks = [asyncio.create_task(participant(base, slug, i, start, out)) for i in range(n)]
    await asyncio.sleep(0.5)  # every client ready, then all at once
    t0 = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return out, time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=200)
    ap.add_argument("--database-url", default=None, help="run against PostgreSQL instead of SQLite")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="innspill-web-bench-")
    os.environ.update({"INNSPILL_DATA": data, "INNSPILL_SUBMIT_RATE": "0", "INNSPILL_NO_EMBEDDINGS": "1"})
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    slug = prepare(data)
    port = free_port()
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen([sys.executable, "-m", "innspill.cli", "serve", "--port", str(port), "--data", data,
                               "--no-worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/c/{slug}/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        results, wall = asyncio.run(run(base, slug, args.participants))
    finally:
        server.terminate()
        err = server.communicate(timeout=30)[1]
    from innspill.web.consultations.models import Comment

    sent = sum(1 for r in results if r["ok"])
    stored = Comment.objects.filter(consultation__slug=slug).count()
    errors = [r for r in results if not r["ok"]]
    post = [r["post"] for r in results if "post" in r]
    total = [r["total"] for r in results]
    db = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    print(f"web bench: {args.participants} concurrent participants, GET form + POST answer each, "
          f"uvicorn on loopback, {db}, {os.cpu_count()} cores")
    print(f"  wall time           {wall:.2f} s ({args.participants / wall:.0f} answers/s)")
    print(f"  POST latency        p50 {statistics.median(post) * 1000:.0f} ms, p95 {pct(post, 95) * 1000:.0f} ms, "
          f"max {max(post) * 1000:.0f} ms")
    print(f"  GET+POST latency    p50 {statistics.median(total) * 1000:.0f} ms, p95 {pct(total, 95) * 1000:.0f} ms, "
          f"max {max(total) * 1000:.0f} ms")
    print(f"  errors              {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"  answers sent (302)  {sent}")
    print(f"  answers stored      {stored}  {'= sent' if stored == sent else '!= sent'}")
    if errors and err.strip():
        print(err[-2000:], file=sys.stderr)
    return 0 if not errors and stored == sent == args.participants else 1


if __name__ == "__main__":
    sys.exit(main())
