"""PPTX slides (python-pptx): a title slide, one slide per question (chart and two quotes), debate statements.

Slides are always anonymised in what they quote: the quotes come from the brief model,
which masks personal data and never quotes a sensitive sentence unless the brief was
made with ``--include-sensitive`` (and the title slide then says so).
"""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from ..contract import STANCES
from . import guidetext as G
from .charts import stance_png

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)


def _text(slide, left, top, width, height, text, size=18, bold=False):
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = text
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
    return box


def _short(text: str, limit: int = 220) -> str:
    """A quote for a slide: whole if short, else cut at a word with the cut marked outside the quote marks."""
    if len(text) <= limit:
        return f"“{text}”"
    return f"“{text[:limit].rsplit(' ', 1)[0]}” …"


def _quotes(q: dict, n: int = 2) -> list[dict]:
    """Two quotes from the question's largest themes, from different comments, preferring different stances."""
    themes = sorted(q["themes"], key=lambda t: -t["size"])
    out, seen = [], set()
    for pass_ in (0, 1):
        for t in themes:
            for x in t["quotes"]:
                if x["comment_id"] in seen or (pass_ == 0 and any(o["stance"] == t["stance"] for o in out)):
                    continue
                out.append({**x, "stance": t["stance"]})
                seen.add(x["comment_id"])
                break
            if len(out) == n:
                return out
    return out


def to_pptx(brief: dict, T) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    _title_slide(prs.slides.add_slide(prs.slide_layouts[0]), brief, T)
    _guide_slide(prs.slides.add_slide(blank), brief, T)
    live = {st["id"]: st for st in (brief.get("live") or {}).get("statements", [])}
    for q in brief["questions"]:
        _question_slide(prs.slides.add_slide(blank), brief, q, live, T)
    _statements_slide(prs.slides.add_slide(blank), brief, T)
    if brief.get("live"):
        _live_slide(prs.slides.add_slide(blank), brief, live, T)
    buf = io.BytesIO()
    prs.core_properties.title = G.title(brief, T)
    prs.save(buf)
    return buf.getvalue()


def _title_slide(s, brief: dict, T) -> None:
    about = brief.get("consultation")
    s.shapes.title.text = about["title"] if about else T._("Debate brief")
    mode = (T._("Anonymised: names and contact details masked; sensitive stories not shown.")
            if brief["mode"] == "anonymised" else
            T._("Includes sensitive content (--include-sensitive). Do not project or share."))
    for ph, top, height in ((s.shapes.title, Inches(2.0), Inches(1.5)), (s.placeholders[1], Inches(3.7), Inches(2.5))):
        ph.left, ph.top, ph.width, ph.height = Inches(0.8), top, WIDTH - Inches(1.6), height  # the 4:3 layout, widened
    counts = T._("%(read)s comments read, %(distinct)s distinct", read=brief["stats"]["comments_read"],
                 distinct=brief["stats"]["distinct"])
    if about:  # the consultation: the brief's name, the organiser's intro line, when the answers came
        lines = [T._("Debate brief") + (" · " + about["intro"] if about["intro"] else ""),
                 T._("Answers given %(period)s", period=G.period(T, brief["guide"]["period"])) + " · " + counts]
    else:
        lines = [f"{brief['source']['path']} · " + counts]
    s.placeholders[1].text = "\n".join([*lines, mode])


def _guide_slide(s, brief: dict, T) -> None:
    _text(s, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.8), T._("How to read this brief"), size=26, bold=True)
    groups = [d for d in brief["duplicates"] if d["kind"] == "campaign"]
    guide = G.guide(brief, T) + [G.copies(brief, T)] + G.campaigns(brief, T)
    guide += [f"{_short(d['quote']['text'], 160)} – {d['id']}, {d['comment_id']}"
              + (f", {T._('masked')}" if d["quote"]["masked"] else "") for d in groups if d["quote"]]
    _text(s, MARGIN, Inches(1.1), WIDTH - 2 * MARGIN, HEIGHT - Inches(1.3), "\n".join(guide),
          size=13 if len(guide) <= 8 else 11)


def _question_slide(s, brief: dict, q: dict, live: dict, T) -> None:
    """The question, its stance chart, what to note about its numbers, and two quotes."""
    mn = brief["guide"]["min_answers"]
    _text(s, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(1.2),
          T._("Question %(n)s", n=q["number"]) + ": " + q["text"], size=22, bold=True)
    labels = {st: T.stance(st, q["kind"]) for st in STANCES}
    title, alt = G.chart_texts(T, q)
    png = stance_png(q["counts"], labels, title, T.pct)
    pic = s.shapes.add_picture(io.BytesIO(png), MARGIN, Inches(1.6), width=Inches(6.4))
    pic._element.nvPicPr.cNvPr.set("descr", alt)
    notes = [T.verdict(q["verdict"])]
    if q["kind"] == "open":
        notes.insert(0, G.answered_line(T, q))
    if q.get("tally"):
        notes.insert(0, G.tally_line(T, q))
    if q["few"]:
        notes.append("⚠ " + T._("These shares rest on %(n)s answers.", n=q["answered"]) + " " + G.few(T, mn))
    if G.question_campaigns(brief, q, T):
        notes.append(G.question_campaigns(brief, q, T))
    for sid in q["live"][:3]:
        st = live[sid]
        notes.append(T._("Live vote") + ": " + st["text"] + " – " + G.live_counts(T, st)
                     + ("; ⚠ " + G.few(T, mn) if st["few"] else ""))
    _text(s, MARGIN, Inches(4.0), Inches(6.4), Inches(3.2), "\n".join(notes), size=16 if len(notes) == 1 else 13)
    quotes = _quotes(q)
    top = Inches(1.6)
    for x in quotes:
        tag = f"– {x['comment_id']}, {T.stance(x['stance'], q['kind'])}" + (f", {T._('masked')}" if x["masked"] else "")
        _text(s, Inches(7.2), top, Inches(5.6), Inches(2.2), _short(x["text"]) + "\n" + tag, size=15)
        top = Emu(top + Inches(2.4))
    if not quotes:
        _text(s, Inches(7.2), top, Inches(5.6), Inches(1.0), T._("No quote to show."), size=15)


def _statements_slide(s, brief: dict, T) -> None:
    _text(s, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.9), T._("Debate statements"), size=26, bold=True)
    lines = [f"{k}. {_short(st['text'], 160)} – {st['comment_id']}" for k, st in enumerate(brief["statements"], 1)]
    _text(s, MARGIN, Inches(1.3), WIDTH - 2 * MARGIN, HEIGHT - Inches(1.6),
          "\n".join(lines) or T._("No answer has a sentence short enough for a statement."), size=16)
    for shape in s.shapes:
        shape.text_frame.word_wrap = True


def _live_slide(s, brief: dict, live: dict, T) -> None:
    _text(s, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.9), T._("Live vote"), size=26, bold=True)
    lv = brief["live"]
    lines = G.live_summary(brief, T)
    for head, ids in ((T._("Consensus: statements every opinion group shares"), lv["consensus"]),
                      (T._("Divisive: statements that split the opinion groups"), lv["divisive"])):
        lines.append(head + ": " + ("; ".join(f"{live[i]['text']} ({G.live_counts(T, live[i])})" for i in ids)
                                    or T._("None.")))
    _text(s, MARGIN, Inches(1.2), WIDTH - 2 * MARGIN, HEIGHT - Inches(1.4), "\n".join(lines), size=13)
