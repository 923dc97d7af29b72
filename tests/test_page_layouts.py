"""Comment pages copied as text (issue 18 part 3): a seeded battery of WordPress (nb/nn/en),
numbered (like the seed), Disqus, Facebook and forum pages. Every comment found, with its author,
date and text, nothing merged: 100 %."""

import pytest

import pagegen
from innspill.ingest import read_input
from innspill.ingest.layouts import is_date

PAGES = pagegen.battery()


def read_page(tmp_path, page):
    path = tmp_path / f"{page.name}.txt"
    path.write_text(page.text, encoding="utf-8")
    return read_input(str(path))


def check(tmp_path, page) -> list[str]:
    """What the reader got wrong on ``page`` (empty when it is all right)."""
    t = read_page(tmp_path, page)
    got = [(c.author, c.posted_at, c.original) for c in t.comments]
    want = [(e.author, e.date, e.text) for e in page.comments]
    errors = []
    if len(got) != len(want):
        errors.append(f"{len(got)} comments read, {len(want)} on the page")
    for k, (g, w) in enumerate(zip(got, want), start=1):
        if g != w:
            errors.append(f"comment {k}: read {g!r}, expected {w!r}")
    parents = [c.parent_id for c in t.comments]
    want_parents = [None if e.parent is None else f"c{e.parent + 1}" for e in page.comments]
    if len(parents) == len(want_parents) and parents != want_parents:
        errors.append(f"parents {parents} expected {want_parents}")
    if any(e.text in t.post for e in page.comments if len(e.text) > 25):
        errors.append("a comment was read as part of the post")
    return errors


def test_battery_size_and_spread():
    assert len(PAGES) == 300 and sum(len(p.comments) for p in PAGES) >= 1000
    kinds = {p.name.split("-")[1] for p in PAGES}
    assert kinds == {"wordpress", "numbered", "disqus", "facebook", "forum"}


def test_every_comment_of_every_page_is_read_right(tmp_path):
    failures = {}
    for page in PAGES:
        errors = check(tmp_path, page)
        if errors:
            failures[page.name] = errors
    report = "\n\n".join(f"{name}:\n  " + "\n  ".join(errs[:4]) + "\n--- page ---\n"
                         + next(p.text for p in PAGES if p.name == name)[:1500]
                         for name, errs in list(failures.items())[:3])
    assert not failures, f"{len(failures)} of {len(PAGES)} pages misread, e.g.\n{report}"


def test_norwegian_wordpress_page_from_the_issue(tmp_path):
    """Issue 18: the date's '7.' was taken as comment number 7, every author lost, the date left
    in the text and two comments merged."""
    page = ("Skal vi stenge vegen?\n\nKommunen vil stenge Møllevegen for bilar.\n\n2 kommentarer\n\n"
            "Kari Nordmann sier:\n7. mai 2026 kl. 11:01\n\nJa, steng han.\n\nSvar\n\n"
            "Ola Hansen sier:\n7. mai 2026 kl. 12:30\n\nNei.\n\nSvar\n\nLegg igjen en kommentar\n")
    path = tmp_path / "wp.txt"
    path.write_text(page, encoding="utf-8")
    t = read_input(str(path))
    assert [(c.author, c.posted_at, c.original) for c in t.comments] == [
        ("Kari Nordmann", "7. mai 2026 kl. 11:01", "Ja, steng han."), ("Ola Hansen", "7. mai 2026 kl. 12:30", "Nei.")]
    assert not t.warnings and "Kari" not in t.post


@pytest.mark.parametrize("line,date", [
    ("7. mai 2026 kl. 11:01", True), ("  7. mai 2026 klokka 11.01", True), ("May 7, 2026 at 11:01 am", True),
    ("07.05.2026 kl. 11:01", True), ("• 2 years ago", True), ("for 3 dager siden", True),
    ("Thu May 07, 2026 11:01 am", True), ("2026-05-07 at 11:01", True),
    ("7. mai passer dårlig for meg.", False), ("1. Ja", False), ("2 - No.", False), ("Svar", False)])
def test_date_lines(line, date):
    assert is_date(line) is date


def test_a_post_byline_on_a_page_without_counter_stays_in_the_post(tmp_path):
    """A byline under the title ("Kari Nordmann" / "7. mai 2026") above the post's numbered
    questions is not a comment header: the questions stay the post's, the comments are the two
    that follow (found in a review of the header reader)."""
    from innspill.ingest import ReadOptions, read_threads

    page = ("Skal vi stenge gata?\nKari Nordmann\n7. mai 2026\n\nVi lurer på:\n"
            "1. Bør gata stenges for biler om sommeren?\n2. Hva med varelevering?\n\n"
            "Ola sier:\n8. mai 2026 kl. 09:00\n1. Ja. 2. Om morgenen.\nSvar\n\n"
            "Per sier:\n9. mai 2026 kl. 10:00\nNei til begge.\n")
    path = tmp_path / "side.txt"
    path.write_text(page, encoding="utf-8")
    t = read_threads(str(path), ReadOptions())[0]
    assert [q.text for q in t.questions] == ["Bør gata stenges for biler om sommeren?", "Hva med varelevering?"]
    assert [(c.author, c.original) for c in t.comments] == [("Ola", "1. Ja. 2. Om morgenen."), ("Per", "Nei til begge.")]
