"""Issue 21 part 6: the Markdown brief carried a comment's raw <script> and javascript: links;
every value it prints is now Markdown text (innspill.report.htmldoc.md_safe)."""

import re

from innspill.cli import main
from innspill.report.htmldoc import md_safe

SCRIPT = "<script>alert(1)</script>"
LINK = "[klikk her](javascript:alert(document.cookie))"


def test_md_safe_neutralises_html_links_and_autolinks():
    assert md_safe(SCRIPT) == "\\<script>alert(1)\\</script>"
    assert md_safe(LINK) == "[klikk her]\\(javascript:alert(document.cookie))"
    assert md_safe("[x]: javascript:alert(1)") == "[x]\\: javascript:alert(1)"
    assert md_safe("[a] [b]") == "[a] \\[b]"
    assert md_safe("<javascript:alert(1)>").startswith("\\<")
    assert md_safe("\\<b>") == "\\\\\\<b>"  # a backslash in the text cannot undo the escape
    assert md_safe("[navn], så lenge") == "[navn], så lenge" and md_safe(3) == 3


def test_markdown_brief_has_no_raw_html_or_javascript_links(tmp_path):
    thread = tmp_path / "t.txt"
    thread.write_text(
        "Er det greit med hjemmekontor?\n\n2 kommentarer\n\n"
        f"  1. 1. Ja, det er helt greit {SCRIPT} så lenge alle er enige om faste dager. {LINK} Les mer.\n\n"
        "  2. 1. Nei, det blir for lite kontakt mellom kollegene på jobben <b onmouseover=alert(1)>.\n",
        encoding="utf-8")
    md_path = tmp_path / "b.md"
    assert main(["analyze", str(thread), "-o", str(tmp_path / "a.json"), "--no-embeddings", "--quiet",
                 "--brief", str(md_path)]) == 0
    md = md_path.read_text(encoding="utf-8")
    assert "alert(1)" in md  # the text is there, as text
    assert not re.search(r"(?<!\\)<(script|b\b|/script)", md), "raw HTML in the Markdown brief"
    assert not re.search(r"\]\s*\(javascript:", md), "a javascript: link in the Markdown brief"
