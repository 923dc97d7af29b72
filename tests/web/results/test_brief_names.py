"""Exports name the consultation (issue 20): every brief format made in the web app carries the
consultation's title, the organiser's intro line and the period of the answers, never
"consultation:slug" or "no dates"; download names carry slug, language and day."""

import csv
import io
import json
import re
import zlib
from datetime import UTC, datetime

import pytest
from django.utils import timezone as dj_timezone

from innspill.web.analysis import jobs
from innspill.web.consultations.models import Comment

from ..conftest import answer

pytestmark = pytest.mark.django_db

TITLE = "Sykkelveg langs Storgata"
INTRO = "Kommunen vil høre hva du mener om sykkelvegen før bystyret bestemmer seg."


def _analysed(make_consultation, client_for):
    cons = make_consultation(slug="sykkelveg")
    cons.title = TITLE
    cons.intro = INTRO + "\n\nLes planen før du svarer."
    cons.save()
    anon = client_for()
    answer(anon, cons.slug, name="Per", q1="Nei. Det bør ikke enkeltpersoner gjøre.", q2="Ja, helt klart.")
    answer(anon, cons.slug, comment="1. Det er greit hvis arbeidsgiver vet om det.\n\n2. Nei, det er å gå for langt.")
    answer(anon, cons.slug, q1="Ja.", q3="Klare regler for bilder.")
    days = [datetime(2026, 11, 2, 9, 30, tzinfo=UTC), datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
            datetime(2026, 12, 1, 12, 0, tzinfo=UTC)]
    for c, when in zip(Comment.objects.order_by("id"), days):
        Comment.objects.filter(pk=c.pk).update(created_at=when)
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": list(Comment.objects.values_list("id", flat=True)),
                                                "action": "approve"})
    jobs.enqueue(cons)
    jobs.run_one()
    return cons, org


def _text(fmt: str, content: bytes) -> str:
    if fmt == "pdf":  # its metadata title (WeasyPrint writes it UTF-16 in a compressed object stream)
        for m in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
            try:
                d = zlib.decompress(m.group(1))
            except zlib.error:
                continue
            for t in re.finditer(rb"/Title\s*<feff([0-9a-f]*)>", d):  # the info dict's, not a bookmark's
                if b"/Producer" in d[max(0, t.start() - 300):t.end() + 300]:
                    return bytes.fromhex(t.group(1).decode()).decode("utf-16-be")
        return ""
    if fmt == "pptx":
        from pptx import Presentation

        prs = Presentation(io.BytesIO(content))
        shapes = [sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame]
        return prs.core_properties.title + "\n" + "\n".join(shapes)
    return content.decode("utf-8")


@pytest.mark.parametrize("lang,period", [("nb", ["2. november 2026", "1. desember 2026"]),
                                         ("en", ["2 November 2026", "1 December 2026"])])
def test_every_brief_format_names_the_consultation_and_its_period(make_consultation, client_for, lang, period):
    from innspill.web.results.views import BRIEF_TYPES

    cons, org = _analysed(make_consultation, client_for)
    today = dj_timezone.localdate().isoformat()
    for fmt in BRIEF_TYPES:
        if fmt == "pdf":
            pytest.importorskip("weasyprint")
        r = org.get(f"/org/c/{cons.slug}/brief.{fmt}?download=1&lang={lang}")
        assert r.status_code == 200, fmt
        assert r["Content-Disposition"] == f'attachment; filename="brief-sykkelveg-{lang}-{today}.{fmt}"'
        text = _text(fmt, r.content)
        if fmt == "json":
            about = json.loads(text)["consultation"]
            assert about == {"title": TITLE, "intro": INTRO, "slug": "sykkelveg",
                             "period": {"first": "2026-11-02", "last": "2026-12-01"}}
            continue
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(text)))
            assert rows and all(x["consultation"] == TITLE and x["period"] == "2026-11-02/2026-12-01" for x in rows)
            continue
        flat = " ".join(text.split())
        if fmt == "pdf":  # the page text is the HTML's (to_pdf renders to_html); its title is checked here
            assert flat == ("Debattnotat – " if lang == "nb" else "Debate brief – ") + TITLE
            continue
        assert TITLE in flat, fmt
        assert "consultation:sykkelveg" not in flat and "Kilden oppgir ingen datoer" not in flat, fmt
        assert "The source gives no dates" not in flat, fmt
        if fmt in ("html", "md", "pptx"):
            assert INTRO[:40] in flat and "Les planen" not in flat, fmt  # the intro's first line only
            assert period[0] in flat and period[1] in flat, fmt
    html = org.get(f"/org/c/{cons.slug}/brief.html?lang={lang}").content.decode()
    assert f"<title>{'Debattnotat' if lang == 'nb' else 'Debate brief'} – {TITLE}</title>" in html
    assert "Content-Disposition" not in org.get(f"/org/c/{cons.slug}/brief.html?lang={lang}")


def test_nb_and_en_downloads_differ_and_the_brief_is_reproducible(make_consultation, client_for):
    cons, org = _analysed(make_consultation, client_for)
    names = {org.get(f"/org/c/{cons.slug}/brief.md?download=1&lang={x}")["Content-Disposition"] for x in ("nb", "en")}
    assert len(names) == 2
    for fmt in ("html", "md", "json", "csv"):
        a = org.get(f"/org/c/{cons.slug}/brief.{fmt}?lang=nb").content
        assert a == org.get(f"/org/c/{cons.slug}/brief.{fmt}?lang=nb").content, fmt


def test_a_run_analysed_before_the_brief_named_it_gets_the_name_from_the_consultation(make_consultation,
                                                                                       client_for):
    from innspill.web.analysis import services

    cons, org = _analysed(make_consultation, client_for)
    run = services.latest_run(cons)
    source = run.analysis["source"]
    for k in ("intro", "period"):
        source.pop(k)
    run.save()
    brief = json.loads(org.get(f"/org/c/{cons.slug}/brief.json").content)
    assert brief["consultation"]["intro"] == INTRO
    assert brief["guide"]["period"] == {"first": "2026-11-02", "last": "2026-12-01"}
