"""Load a script of the repository (training/, benchmarks/, evaluation/tools/) as a module in a test.

These scripts are not part of the installed package; a test that exercises one (a generator, a
fold assignment, a benchmark's data) loads it from its file. Each call executes the file anew, as
the tests did before they shared this helper."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relpath: str, name: str | None = None) -> ModuleType:
    """The module made from ``ROOT / relpath`` (named ``name``, by default the file's stem)."""
    path = ROOT / relpath
    if not path.is_file():
        raise FileNotFoundError(path)
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
