"""Translations of the brief through gettext catalogs (Babel).

The catalogs are ``.po`` files in ``report/locale/<lang>/LC_MESSAGES/brief.po`` (message ids
in English). They are read at run time with Babel and compiled in memory, so a wheel needs
no build step; ``en`` uses the message ids as they are.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGS = ("nb", "en")
LOCALES = {"nb": "nb_NO", "en": "en_GB"}
DOMAIN = "brief"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    ref = resources.files("innspill.report").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    with ref.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALES[lang], domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Text:
    """gettext functions and number formats for one language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "en"
        self.t = translations(self.lang)
        self.locale = LOCALES[self.lang]

    def _(self, msg: str, **kw) -> str:
        out = self.t.gettext(msg)
        return out % kw if kw else out

    def n_(self, singular: str, plural: str, n: int, **kw) -> str:
        out = self.t.ngettext(singular, plural, n)
        return out % {"n": n, **kw}

    def pct(self, x: float) -> str:
        return format_percent(x, locale=self.locale)

    def num(self, x: float) -> str:
        return format_decimal(x, locale=self.locale)

    def stance(self, s: str | None, kind: str | None = None) -> str:
        """A stance's name; on an open question what it means there (proposed / rejected the premise)."""
        if kind == "open":
            return {"for": self._("proposed something"), "against": self._("rejected the premise"),
                    "mixed": self._("proposed, with conditions"), "none": self._("no proposal"),
                    None: self._("other")}[s]
        return {"for": self._("for"), "against": self._("against"), "mixed": self._("mixed / conditions"),
                "none": self._("no side"), None: self._("other")}[s]

    def heading(self, s: str, kind: str | None = None) -> str:
        """The heading over a question's themes of one stance."""
        if kind == "open":
            return {"for": self._("What people proposed"), "mixed": self._("Proposals with conditions"),
                    "against": self._("Rejecting the premise"), "none": self._("Without a proposal")}[s]
        return {"for": self._("Arguments for"), "against": self._("Arguments against"),
                "mixed": self._("Conditions people set"), "none": self._("Without taking a side")}[s]

    def category(self, c: str) -> str:
        return {"harassment": self._("harassment"), "health": self._("health"), "legal": self._("legal matters"),
                "third-party": self._("third parties")}.get(c, c)

    def placeholders(self) -> dict:
        return {"name": self._("[name]"), "email": self._("[e-mail]"), "phone": self._("[phone]")}

    def verdict(self, v: str) -> str:
        return {
            "agree-for": self._("Broad agreement: most say yes."),
            "agree-against": self._("Broad agreement: most say no."),
            "divided": self._("Divided: both sides have real support."),
            "conditional": self._("Conditional: many say yes, but only on conditions."),
            "no-side": self._("Few take a side: most answers discuss without a yes or no."),
            "open": self._("An open question: read as what people proposed, not as yes or no."),
            "unanswered": self._("Nobody answered this question."),
            "few": self._("Too few answers to tell where people stand."),
        }[v]
