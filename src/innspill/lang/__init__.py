"""Word lists and cue lexicons per language, kept as data files (``<code>.json``).

Add a language by adding a JSON file with the same keys as ``en.json``; the
stages read cues only through :func:`lexicon` and :func:`merged`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("nb", "nn", "en")


@cache
def lexicon(code: str) -> dict:
    if code not in LANGUAGES:
        code = "nb"
    with resources.files(__package__).joinpath(f"{code}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def merged(primary: str = "nb") -> dict:
    """All languages' lists merged (primary first): comments mix languages."""
    order = [primary] + [c for c in LANGUAGES if c != primary]
    out: dict = {}
    for code in order:
        for key, val in lexicon(code).items():
            if key.startswith("_"):
                continue
            if isinstance(val, list):
                seen = out.setdefault(key, [])
                seen.extend(v for v in val if v not in seen)
            elif isinstance(val, dict):
                d = out.setdefault(key, {})
                for k, v in val.items():
                    d.setdefault(k, v)
    return out
