"""Malicious and broken input: refused or read up to the break, with a code and a place, never a traceback."""

import zipfile

import pytest

from innspill.cli import main
from innspill.errors import InnspillError
from innspill.ingest import ReadOptions, read_input, read_threads

from conftest import DATA

IMPORT = DATA / "import"
WXR_HEAD = ('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>Er det greit?</title>'
            '<wp:post_id>1</wp:post_id>')
WXR_TAIL = "</item></channel></rss>"

LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
          ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
          ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
          ' <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n]>\n'
          + WXR_HEAD + "<wp:comment><wp:comment_content>&lol9;</wp:comment_content></wp:comment>" + WXR_TAIL)


def xxe(target: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{target}">]>\n'
            + WXR_HEAD + "<wp:comment><wp:comment_content>&xxe;</wp:comment_content></wp:comment>" + WXR_TAIL)


EXTERNAL_DTD = ('<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
                + WXR_HEAD + "<wp:comment><wp:comment_content>hei</wp:comment_content></wp:comment>" + WXR_TAIL)
PARAMETER_ENTITY = ('<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x">'
                    '%remote;]>\n<disqus xmlns="http://disqus.com"><post><message>hei</message></post></disqus>')


@pytest.mark.parametrize("name,content", [
    ("laughs.xml", LAUGHS),
    ("xxe.xml", None),
    ("dtd.xml", EXTERNAL_DTD),
    ("param.xml", PARAMETER_ENTITY),
])
def test_malicious_xml_is_refused(tmp_path, capsys, name, content):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE", encoding="utf-8")
    path = tmp_path / name
    path.write_text(content if content is not None else xxe(str(secret)), encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_threads(str(path), require_questions=False)
    assert e.value.code == "E109"
    for fmt in ("auto", "wxr", "disqus"):
        rc = main(["inspect", str(path), "--format", fmt])
        err = capsys.readouterr().err
        assert rc == 2 and "E109" in err and "TOP-SECRET" not in err and "Traceback" not in err
    rc = main(["analyze", str(path), "-o", str(tmp_path / "a.json"), "--partial"])
    assert rc == 2 and "E109" in capsys.readouterr().err and not (tmp_path / "a.json").exists()


def test_truncated_wxr_says_where_and_partial_reads_up_to_it(tmp_path, capsys):
    raw = (IMPORT / "wxr-skole.xml").read_bytes()
    cut = raw[: raw.index(b"<wp:comment_id>105</wp:comment_id>")]
    path = tmp_path / "cut.xml"
    path.write_bytes(cut)
    line = cut.count(b"\n") + 1
    with pytest.raises(InnspillError) as e:
        read_input(str(path))
    assert e.value.code == "E110" and e.value.line == line and "column" in e.value.message
    assert "--partial" in e.value.hint
    rc = main(["analyze", str(path), "-o", str(tmp_path / "a.json"), "--no-embeddings"])
    assert rc == 2 and f"line {line}" in capsys.readouterr().err
    t = read_input(str(path), opts=ReadOptions(partial=True))
    assert [c.source_id for c in t.comments] == ["101", "102", "103", "104"]
    assert [w["code"] for w in t.warnings] == ["W105"]
    rc = main(["analyze", str(path), "-o", str(tmp_path / "a.json"), "--no-embeddings", "--partial"])
    assert rc == 0 and "W105" in capsys.readouterr().out


def test_malformed_disqus_and_csv(tmp_path):
    bad = tmp_path / "d.xml"
    bad.write_text('<disqus xmlns="http://disqus.com"><thread><title>Hei?</title></thread>\n<post><message>a</mess',
                   encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_threads(str(bad), require_questions=False)
    assert e.value.code == "E110" and e.value.line == 2
    csv_path = tmp_path / "c.csv"
    csv_path.write_text('navn,kommentar\nA,"god idé"\nB,"uten slutt\n', encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_threads(str(csv_path), require_questions=False)
    assert e.value.code == "E110" and e.value.line == 3
    t = read_threads(str(csv_path), ReadOptions(partial=True), require_questions=False)[0]
    assert [c.original for c in t.comments] == ["god idé"] and t.warnings[0]["code"] == "W105"


def test_xml_over_the_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.xml"
    path.write_text(WXR_HEAD + "<x>" + "a" * 3_000_000 + "</x>" + WXR_TAIL, encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_threads(str(path), ReadOptions(max_bytes=2 * 1024 * 1024))
    assert e.value.code == "E106" and "--max-size" in e.value.hint


def test_broken_and_bomb_workbooks(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(InnspillError) as e:
        read_threads(str(broken), require_questions=False)
    assert e.value.code == "E110"
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", " " * (3 * 1024 * 1024))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(InnspillError) as e:
        read_threads(str(bomb), ReadOptions(max_bytes=2 * 1024 * 1024), require_questions=False)
    assert e.value.code == "E106"
    not_a_workbook = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as z:
        z.writestr("hello.txt", "hei")
    with pytest.raises(InnspillError) as e:
        read_threads(str(not_a_workbook), require_questions=False)
    assert e.value.code == "E110"


def test_undefined_entity_is_a_coded_error(tmp_path):
    path = tmp_path / "e.xml"
    path.write_text(WXR_HEAD + "<wp:comment><wp:comment_content>&nbsp;hei</wp:comment_content></wp:comment>"
                    + WXR_TAIL, encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_threads(str(path), require_questions=False)
    assert e.value.code in ("E109", "E110")


def test_jsonl_partial_reads_the_records_before_the_break(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"question": "Er det greit?"}\n{"text": "Ja."}\n{"text": "Nei', encoding="utf-8")
    with pytest.raises(InnspillError) as e:
        read_input(str(path))
    assert e.value.code == "E107" and e.value.line == 3
    t = read_input(str(path), opts=ReadOptions(partial=True))
    assert [c.original for c in t.comments] == ["Ja."] and t.warnings[-1]["code"] == "W105"
