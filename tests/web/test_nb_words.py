"""Issue 20: the Norwegian interface is Norwegian. The main organiser, moderation, review,
public and results pages are rendered in nb with the Django test client and their visible
text is searched for English words that leaked in (states, stances, job status, roles …)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import innspill.web
from innspill.web.consultations.models import Comment
from innspill.web.moderation.models import ModerationRule

from .conftest import answer, two_answers_analysed

pytestmark = pytest.mark.django_db

ENGLISH = ["pending", "approved", "rejected", "against", "mixed", "done", "kept", "yesno", "organiser",
           "queued", "running", "failed", "withdrawn", "none", "before", "after", "stance",
           "comments changed", "honeypot", "participant", "components", "silhouette", "unknown", "numbered",
           "field", "duplicate", "published answers", "warning", "differs"]


class _Visible(HTMLParser):
    """The text a reader sees: no script, style, template or hidden honeypot; titles and
    alt texts and button/option labels included."""

    SKIP = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.depth, self.out = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1
        for k, v in attrs:
            if k in ("title", "alt", "aria-label", "placeholder") and v:
                self.out.append(v)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.out.append(data)


def visible(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return " ".join(p.out)


def english_in(html: str) -> list[str]:
    text = visible(html).lower()
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def test_nb_pages_have_no_english_words(make_consultation, client_for):
    cons = make_consultation()
    ModerationRule.objects.create(consultation=cons, code="R1", text="Ingen personangrep.", position=0)
    org = two_answers_analysed(cons, client_for)
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    answer(anon, cons.slug, q1="Ja, det er greit.", q3="Tydelige regler.")
    last = Comment.objects.order_by("-id").first()
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [last.pk], "action": "reject", "rule": cons.rules.get().pk})
    org.cookies.load({"django_language": "nb"})
    org.defaults["HTTP_ACCEPT_LANGUAGE"] = "nb"
    job = cons.jobs.order_by("-id").first()
    pages = {
        "overview": f"/org/c/{cons.slug}/", "moderate": f"/org/c/{cons.slug}/moderate/?show=all",
        "moderate-pending": f"/org/c/{cons.slug}/moderate/", "log": f"/org/c/{cons.slug}/moderate/log/",
        "review": f"/org/c/{cons.slug}/review/", "results": f"/org/c/{cons.slug}/results/",
        "job": f"/org/c/{cons.slug}/jobs/{job.pk}/", "dashboard": "/org/", "policy": f"/org/c/{cons.slug}/policy/",
        "edit": f"/org/c/{cons.slug}/edit/",
    }
    found = {}
    for name, url in pages.items():
        r = org.get(url)
        assert r.status_code == 200, (name, r.status_code)
        if bad := english_in(r.content.decode()):
            found[name] = bad
    r = anon.get(f"/c/{cons.slug}/")
    if bad := english_in(r.content.decode()):
        found["public"] = bad
    org.post(f"/org/c/{cons.slug}/state/", {"state": "closed"})
    org.post(f"/org/c/{cons.slug}/results/publish/", {"publish": "1"})
    r = anon.get(f"/c/{cons.slug}/results/")
    assert r.status_code == 200
    if bad := english_in(r.content.decode()):
        found["public results"] = bad
    demo = Path(innspill.web.__file__).parent / "demo" / "kantine-nb.txt"
    r = org.post(f"/org/c/{cons.slug}/import/", {"file": SimpleUploadedFile("kantine.txt", demo.read_bytes()),
                                                  "format": "auto"})
    assert r.status_code == 302
    if bad := english_in(org.get(r["Location"]).content.decode()):
        found["import"] = bad
    assert not found, found


def test_codes_are_shown_in_norwegian():
    from django.utils import translation

    from innspill.web.consultations.templatetags import innspill_words as w

    with translation.override("nb"):
        assert [w.stance(s) for s in ("for", "against", "mixed", "none")] == ["for", "mot", "blandet", "ingen"]
        assert [w.comment_state(s) for s in ("pending", "approved", "rejected")] == [
            "venter på moderering", "godkjent", "avvist"]
        assert w.job_status("done") == "ferdig" and w.role("organiser") == "arrangør"
        assert w.question_kind("yesno") == "ja/nei" and w.analysed_status("kept") == "med"
        text = w.warning_text({"code": "W102", "message": "comment number 5 where 4 was expected"})
        assert text.startswith("W102: ") and "expected" not in text
    with translation.override("en"):
        assert w.stance("against") == "against" and "expected" in w.warning_text(
            {"code": "W102", "message": "comment number 5 where 4 was expected"})
