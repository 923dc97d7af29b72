"""The web app's Django apps depend one way (issue 22), read with ast from the source files:

* the site's shared modules in ``innspill.web`` itself (security, signals, middleware, the account
  pages, template tags) import none of the apps; only the site's wiring (settings, URLs, the ASGI
  entry point, ``innspill serve``, the front page) names them.
* consultations import no other app; the analysis imports the consultations; moderation and live
  import those two; results may also import live (the room's votes in the brief). A lower app tells
  the apps above it what happened by the signals in ``innspill.web.signals``.
"""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "innspill" / "web"
APPS = ("consultations", "analysis", "moderation", "live", "results")
MAY_IMPORT = {
    "consultations": set(),
    "analysis": {"consultations"},
    "moderation": {"consultations", "analysis"},
    "live": {"consultations", "analysis"},
    "results": {"consultations", "analysis", "live"},
}
WIRING = {"settings.py", "urls.py", "asgi.py", "runtime.py", "views_home.py"}


def _app_of(path: Path) -> str | None:
    top = path.relative_to(WEB).parts[0]
    return top if top in APPS else None


def _imported_apps(path: Path) -> set[str]:
    """The apps a module imports anywhere in it (relative or absolute imports)."""
    package = path.relative_to(WEB.parent.parent).with_suffix("").parts[:-1]  # ("innspill", "web", ...)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            names = [".".join(base + ([node.module] if node.module else []) + [a.name]) for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["innspill", "web"] and len(parts) > 2 and parts[2] in APPS:
                found.add(parts[2])
    return found


def test_the_apps_depend_one_way():
    wrong = []
    for path in sorted(WEB.rglob("*.py")):
        app = _app_of(path)
        if app is None and path.relative_to(WEB).as_posix() in WIRING:
            continue
        allowed = MAY_IMPORT[app] | {app} if app else set()
        for other in sorted(_imported_apps(path) - allowed):
            wrong.append(f"{path.relative_to(WEB)} imports the {other} app")
    assert not wrong, wrong


def test_the_check_sees_relative_and_absolute_imports(monkeypatch):
    texts = {
        "views_fake.py": "from .live import services\nimport innspill.web.results.views\n"
                         "def f():\n    from .moderation.models import X\n",
        "fake.py": "from ..live import services\nfrom .models import X\nfrom ... import csvsafe\n",
    }
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: texts[self.name])
    assert _imported_apps(WEB / "views_fake.py") == {"live", "results", "moderation"}
    assert _imported_apps(WEB / "results" / "fake.py") == {"live", "results"}
