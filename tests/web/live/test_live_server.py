"""The live debate against ``innspill serve`` (uvicorn) over HTTP: votes are committed before the
answer, so stopping and starting the server during a session loses none, and a participant's
cookie still names the same participant afterwards. The event stream sends the state."""

import json
import re
import time

import httpx
import pytest

from ..conftest import PASSWORD
from ..liveserver import LiveServer


@pytest.fixture
def server(tmp_path):
    s = LiveServer(tmp_path / "data").start()
    yield s
    s.stop()


def _csrf(client) -> str:
    return client.cookies.get("csrftoken")


def login(client: httpx.Client) -> None:
    client.get("/login/")
    r = client.post("/login/", data={"username": "ola", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(client)})
    assert r.status_code == 302, r.text[:500]


def start_session(org: httpx.Client) -> tuple[str, str]:
    org.get("/org/c/kantina/")
    r = org.post("/org/c/kantina/live/new", data={"language": "nb", "csrfmiddlewaretoken": _csrf(org)})
    assert r.status_code == 302
    presenter = r.headers["location"]
    code = re.search(r'id="live-code">([A-Z0-9]+)<', org.get(presenter).text).group(1)
    r = org.post(presenter + "do", data={"do": "start", "csrfmiddlewaretoken": _csrf(org)})
    assert r.status_code == 302
    return presenter, code


def eventually(fn, timeout=3.0):
    """``fn()`` once it is truthy (results are recomputed at most once a second)."""
    end = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.1)


def vote(client, code, statement, value):
    r = client.post(f"/j/{code}/vote", json={"statement": statement, "vote": value},
                    headers={"X-CSRFToken": _csrf(client)})
    assert r.status_code == 200, r.text
    return r.json()


def test_restart_loses_no_vote_and_keeps_identity(server):
    with httpx.Client(base_url=server.base) as org:
        login(org)
        presenter, code = start_session(org)
        people = [httpx.Client(base_url=server.base) for _ in range(3)]
        try:
            for p in people:
                assert p.get(f"/j/{code}/").status_code == 200
            state = people[0].get(f"/j/{code}/state.json").json()
            first = state["statement"]["id"]
            assert state["me"]["id"] == "p1" and state["participants"] == 3
            # the vote path (answered before Django's middleware) still checks the CSRF token and the host
            r = people[0].post(f"/j/{code}/vote", json={"statement": first, "vote": 1})
            assert r.status_code == 403 and r.json()["error"] == "CSRF-sjekken feilet: last siden på nytt"
            r = people[0].post(f"/j/{code}/vote", json={"statement": first, "vote": 1},
                               headers={"X-CSRFToken": _csrf(people[0]), "Host": "evil.example"})
            assert r.status_code == 400
            r = people[0].post(f"/j/{code}/vote", json={"statement": first, "vote": 7},
                               headers={"X-CSRFToken": _csrf(people[0])})
            assert r.status_code == 400 and r.json()["error"] == "stemmen må være 1, -1 eller 0"
            assert org.get(presenter + "state.json").json()["counts"].get(str(first), {}).get("total", 0) == 0
            vote(people[0], code, first, 1)
            vote(people[1], code, first, -1)
            vote(people[2], code, first, 0)
            vote(people[2], code, first, 1)  # changed: counted once
            expected = {"agree": 2, "disagree": 1, "pass": 0, "total": 3}
            before = eventually(lambda: (s := org.get(presenter + "state.json").json())["counts"].get(str(first))
                                == expected and s)
            assert before, "the presenter's counts did not arrive"

            server.restart()

            after = org.get(presenter + "state.json").json()
            assert after["counts"] == before["counts"] and after["session"]["participants"] == 3
            for i, p in enumerate(people):
                assert p.get(f"/j/{code}/").status_code == 200  # the cookie is still valid: no new participant
                me = p.get(f"/j/{code}/state.json").json()["me"]
                assert me["id"] == f"p{i + 1}" and me["votes"] == {str(first): [1, -1, 1][i]}
            assert org.get(presenter + "state.json").json()["session"]["participants"] == 3
            vote(people[1], code, first, 1)  # voting goes on after the restart
            org.post(presenter + "do", data={"do": "reveal", "csrfmiddlewaretoken": _csrf(org)})
            with people[0].stream("GET", f"/j/{code}/events") as r:
                assert r.headers["content-type"].startswith("text/event-stream")
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        counts = json.loads(line[6:])["statement"]["counts"]
                        if counts and counts["total"] == 3 and counts["agree"] == 3:
                            break
                else:
                    pytest.fail("the event stream closed without the revealed counts")
        finally:
            for p in people:
                p.close()
