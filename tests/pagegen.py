"""A seeded generator of comment pages copied as plain text (issue 18 part 3), with the comments
each page holds: author, date as shown, text, and the comment it replies to.

Layouts: WordPress themes in nb, nn and en (``NAME sier:`` / ``says:`` / ``skriver:``, one-line
``NAME on DATE said:``, name over date, avatars' alt text, ``Svar`` / ``Reply`` links, replies
indented, ``N kommentarer`` headers), a numbered list like the seed (with and without authors, its
lines indented or flush), Disqus (``NAME • 2 years ago``, ``• Reply • Share ›``), Facebook
(``Liker · Svar · 2 t``, ``Vis 2 svar``, badges, reaction counts) and forums (``Innlegg av NAME »
DATE``, quotes of others: ``NAME skrev: ↑``). Used by tests/test_page_layouts.py and
evaluation/tools/page_battery.py; invented names only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

NAMES = ["Kari Nordmann", "Ola", "Anne-Lise Øvre", "Per O. Hansen", "jensen_k", "Siri (lærar)", "Dr. Amina Yusuf",
         "Tom O'Neill", "Mari-Ann Berg", "kari78", "Bjørn Åsmund Ødegård", "Sam Okafor", "Lise Dahl", "Jo Whitlock",
         "Marit", "Erik T.", "Nora Lie", "Hassan Ali", "ingrid.s", "Astrid Holm"]

MONTHS = {"nb": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
                 "november", "desember"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"]}
MONTHS["nn"] = MONTHS["nb"]

TEXTS = {
    "nb": ["Nei.", "Ja, absolutt!", "Helt enig.", "Jeg synes dette er en god idé. Vi har ventet lenge på det.",
           "1. Ja\n2. Nei, ikke nå.\n3. Vet ikke.", "7. mai passer dårlig for meg, jeg er bortreist.",
           "Dette er det dummeste jeg har lest i år.\n\nMen takk for at du tok det opp.",
           "Enig med Ola over her. Det koster for mye.", "Til spørsmål 2: klart nei.",
           "Vi trenger flere lærere, ikke flere nettbrett. Barna lærer best av mennesker.",
           "Hvorfor spør dere ikke foreldrene først?", "Svar på 1: ja. Svar på 2: nei.",
           "Jeg bor i sentrum og merker støyen hver dag.\nDet må gjøres noe.\n\nHilsen en nabo"],
    "nn": ["Nei.", "Ja, heilt klart.", "Eg er einig.", "Eg trur ikkje dette vil hjelpe. Det har vore prøvd før.",
           "1: Ja. 2: Nei.", "7. mai er ein dårleg dag for møte.", "Kvifor skal vi betale meir?\n\nSvar meg på det.",
           "Vi treng fleire lærarar, ikkje fleire skjermar.", "Til det første: nei.",
           "Eg bur ved vegen og høyrer bussane kvar morgon.\nDet er nok no.", "Heilt einig med deg, Marit."],
    "en": ["No.", "Yes, definitely!", "Agreed.", "I think this is a good idea. We have waited long enough.",
           "1. Yes\n2. No, not now.\n3. Not sure.", "May 7 is a bad day for me, I'm away.",
           "This is the silliest thing I have read this year.\n\nBut thanks for raising it.",
           "Q2: definitely not.", "We need more teachers, not more tablets. Children learn best from people.",
           "Why not ask the parents first?", "3 - No.",
           "I live in the centre and hear the noise every day.\nSomething must be done.\n\nA neighbour"],
}

COUNTERS = {"nb": ["{n} kommentarer til «{title}»", "{n} kommentarer", "{n} tanker om «{title}»", "Kommentarer ({n})"],
            "nn": ["{n} kommentarar til «{title}»", "{n} kommentarar", "Kommentarar ({n})"],
            "en": ["{n} thoughts on “{title}”", "{n} Comments", "{n} Responses to “{title}”", "{n} comments"]}
VERBS = {"nb": ["sier:", "skriver:"], "nn": ["seier:", "skriv:"], "en": ["says:"]}
REPLY = {"nb": ["Svar", "Svar ↓"], "nn": ["Svar"], "en": ["Reply", "Reply ↓"]}
LEAVE = {"nb": ["Legg igjen en kommentar", "Kommentarfeltet er stengt."], "nn": ["Skriv ein kommentar"],
         "en": ["Leave a Reply", "Comments are closed."]}
TITLES = {"nb": "Bør skolen forby mobil?", "nn": "Skal kommunen selje lærarbustaden?", "en": "Should we close the road?"}
POSTS = {"nb": "Kommunen vurderer å forby mobil i skoletiden. Hva mener du?\n\nPublisert av Redaksjonen",
         "nn": "Lærarbustaden har stått tom i fire år. Kva meiner du?",
         "en": "The council wants to close Mill Road to cars on Sundays. What do you think?"}


@dataclass
class Expected:
    author: str | None
    date: str | None
    text: str
    parent: int | None = None  # index of the comment replied to


@dataclass
class Page:
    name: str
    text: str
    comments: list[Expected] = field(default_factory=list)


def wp_date(rng: random.Random, lang: str) -> str:
    d, m, h, mi = rng.randint(1, 28), rng.randint(0, 11), rng.randint(0, 23), rng.randint(0, 59)
    y = rng.choice([2019, 2024, 2026])
    month = MONTHS[lang][m]
    if lang == "en":
        return rng.choice([f"{month} {d}, {y} at {(h % 12) or 12}:{mi:02d} {'am' if h < 12 else 'pm'}",
                           f"{d} {month} {y} at {h:02d}:{mi:02d}", f"{month} {d}, {y}", f"{y}-{m + 1:02d}-{d:02d} at {h:02d}:{mi:02d}"])
    return rng.choice([f"{d}. {month} {y} kl. {h:02d}:{mi:02d}", f"{d}. {month} {y} klokka {h:02d}.{mi:02d}",
                       f"{d:02d}.{m + 1:02d}.{y} kl. {h:02d}:{mi:02d}", f"{d}. {month} {y}",
                       f"{d}. {month[:3]}. {y} kl. {h:02d}:{mi:02d}"])


def relative_date(rng: random.Random, lang: str) -> str:
    n = rng.randint(2, 11)
    if lang == "en":
        return rng.choice([f"{n} years ago", f"{n} days ago", "an hour ago", f"{n} months ago", f"{n} minutes ago"])
    if lang == "nn":
        return rng.choice([f"for {n} år sidan", f"{n} dagar sidan", "for ein time sidan"])
    return rng.choice([f"for {n} år siden", f"{n} dager siden", "for en time siden", f"for {n} måneder siden"])


def fb_time(rng: random.Random, lang: str) -> str:
    n = rng.randint(1, 23)
    return rng.choice([f"{n}h", f"{n}d", f"{n}w", f"{n}m"]) if lang == "en" else rng.choice(
        [f"{n} t", f"{n} d", f"{n} u", f"{n} min"])


def _body(rng, lang, indent=""):
    text = rng.choice(TEXTS[lang])
    return text, [indent + ln if ln else "" for ln in text.split("\n")]


def _pick_people(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(NAMES) for _ in range(n)]


def wordpress(rng: random.Random, lang: str) -> Page:
    style = rng.choice(["verb-date", "verb-date", "name-date", "one-line"])
    avatar = rng.choice([None, "Avatar photo", "{name}", "{name}s avatar" if lang != "en" else "{name}'s avatar",
                         "Avatar for {name}", "Profilbilete av {name}" if lang == "nn" else "Avatar of {name}"])
    n = rng.randint(1, 7)
    people = _pick_people(rng, n)
    title = TITLES[lang]
    lines = [title, "", POSTS[lang], ""]
    counter = rng.choice(COUNTERS[lang]).format(n=n, title=title)
    lines += [counter, ""]
    page = Page(f"wordpress-{style}-{lang}", "")
    depths: list[int] = []
    for name in people:
        depth = rng.choice([0, depths[-1] + 1]) if depths and depths[-1] < 2 else 0
        parent = max(j for j, d in enumerate(depths) if d == depth - 1) if depth else None
        page.comments.append(Expected(name, None, "", parent))
        depths.append(depth)
        ind = "    " * depth
        date = wp_date(rng, lang)
        if avatar:
            lines.append(ind + avatar.format(name=name))
        if style == "verb-date":
            lines += [ind + f"{name} {rng.choice(VERBS[lang])}", ind + date]
        elif style == "name-date":
            lines += [ind + name, ind + date]
        else:
            lines.append(ind + (f"{name} on {date} said:" if lang == "en" else f"{name} den {date} sa:"))
        lines.append("")
        text, body = _body(rng, lang, ind)
        lines += body + ["", ind + rng.choice(REPLY[lang]), ""]
        page.comments[-1].date, page.comments[-1].text = date, text
    lines += [rng.choice(LEAVE[lang]), "", "Din e-postadresse vil ikke bli publisert." if lang != "en"
              else "Your email address will not be published."]
    page.text = "\n".join(lines) + "\n"
    return page


def numbered(rng: random.Random, lang: str) -> Page:
    """A numbered list like the seed: ``  1. …`` with indented bodies, or flush lines; with authors
    and dates (``  1. Kari sier:`` / ``     7. mai 2026 kl. 11:01``) or without."""
    authors = rng.random() < 0.7
    flush = authors and rng.random() < 0.4
    n = rng.randint(1, 8)
    title = TITLES[lang]
    lines = [title, "", POSTS[lang], "", rng.choice(COUNTERS[lang]).format(n=n, title=title), ""]
    page = Page(f"numbered-{'authors' if authors else 'plain'}{'-flush' if flush else ''}-{lang}", "")
    for k in range(1, n + 1):
        mark = f"{k}. " if flush else f"  {k}. "
        ind = "" if flush else " " * len(mark)
        text = rng.choice([t for t in TEXTS[lang] if authors or not t.startswith("7.")])
        body = [ind + ln if ln else "" for ln in text.split("\n")]
        if authors:
            name, date = rng.choice(NAMES), wp_date(rng, lang)
            lines += [mark + f"{name} {rng.choice(VERBS[lang])}", ind + date, ""] + body + ["", ind + rng.choice(REPLY[lang]), ""]
            page.comments.append(Expected(name, date, text))
        else:
            lines += [mark + body[0].lstrip()] + body[1:] + [""]
            page.comments.append(Expected(None, None, text))
    lines += [rng.choice(LEAVE[lang])]
    page.text = "\n".join(lines) + "\n"
    return page


def disqus(rng: random.Random, lang: str) -> Page:
    one_line = rng.random() < 0.5
    n = rng.randint(1, 7)
    title = TITLES[lang]
    head = {"en": ["{n} Comments", "Sort by Best", "Join the discussion…"],
            "nb": ["{n} kommentarer", "Sorter etter beste", "Bli med i diskusjonen …"],
            "nn": ["{n} kommentarar", "Sorter etter beste"]}[lang]
    lines = [title, "", POSTS[lang], ""] + [h.format(n=n) for h in head] + [""]
    page = Page(f"disqus-{'one-line' if one_line else 'two-line'}-{lang}", "")
    for name in _pick_people(rng, n):
        date = relative_date(rng, lang)
        if rng.random() < 0.3:
            lines.append("Avatar")
        lines += [f"{name} • {date}"] if one_line else [name, f"• {date}"]
        text, body = _body(rng, lang)
        lines += body + [""]
        lines += rng.choice([["△ ▽", "• Reply • Share ›"] if lang == "en" else ["△ ▽", "• Svar • Del ›"],
                             [f"{rng.randint(1, 9)} △ ▽", "• Reply •Share ›" if lang == "en" else "• Svar •Del ›"],
                             ["Reply" if lang == "en" else "Svar"]]) + [""]
        page.comments.append(Expected(name, date, text))
    lines += ["Also on Townblog" if lang == "en" else "Også på Bygdebloggen", "Powered by Disqus"]
    page.text = "\n".join(lines) + "\n"
    return page


def facebook(rng: random.Random, lang: str) -> Page:
    n = rng.randint(1, 7)
    title = TITLES[lang]
    lines = [title, "", POSTS[lang], ""]
    lines += [f"{n} comments" if lang == "en" else f"{n} kommentarer",
              "Sort by Oldest" if lang == "en" else "Sorter etter Eldste", "",
              "Add a comment..." if lang == "en" else "Legg til en kommentar …", ""]
    page = Page(f"facebook-{lang}", "")
    for name in _pick_people(rng, n):
        t = fb_time(rng, lang)
        if rng.random() < 0.2:
            lines.append(rng.choice(["Top fan", "Author"] if lang == "en" else ["Toppfan", "Forfatter"]))
        text, body = _body(rng, lang)
        lines += [name] + body
        like, reply = ("Like", "Reply") if lang == "en" else ("Liker", "Svar")
        lines.append(rng.choice([f"{like} · {reply} · {t}", f"{reply} · {t}", f"{like} · {reply} · {t} · "
                                 + ("Edited" if lang == "en" else "Redigert")]))
        if rng.random() < 0.3:
            lines.append(str(rng.randint(1, 40)))
        if rng.random() < 0.3:
            lines.append(rng.choice(["View 2 replies", "View 1 reply"] if lang == "en" else ["Vis 2 svar", "Vis 1 svar"]))
        lines.append("")
        page.comments.append(Expected(name, t, text))
    lines += ["Facebook Comments Plugin" if lang == "en" else "Facebook-kommentartillegg"]
    page.text = "\n".join(lines) + "\n"
    return page


def forum(rng: random.Random, lang: str) -> Page:
    n = rng.randint(1, 6)
    title = TITLES[lang]
    lines = [title, "", POSTS[lang], ""]
    page = Page(f"forum-{lang}", "")
    for i, name in enumerate(_pick_people(rng, n)):
        date = wp_date(rng, lang) if lang != "en" else rng.choice(["Thu May 07, 2026 11:01 am", "Mon Jan 12, 2026 9:30 pm"])
        by = "Post by" if lang == "en" else "Innlegg av"
        if i:
            lines.append(f"Re: {title}")
        lines.append(f"{by} {name} » {date}")
        text, body = _body(rng, lang)
        if i and rng.random() < 0.5:
            quoted = page.comments[rng.randrange(i)]
            verb = "wrote" if lang == "en" else ("skreiv" if lang == "nn" else "skrev")
            qline = f"{quoted.author} {verb}: ↑"
            qtext = quoted.text.split("\n")[0]
            text = f"{qline}\n{qtext}\n{text}"
            body = text.split("\n")
        lines += body + ["", "Top" if lang == "en" else "Toppen", ""]
        page.comments.append(Expected(name, date, text))
    page.text = "\n".join(lines) + "\n"
    return page


LAYOUTS = [wordpress, wordpress, numbered, disqus, facebook, forum]


def battery(seed: int = 18, pages: int = 300) -> list[Page]:
    rng = random.Random(seed)
    out = []
    for k in range(pages):
        layout = LAYOUTS[k % len(LAYOUTS)]
        page = layout(rng, ["nb", "nn", "en"][(k // len(LAYOUTS)) % 3])
        page.name = f"{k:03d}-{page.name}"
        out.append(page)
    return out
