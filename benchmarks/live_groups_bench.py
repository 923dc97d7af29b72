"""Speed of the live-vote results (``innspill.votes.results.build_results``), recomputed about once a second.

Generates votes for a few audience sizes (three planted opinion groups, 20 % of votes missing, 10 %
noise), then prints the one-time import of scikit-learn and the median / worst of repeated
``build_results`` calls. Run: ``.venv/bin/python benchmarks/live_groups_bench.py`` (``--sizes 1000x30,5000x50``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time


def generate(n_participants: int, n_statements: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    statements = [{"id": s, "kind": "statement", "text": f"Statement {s}", "question_id": None,
                   "source": "audience", "hidden": False, "revealed": True, "locked": False, "position": s}
                  for s in range(1, n_statements + 1)]
    participants = [{"id": f"p{i}", "joined": "2026-11-25T18:01:00Z"} for i in range(1, n_participants + 1)]
    votes = []
    for i in range(1, n_participants + 1):
        group = i % 3
        for s in range(1, n_statements + 1):
            if rng.random() < 0.2:
                continue
            vote = 1 if s % 3 == 0 else (1 if group == s % 3 else -1)
            if rng.random() < 0.1:
                vote = rng.choice((1, -1, 0))
            votes.append({"participant": f"p{i}", "statement": s, "vote": vote,
                          "at": f"2026-11-25T18:{s % 60:02d}:{i % 60:02d}Z"})
    return {"schema": "innspill.live/1", "session": {"code": "BENCH"}, "statements": statements,
            "participants": participants, "votes": votes}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100x10,1000x30,5000x50", help="participants x statements, comma-separated")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    import sklearn.cluster  # noqa: F401  (what the first build_results call would import)

    from innspill.votes.results import build_results
    print(f"import (innspill.votes + scikit-learn, once per process): {time.perf_counter() - start:.2f} s")

    for size in args.sizes.split(","):
        n_p, n_s = (int(x) for x in size.lower().split("x"))
        data = generate(n_p, n_s)
        build_results(data)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = build_results(data)
            times.append(time.perf_counter() - start)
        groups = result["groups"]
        print(f"{n_p:>6} participants x {n_s:>3} statements ({len(data['votes']):>7} votes): "
              f"median {statistics.median(times) * 1000:6.1f} ms, worst {max(times) * 1000:6.1f} ms; "
              f"k={groups['k'] if groups else '-'}, silhouette={groups['silhouette'] if groups else '-'}")


if __name__ == "__main__":
    main()
