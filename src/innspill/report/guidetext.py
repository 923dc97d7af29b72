"""The brief's plain-language sentences that every writer shares: the reading guide, counts with
their shares, the small-number warning, campaigns and the live vote. Translated through the
``brief`` catalog (see ``i18n.py``); no sentence here puts anything in quotation marks.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from .i18n import Text

K_MIN, K_MAX = 2, 5  # the live vote's range of opinion groups (innspill.votes.results, an optional package)


def _fmt_name(T: Text, fmt: str | None) -> str:
    return {
        "text": T._("a comment thread copied from a web page"), "html": T._("a saved web page"),
        "wxr": T._("a WordPress export"), "disqus": T._("a Disqus export"), "jsonl": T._("a JSON Lines file"),
        "csv": T._("a CSV table"), "xlsx": T._("an Excel workbook"), "web": T._("the answer form in innspill"),
    }.get(fmt or "", fmt or T._("an unknown source"))


def _status(T: Text, s: str) -> str:
    return {"spam": T._("spam"), "trash": T._("deleted"), "held": T._("awaiting moderation"),
            "empty": T._("empty"), "rejected": T._("rejected")}.get(s, s)


def day(T: Text, iso: str) -> str:
    return format_date(date.fromisoformat(iso), "long", locale=T.locale)


def period(T: Text, p: dict | None) -> str:
    """The period of the answers in words: one day, or first – last."""
    if p is None:
        return T._("no dates")
    if p["first"] == p["last"]:
        return day(T, p["first"])
    return T._("%(first)s – %(last)s", first=day(T, p["first"]), last=day(T, p["last"]))


def heading(brief: dict, T: Text) -> str:
    """The line under the brief's title: the consultation, the period of its answers and the counts
    (a brief of a web consultation), else the source file."""
    about = brief.get("consultation")
    counts = dict(read=brief["stats"]["comments_read"], distinct=brief["stats"]["distinct"], lang=brief["language"])
    if about is None:
        return T._("Source: %(path)s · %(read)s comments read, %(distinct)s distinct · language %(lang)s",
                   path=brief["source"]["path"], **counts)
    return T._("Answers given %(period)s · %(read)s comments read, %(distinct)s distinct · language %(lang)s",
               period=period(T, brief["guide"]["period"]), **counts)


def title(brief: dict, T: Text) -> str:
    """The document's title: the consultation's, else the source file's, after the brief's name."""
    about = brief.get("consultation")
    return T._("Debate brief") + " – " + (about["title"] if about else str(brief["source"]["path"]))


def answered_line(T: Text, q: dict) -> str:
    """How a question was answered in one line: its stance counts, or on an open question how many
    proposed something and how many rejected its premise (never a yes or no)."""
    if q["kind"] == "open":
        p = q["proposals"]
        if not p["with_conditions"]:
            return T._("%(a)s of %(d)s answered: %(p)s proposed something, %(r)s rejected the premise, %(n)s made "
                       "no proposal.", a=q["answered"], d=q["distinct"], p=p["proposed"], r=p["rejected"],
                       n=p["no_proposal"])
        return T._("%(a)s of %(d)s answered: %(p)s proposed something (%(c)s of them with conditions), "
                   "%(r)s rejected the premise, %(n)s made no proposal.", a=q["answered"], d=q["distinct"],
                   p=p["proposed"], c=p["with_conditions"], r=p["rejected"], n=p["no_proposal"])
    return T._("%(a)s of %(d)s answered: %(for)s for, %(against)s against, %(mixed)s mixed, %(none)s no side.",
               a=q["answered"], d=q["distinct"], **q["counts"])


def chart_texts(T: Text, q: dict) -> tuple[str, str]:
    """A question chart's title and its alternative text."""
    if q["kind"] == "open":
        c = q["counts"]
        return (T._("Question %(n)s: what was proposed (%(a)s answered)", n=q["number"], a=q["answered"]),
                T._("Bar chart of question %(n)s: %(for)s proposed something, %(mixed)s proposed with conditions, "
                    "%(against)s rejected the premise, %(none)s made no proposal.", n=q["number"], **c))
    return (T._("Question %(n)s: stances (%(a)s answered)", n=q["number"], a=q["answered"]),
            T._("Bar chart of stances on question %(n)s: %(for)s for, %(against)s against, %(mixed)s mixed, "
                "%(none)s no side.", n=q["number"], **q["counts"]))


def count_share(T: Text, n: int, share: float) -> str:
    """A count with its share beside it: 5 (63 %)."""
    return T._("%(n)s (%(pct)s)", n=n, pct=T.pct(share))


def few(T: Text, min_answers: int) -> str:
    return T._("few answers (under %(min)s): read as single voices, not as a trend", min=min_answers)


def guide(brief: dict, T: Text) -> list[str]:
    """The reading guide: who answered and how, the period, not a sample, how to read the numbers."""
    g = brief["guide"]
    about = brief.get("consultation")
    out = [T.n_("Who answered: %(n)s comment was read from %(what)s (%(path)s).",
                "Who answered: %(n)s comments were read from %(what)s (%(path)s).", g["comments_read"],
                what=_fmt_name(T, g["source_format"]), path=about["title"] if about else g["source_path"])]
    if g["excluded"]:
        why = ", ".join(f"{n} {_status(T, s)}" for s, n in g["excluded"].items())
        out[-1] += " " + T._("%(part)s of them take part in the numbers; the rest were left out (%(why)s).",
                             part=g["taking_part"], why=why)
    if g["people"] is None:
        out.append(T._("The source gives no names, so how many different people wrote is not known."))
    elif g["unnamed"] == 0:
        out.append(T._("They carry %(people)s different names (a name is not proof of who wrote).",
                       people=g["people"]))
    else:
        out.append(T._("%(named)s of them carry a name (%(people)s different names); %(unnamed)s have none.",
                       named=g["named"], people=g["people"], unnamed=g["unnamed"]))
    if g["period"] is None:
        out[-1] += " " + T._("The source gives no dates.")
    elif g["period"]["first"] == g["period"]["last"]:
        out[-1] += " " + T._("All are dated %(day)s.", day=day(T, g["period"]["first"]))
    else:
        out[-1] += " " + T._("The first is dated %(first)s, the last %(last)s.",
                             first=day(T, g["period"]["first"]), last=day(T, g["period"]["last"]))
    out.append(T._("Not a representative sample: these are the people who chose to answer, here. The numbers "
                   "tell what these answers said, not what everyone affected thinks."))
    out.append(T._("How to read the numbers: every distinct text counts once per question it answers. A share is "
                   "always shown after its count: 5 (63 %%) means 5 answers, almost two thirds of those who answered "
                   "the question. A number that rests on fewer than %(min)s answers is marked few answers: read it "
                   "as single voices, not as a trend.", min=g["min_answers"]))
    return out


def copies(brief: dict, T: Text) -> str:
    """Copies (one person's text posted again) and the verdict that they are not a campaign."""
    g = brief["guide"]
    c = g["copies"]
    if not c["groups"]:
        return T._("Copies: no comment repeats another one's text.")
    return T.n_("Copies: %(n)s of %(total)s comments repeats an earlier comment's text, posted again by the same "
                "person or as a double post (%(double)s of them right after the first). Each text counts once. "
                "These are copies, not a campaign.",
                "Copies: %(n)s of %(total)s comments repeat an earlier comment's text, posted again by the same "
                "person or as a double post (%(double)s of them right after the first). Each text counts once. "
                "These are copies, not a campaign.", c["extra"], total=g["taking_part"],
                double=c["double_posts"])


def campaigns(brief: dict, T: Text) -> list[str]:
    """One sentence per campaign, then how campaigns are counted (the organiser's choice)."""
    g = brief["guide"]
    groups = [d for d in brief["duplicates"] if d["kind"] == "campaign"]
    if not groups:
        return [T._("Campaigns: no text was sent by several different people, so there is no campaign or form "
                    "letter to count.")]
    out = [T._("Campaign %(id)s: %(size)s of %(n)s comments were copies of one text, sent by %(authors)s "
               "different authors (a campaign or form letter). First copy: comment %(cid)s.", id=d["id"],
               size=d["size"], n=g["taking_part"], authors=d["authors"], cid=d["comment_id"]) for d in groups]
    extra = g["campaigns"]["extra_if_all"]
    if g["count_campaigns"] == "once":
        out.append(T._("Counted once: each campaign counts as one answer in the numbers below. Counting it once "
                       "per author instead (--count-campaigns all) would add %(extra)s answers.", extra=extra))
    else:
        out.append(T._("Counted once per author: each campaign counts once for every different author in the "
                       "numbers below (--count-campaigns all). Counted once, the default, there would be "
                       "%(extra)s answers fewer.", extra=extra))
    out.append(T._("Copies by one person count once either way."))
    return out


def question_campaigns(brief: dict, q: dict, T: Text) -> str | None:
    if not q["campaigns"]:
        return None
    ids = ", ".join(q["campaigns"])
    if brief["guide"]["count_campaigns"] == "once":
        return T._("These numbers include campaign %(ids)s, counted as one answer each.", ids=ids)
    n = sum(d["authors"] for d in brief["duplicates"] if d.get("id") in q["campaigns"])
    return T._("These numbers include campaign %(ids)s, counted once per author (%(n)s answers).", ids=ids, n=n)


def vote_words(T: Text, kind: str) -> dict:
    if kind == "question":
        return {"agree": T._("yes"), "disagree": T._("no"), "pass": T._("unsure")}
    return {"agree": T._("agree"), "disagree": T._("disagree"), "pass": T._("pass")}


def live_counts(T: Text, s: dict) -> str:
    words = vote_words(T, s["kind"])
    parts = [f"{words[k]} {count_share(T, s['counts'][k], s['shares'][k])}" for k in ("agree", "disagree", "pass")]
    return " · ".join(parts) + " – " + T.n_("%(n)s vote", "%(n)s votes", s["total"])


def live_source(T: Text, s: dict) -> str:
    if s["source"] == "brief" and s.get("comment_id"):
        return T._("from the brief, comment %(cid)s", cid=s["comment_id"])
    return {"question": T._("the consultation's question"), "brief": T._("from the brief"),
            "presenter": T._("by the presenter"), "audience": T._("from the audience")}.get(s["source"] or "",
                                                                                           T._("statement"))


def live_tags(T: Text, s: dict, min_answers: int) -> list[str]:
    tags = []
    if s["consensus"]:
        tags.append(T._("consensus: every opinion group agrees") if s["consensus"] == "agree"
                    else T._("consensus: every opinion group disagrees"))
    if s["divisive"] is not None:
        groups = "; ".join(T._("group %(g)s: %(a)s of %(n)s agree", g=g["group"] + 1 if isinstance(g["group"], int)
                                else g["group"], a=g["agree"], n=g["n"]) for g in s["by_group"])
        tags.append(T._("divisive: the opinion groups disagree with each other (%(groups)s)", groups=groups)
                    if groups else T._("divisive: the opinion groups disagree with each other"))
    if s["few"]:
        tags.append(few(T, min_answers))
    return tags


def live_summary(brief: dict, T: Text) -> list[str]:
    lv = brief["live"]
    out = [T._("Live vote %(title)s (code %(code)s): %(voting)s of %(n)s participants voted.",
               title=lv["session"]["title"] or "", code=lv["session"]["code"] or "-",
               voting=lv["participants_voting"], n=lv["participants"])]
    sl = lv["straight_liners"]
    if sl:
        out.append(T.n_("Straight-liners: %(n)s participant agreed with every statement or disagreed with every "
                        "statement they voted on. Their votes are in the counts; the opinion groups and consensus "
                        "below were computed %(choice)s them, as the organiser chose.",
                        "Straight-liners: %(n)s participants agreed with every statement or disagreed with every "
                        "statement they voted on. Their votes are in the counts; the opinion groups and consensus "
                        "below were computed %(choice)s them, as the organiser chose.", sl,
                        choice=T._("with") if lv["straight_liners_included"] else T._("without")))
    else:
        out.append(T._("Straight-liners: no participant agreed or disagreed with every statement."))
    gr = lv["groups"]
    if gr:
        out.append(T._("Opinion groups: %(k)s groups of %(sizes)s participants, formed from how people voted: "
                       "participants who voted alike on the same statements are put in the same group, between "
                       "%(low)s and %(high)s groups, as many as separate the votes most clearly.", k=gr["k"],
                       sizes=", ".join(str(x) for x in gr["sizes"]), low=K_MIN, high=K_MAX))
    else:
        out.append(T._("Opinion groups: too few participants or statements to form groups."))
    out.append(T._("A live vote is the people in the room, not a sample either; statements are shown as they "
                   "were put to the room, not as quotes."))
    return out


def tally_line(T: Text, q: dict) -> str:
    """A scale's or multiple-choice question's buttons in one line: "Hva folk valgte: Buss: 2 (67 %);
    …" ("" for any other question)."""
    t = q.get("tally")
    if not t:
        return ""
    head = T._("What people chose on the scale from 1 to 5") if t["kind"] == "scale" else T._("What people chose")
    if t.get("ends"):
        head += f" (1 = {t['ends'][0]}, 5 = {t['ends'][1]})"
    line = head + ": " + "; ".join(f"{o}: {count_share(T, n, x)}" for o, n, x in zip(t["options"], t["counts"],
                                                                                      t["shares"]))
    line += ". " + T._("%(n)s chose an answer.", n=t["answered"])
    if t.get("mean") is not None:
        line += " " + T._("Average %(m)s.", m=T.num(t["mean"]))
    return line
