"""The Bokmål gettext catalogue (src/innspill/web/locale/nb/LC_MESSAGES/django.po) is the one
source of the web app's Norwegian text, and it is complete and compiled.

Fails when a msgid used in the code or the templates is missing from the catalogue or untranslated,
an entry (or the header) is fuzzy, a translation breaks a placeholder, the catalogue keeps entries
no code uses, or the committed django.mo is not the compiled django.po. The msgids are found
without GNU gettext (CI has none): each template goes through Django's own ``templatize`` (what
makemessages hands xgettext) and the Python source through Babel's extractor with makemessages'
keywords. Where xgettext is installed, makemessages itself is also run on a copy of the app and
must find the catalogue as committed. To update the catalogue: ``make messages`` (README)."""

import gettext
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation.template import templatize

import innspill.web

WEB = Path(innspill.web.__file__).parent
PO = WEB / "locale" / "nb" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# the keywords makemessages gives xgettext, with xgettext's own Python defaults (_, gettext, ngettext)
KEYWORDS = {
    "_": None, "gettext": None, "gettext_lazy": None, "gettext_noop": None,
    "ngettext": (1, 2), "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "npgettext_lazy": ((1, "c"), 2, 3),
}


def catalogue():
    with PO.open("rb") as fh:
        return read_po(fh)


def _key(message) -> tuple:
    """(context, msgid, msgid_plural or None) of a Babel message or an extracted one."""
    ids = message.id if hasattr(message, "id") else message[0]
    context = message.context if hasattr(message, "context") else message[1]
    if isinstance(ids, (tuple, list)):
        return context, ids[0], ids[1]
    return context, ids, None


def source_files():
    """The files makemessages reads when run in the web package: .py, .html and .txt."""
    for path in sorted(WEB.rglob("*")):
        parts = path.relative_to(WEB).parts
        if path.is_file() and path.suffix in (".py", ".html", ".txt") and not any(
                p.startswith(".") or p == "__pycache__" for p in parts):
            yield path


def used_messages() -> dict[tuple, list[str]]:
    """Every (context, msgid, msgid_plural) the code and templates translate, with where."""
    found: dict[tuple, list[str]] = {}
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            text = templatize(text, origin=str(path))
        stream = io.BytesIO(text.encode("utf-8"))
        for lineno, message, _comments, context in extract(extract_python, stream, keywords=KEYWORDS,
                                                           options={"encoding": "utf-8"}):
            key = _key((message, context))
            found.setdefault(key, []).append(f"{path.relative_to(WEB)}:{lineno}")
    return found


def test_catalogue_is_complete_and_clean():
    cat = catalogue()
    assert not cat.fuzzy, "the catalogue's header is marked fuzzy: Babel and msgfmt would skip the whole file"
    assert cat.num_plurals == 2 and cat.plural_expr.replace(" ", "") == "(n!=1)"
    fuzzy = [_key(m) for m in cat if m.id and m.fuzzy]
    untranslated = [_key(m) for m in cat if m.id and not (all(m.string) if m.pluralizable else m.string)]
    broken = {_key(m): [str(e) for e in errors] for m, errors in cat.check() if errors}
    assert not fuzzy, f"fuzzy entries (check the translation, then remove the mark): {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"
    assert not broken, f"translations that break a placeholder or the plural forms: {broken}"


def test_every_message_in_the_code_is_in_the_catalogue():
    used = used_messages()
    catalogued = {_key(m) for m in catalogue() if m.id}
    assert len(used) > 400  # the scan finds the interface's text (522 entries when this test was written)
    missing = {k: where for k, where in used.items() if k not in catalogued}
    unused = sorted(catalogued - set(used), key=str)
    assert not missing, f"msgids used but not in django.po (run make messages, then translate): {missing}"
    assert not unused, f"django.po entries no code or template uses (run make messages): {unused}"


def test_committed_mo_is_the_compiled_po():
    cat = catalogue()
    fresh = io.BytesIO()
    write_mo(fresh, cat, use_fuzzy=False)
    fresh.seek(0)
    compiled = gettext.GNUTranslations(fresh)
    with MO.open("rb") as fh:
        committed = gettext.GNUTranslations(fh)
    want = {k: v for k, v in compiled._catalog.items() if k != ""}
    have = {k: v for k, v in committed._catalog.items() if k != ""}
    differ = sorted((k for k in set(want) | set(have) if want.get(k) != have.get(k)), key=str)
    assert not differ, f"django.mo differs from django.po (run make mo): {differ[:20]}"
    assert [committed.plural(n) for n in range(30)] == [compiled.plural(n) for n in range(30)]
    # and Django shows exactly the catalogue's text in nb
    with translation.override("nb"):
        for m in cat:
            if not m.id:
                continue
            if m.pluralizable:
                shown = [translation.npgettext(m.context, m.id[0], m.id[1], n) if m.context else
                         translation.ngettext(m.id[0], m.id[1], n) for n in (1, 2)]
                assert shown == list(m.string), m.id
            else:
                shown = translation.pgettext(m.context, m.id) if m.context else translation.gettext(m.id)
                assert shown == m.string, m.id


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext's xgettext")
def test_makemessages_finds_the_catalogue_as_committed(tmp_path):
    """What make messages would write: the same entries and translations as the committed file."""
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "nb", "--no-location", "--no-wrap",
                    "--no-obsolete"], cwd=copy, env=env, check=True, capture_output=True)
    with (copy / "locale" / "nb" / "LC_MESSAGES" / "django.po").open("rb") as fh:
        made = {_key(m): (m.string, m.fuzzy) for m in read_po(fh) if m.id}
    committed = {_key(m): (m.string, m.fuzzy) for m in catalogue() if m.id}
    differ = sorted((k for k in set(made) | set(committed) if made.get(k) != committed.get(k)), key=str)
    assert not differ, f"make messages would change these entries: {[(k, made.get(k)) for k in differ[:20]]}"
    # the scan without xgettext finds what xgettext finds
    assert set(used_messages()) == set(made)
