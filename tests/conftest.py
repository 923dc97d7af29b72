import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# the CLI keeps an embedding cache in the user's cache folder; tests use a throwaway one
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="innspill-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "thread.txt"
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    assert SEED.exists(), f"the seed thread must be at {SEED}"
    return SEED


@pytest.fixture(scope="session")
def embedder():
    from innspill.embed import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def seed_analysis(seed_path, embedder):
    from innspill.pipeline import analyze

    return analyze(str(seed_path), embedder=embedder).to_dict()


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_brief_html(seed_analysis, tmp_path_factory):
    from innspill.report import write_brief

    made = {}

    def make(lang: str = "nb", anonymise: bool = True):
        key = (lang, anonymise)
        if key not in made:
            path = tmp_path_factory.mktemp("brief") / f"brief-{lang}-{'anon' if anonymise else 'sens'}.html"
            write_brief(seed_analysis, str(path), "html", lang, anonymise=anonymise)
            made[key] = path
        return made[key]

    return make


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright; CI must have it (.ci/run installs it)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium (.ci/run installs it with apt-get)")
        pytest.skip("chromium is not installed here (apt-get install chromium); CI installs it in .ci/run")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
