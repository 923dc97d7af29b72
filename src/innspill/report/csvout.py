"""CSV of answers for spreadsheets: comment, question, stance, confidence, evidence, theme."""

from __future__ import annotations

import csv
import io


def to_csv(brief: dict, T) -> str:
    numbers = {q["id"]: q["number"] for q in brief["questions"]}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["comment", "question", "stance", "confidence", "evidence", "evidence_masked", "theme_id", "theme"])
    for r in brief["answers"]:
        evidence = r["evidence"] if r["evidence"] is not None else (T._("[withheld: sensitive]")
                                                                     if r["evidence_withheld"] else "")
        theme = T._("other") if r["theme_other"] else (r["theme"] or "")
        w.writerow([r["comment_id"], numbers.get(r["question_id"], r["question_id"]), r["stance"],
                    f"{r['confidence']:.3f}", evidence, "yes" if r["evidence_masked"] else "", r["theme_id"] or "",
                    theme])
    return buf.getvalue()
