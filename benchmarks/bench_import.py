"""Import rate and peak memory on a generated WordPress export (WXR) of about 100 MB.

The export holds one post with numbered questions and comments made by
``bench.make_comment`` (some in <p> markup, replies, spam, trash, held,
pingbacks). The reading runs in a fresh Python process, so the peak memory
(max RSS) is the importer's own: ``read_threads`` (sniff, sha256, streaming
parse, HTML to text) and nothing else. Run: ``python benchmarks/bench.py
--import-only [--wxr-mb 100]`` (``make bench-import``); ``make bench`` runs it after
the pipeline figures.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Skolen vår</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Innspill til foreldremøtet</title>
<content:encoded><![CDATA[<p>Innspill til foreldremøtet om skolen.</p><ol>{questions}</ol>]]></content:encoded>
<wp:post_id>1</wp:post_id><wp:post_name>innspill</wp:post_name><wp:post_type>post</wp:post_type>
"""
COMMENT = """<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author><![CDATA[{author}]]></wp:comment_author>
<wp:comment_author_email>x{id}@example.org</wp:comment_author_email>
<wp:comment_date>2024-03-02 10:15:00</wp:comment_date><wp:comment_date_gmt>2024-03-02 09:15:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{content}]]></wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>
<wp:comment_type>{kind}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>
"""
NAMES = ["Kari Nordmann", "Ola Berg", "Sam Okafor", "Åse Lunde", "Nils Aas", "Priya Shah", "Jonas Vik"]


def generate(path: Path, megabytes: float, seed: int = 7) -> dict:
    sys.path.insert(0, str(HERE))
    from bench import QUESTIONS, make_comment

    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    counts = {"elements": 0, "pingbacks": 0}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEAD.format(questions="".join(f"<li>{q}</li>" for q in QUESTIONS)))
        size = 0
        while size < target:
            i = counts["elements"] + 1
            body = make_comment(rng, i)
            if rng.random() < 0.4:
                body = "".join(f"<p>{part}</p>" for part in body.split("\n")).replace(" og ", " &amp; ", 1)
            r = rng.random()
            kind = "pingback" if r < 0.01 else "comment"
            approved = "spam" if r < 0.05 else "trash" if r < 0.07 else "0" if r < 0.08 else "1"
            parent = rng.randint(1, i - 1) if i > 1 and rng.random() < 0.3 else 0
            chunk = COMMENT.format(id=i, author=rng.choice(NAMES), content=body, approved=approved, kind=kind,
                                   parent=parent)
            fh.write(chunk)
            size += len(chunk.encode("utf-8"))
            counts["elements"] += 1
            counts["pingbacks"] += kind == "pingback"
        fh.write("</item></channel></rss>\n")
    return counts


def read_in_child(path: Path) -> dict:
    # VmHWM is this process image's own peak; ru_maxrss would carry the parent's peak across exec
    code = ("import json, sys, time\n"
            "def hwm():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'):\n"
            "            return int(line.split()[1]) / 1024\n"
            "    import resource\n"
            "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "from innspill.ingest import read_threads, ReadOptions\n"
            "t0 = time.perf_counter()\n"
            "(t,) = read_threads(sys.argv[1], ReadOptions(max_bytes=10**10))\n"
            "secs = time.perf_counter() - t0\n"
            "print(json.dumps({'seconds': secs, 'comments': len(t.comments), 'pingbacks': t.source['pingbacks'],\n"
            "  'elements': t.source['comment_elements'], 'replies': sum(1 for c in t.comments if c.parent_id),\n"
            "  'max_rss_mb': hwm()}))\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run(megabytes: float = 100.0) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xml"
        t0 = time.perf_counter()
        made = generate(path, megabytes)
        gen_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1024 / 1024
        got = read_in_child(path)
    ok = got["elements"] == made["elements"] and got["comments"] + got["pingbacks"] == made["elements"]
    print(f"generated WXR: {size_mb:.1f} MB, {made['elements']} comment elements "
          f"({made['pingbacks']} pingbacks) in {gen_s:.1f} s")
    print(f"import: {got['comments']} comments ({got['replies']} replies) in {got['seconds']:.1f} s = "
          f"{got['comments'] / got['seconds']:.0f} comments/s, {size_mb / got['seconds']:.1f} MB/s")
    print(f"import peak memory (max RSS of the reading process): {got['max_rss_mb']:.0f} MB (target < 500 MB)")
    print(f"counts reconcile with the file: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run(float(sys.argv[1]) if len(sys.argv) > 1 else 100.0))
