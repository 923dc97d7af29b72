"""Property: any bytes, and any mutation of a fixture, either import or give a coded error.

CI runs a few dozen examples per property (profile ``ci``); ``make fuzz`` runs
the same properties with many more (profile ``fuzz``) and prints the counts.
"""

import os
import sys
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innspill.errors import CODES, InnspillError
from innspill.ingest import FORMATS, ReadOptions, read_threads

from conftest import DATA

IMPORT = DATA / "import"
sys.path.insert(0, str(IMPORT))
FIXTURES = sorted(p for p in IMPORT.iterdir() if p.suffix in (".xml", ".html", ".csv"))
SUFFIXES = (".xml", ".html", ".csv", ".xlsx", ".txt", ".jsonl", "")

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3000")), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def imports_or_coded_error(data: bytes, suffix: str, fmt: str = "auto", partial: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        try:
            threads = read_threads(str(path), ReadOptions(fmt=fmt, partial=partial), require_questions=False)
        except InnspillError as exc:
            assert exc.code in CODES
            return
        for t in threads:
            assert all(c.status for c in t.comments)
            ids = {c.id for c in t.comments}
            assert all(c.parent_id is None or c.parent_id in ids for c in t.comments)


def mutate(data: bytes, ops: list[tuple[int, int, int, bytes]]) -> bytes:
    """Apply (kind, at, length, payload) edits: 0 delete, 1 insert, 2 overwrite, 3 truncate."""
    buf = bytearray(data)
    for kind, at, length, payload in ops:
        at = at % (len(buf) + 1)
        if kind == 0:
            del buf[at:at + length]
        elif kind == 1:
            buf[at:at] = payload
        elif kind == 2:
            buf[at:at + len(payload)] = payload
        else:
            del buf[at:]
    return bytes(buf)


MUTATIONS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 16), st.integers(0, 64),
                               st.binary(max_size=16) | st.sampled_from(
                                   [b"<", b">", b"&", b'"', b"</", b"<!DOCTYPE x [", b"]]>", b"<![CDATA[", b";",
                                    b",", b"\n", b"\xff\xfe", b"\xc3", b"&amp;", b"<li class=\"comment\">"])),
                     min_size=1, max_size=6)


@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES), fmt=st.sampled_from(FORMATS),
       partial=st.booleans())
def test_arbitrary_bytes_import_or_coded_error(data, suffix, fmt, partial):
    imports_or_coded_error(data, suffix, fmt, partial)


TOKENS = [b"<?xml version='1.0'?>", b"<rss xmlns:wp='http://wordpress.org/export/1.2/'>", b"<channel>", b"<item>",
          b"</item>", b"<wp:comment>", b"</wp:comment>", b"<wp:comment_content>", b"</wp:comment_content>",
          b"<wp:comment_parent>", b"</wp:comment_parent>", b"<wp:comment_id>", b"</wp:comment_id>", b"1", b"0",
          b"<wp:comment_approved>", b"</wp:comment_approved>", b"<wp:comment_type>pingback</wp:comment_type>",
          b"<disqus>", b"<thread dsq:id='1'>", b"</thread>", b"<post>", b"</post>", b"<message>", b"</message>",
          b"<parent dsq:id='1'/>", b"<html>", b"<ol class='comment-list'>", b"<li class='comment depth-1'>",
          b"</li>", b"<div class='comment-content'>", b"</div>", b"<p>", b"</p>", b"Er det greit?", b"Ja.",
          b"\xc3\xa5", b"\xe5", b"&amp;", b"&", b"<![CDATA[", b"]]>", b"\n", b",", b";", b'"', b"\r\n", b" ", b'{"text": "', b'{"question": "', b'"}',
          b'{"status": "spam", "text": "x"}', b'{"id": 1, "parent_id": 1, "text": "a"}']


@given(parts=st.lists(st.sampled_from(TOKENS), max_size=60), suffix=st.sampled_from(SUFFIXES),
       fmt=st.sampled_from(FORMATS), partial=st.booleans())
def test_token_soup_import_or_coded_error(parts, suffix, fmt, partial):
    imports_or_coded_error(b"".join(parts), suffix, fmt, partial)


@given(fixture=st.sampled_from(FIXTURES), ops=MUTATIONS, partial=st.booleans())
def test_mutated_fixtures_import_or_coded_error(fixture, ops, partial):
    imports_or_coded_error(mutate(fixture.read_bytes(), ops), fixture.suffix, partial=partial)


@given(ops=MUTATIONS, part=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                            "xl/workbook.xml", "[Content_Types].xml"]))
def test_mutated_workbooks_import_or_coded_error(ops, part):
    import make_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.xlsx"
        make_xlsx.build(good)
        bad = Path(tmp) / "bad.xlsx"
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
            for info in src.infolist():
                body = src.read(info)
                dst.writestr(info.filename, mutate(body, ops) if info.filename == part else body)
        imports_or_coded_error(bad.read_bytes(), ".xlsx")
