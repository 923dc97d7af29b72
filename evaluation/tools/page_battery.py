"""Print the size and result of the copied-page battery (issue 18 part 3): tests/pagegen.py's
300 seeded pages (WordPress nb/nn/en, numbered like the seed, Disqus, Facebook, forums) read by
innspill's text reader; a page counts as right when every comment is found with its author, date,
text and parent, nothing merged. Exit status 1 when any page is misread (each is printed).

    .venv/bin/python evaluation/tools/page_battery.py
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import pagegen  # noqa: E402
from test_page_layouts import check  # noqa: E402


def main() -> int:
    pages = pagegen.battery()
    tmp = Path(tempfile.mkdtemp(prefix="innspill-pages-"))
    bad = {p.name: errs for p in pages if (errs := check(tmp, p))}
    layouts = Counter(p.name.split("-")[1] for p in pages)
    comments = sum(len(p.comments) for p in pages)
    right = len(pages) - len(bad)
    print(f"copied-page battery: {len(pages)} pages ({', '.join(f'{k} {v}' for k, v in sorted(layouts.items()))}), "
          f"{comments} comments; read right: {right} of {len(pages)} pages ({100 * right / len(pages):.1f} %)")
    for name, errs in bad.items():
        print(f"  {name}: " + "; ".join(errs[:3]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
