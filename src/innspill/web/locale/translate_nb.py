"""Fill the Bokmål catalog (django.po) from the table below and compile django.mo.

Run after ``django-admin makemessages -l nb`` (in src/innspill/web):
``python locale/translate_nb.py``. Untranslated strings are listed and stay English.
"""

import re
import sys
from pathlib import Path

NB = {
    "Optional: the comment field closes by itself at this time.": "Valgfritt: kommentarfeltet stenges av seg selv på dette tidspunktet.",
    "Name (optional, shown with your answer)": "Navn (valgfritt, vises med svaret ditt)",
    "E-mail (optional, never shown)": "E-post (valgfritt, vises aldri)",
    "Your comment": "Din kommentar",
    "Write freely about any of the questions; we find what you answer.": "Skriv fritt om hvilke som helst av spørsmålene; vi finner hva du svarer på.",
    "I agree that my answer (without my e-mail) may be published and analysed.": "Jeg godtar at svaret mitt (uten e-postadressen) kan publiseres og analyseres.",
    "Leave this field empty": "La dette feltet stå tomt",
    "Answer at least one question, or write a comment.": "Svar på minst ett spørsmål, eller skriv en kommentar.",
    "Approve": "Godkjenn", "Reject": "Avvis", "Mark as spam": "Merk som spam", "Back to the queue": "Tilbake i køen",
    "Action": "Handling", "Reason": "Begrunnelse",
    "Give a reason when you reject a comment or mark it as spam.": "Oppgi en begrunnelse når du avviser en kommentar eller merker den som spam.",
    "File (text, JSONL, WordPress or Disqus export, saved page, CSV, xlsx)": "Fil (tekst, JSONL, WordPress- eller Disqus-eksport, lagret side, CSV, xlsx)",
    "Format": "Format",
    "Post (WordPress/Disqus export with several posts: id or slug)": "Innlegg (WordPress-/Disqus-eksport med flere innlegg: id eller slug)",
    "The file is %(size)s MB; the limit is %(limit)s MB.": "Filen er %(size)s MB; grensen er %(limit)s MB.",
    "Stance": "Standpunkt", "Question": "Spørsmål", "From character": "Fra tegn", "To character": "Til tegn",
    "Split at character (the rest goes to)": "Del ved tegn (resten går til)",
    "Question for the rest": "Spørsmål for resten", "Remove this answer": "Fjern dette svaret",
    "Sensitive (personal story): never quoted": "Sensitiv (personlig historie): siteres aldri",
    "Duplicate of comment number": "Duplikat av kommentar nummer",
    "User name": "Brukernavn", "E-mail": "E-post", "Password": "Passord", "Password again": "Passord igjen",
    "That user name is taken.": "Brukernavnet er opptatt.", "The passwords differ.": "Passordene er ulike.",
    "Draft": "Utkast", "Published": "Publisert", "Closed": "Stengt", "title": "tittel", "introduction": "innledning",
    "language": "språk", "detect": "finn automatisk", "closes at": "stenger", "yes/no": "ja/nei", "open": "åpent",
    "question": "spørsmål", "kind": "type", "organiser": "arrangør", "moderator": "moderator",
    "awaiting moderation": "venter på moderering", "approved": "godkjent", "rejected": "avvist", "spam": "spam",
    "withdrawn by the participant": "trukket av deltakeren",
    "Skip to content": "Hopp til innholdet", "Main": "Hovedmeny", "My consultations": "Mine høringer",
    "Log out": "Logg ut", "Log in": "Logg inn", "Language": "Språk", "Change": "Bytt", "Consultation": "Høring",
    "Overview": "Oversikt", "Moderation": "Moderering", "Review": "Gjennomgang", "Import": "Import",
    "Results": "Resultater", "Public page": "Offentlig side", "Edit consultation": "Rediger høringen",
    "New consultation": "Ny høring",
    "Questions (in order; leave a row empty to skip it)": "Spørsmål (i rekkefølge; la en rad stå tom for å hoppe over den)",
    "No.": "Nr.", "Kind": "Type", "Delete": "Slett", "Save": "Lagre", "Title": "Tittel", "State": "Tilstand",
    "Comments": "Kommentarer", "None yet.": "Ingen ennå.", "Open consultations": "Åpne høringer",
    "No open consultations right now.": "Ingen åpne høringer nå.", "Import comments": "Importer kommentarer",
    "Upload a file (at most %(limit_mb)s MB). You will see what was read before anything is stored.":
        "Last opp en fil (høyst %(limit_mb)s MB). Du ser hva som ble lest før noe lagres.",
    "Read the file": "Les filen", "What the file holds": "Hva filen inneholder", "encoding": "tegnkoding",
    "replies": "svar på svar", "Questions": "Spørsmål", "none found": "ingen funnet",
    "The consultation's own questions are kept.": "Høringens egne spørsmål beholdes.",
    "First comments": "De første kommentarene",
    "The file holds several posts: the first is imported unless you chose one.":
        "Filen har flere innlegg: det første importeres om du ikke valgte ett.",
    "Imported": "Importert", "Import and analyse": "Importer og analyser", "Invitation to %(title)s": "Invitasjon til %(title)s",
    "Role": "Rolle", "Create your account:": "Opprett kontoen din:", "Accept": "Godta", "Analysis": "Analyse",
    "Progress": "Fremdrift",
    "This page updates by itself. The analysis runs in innspill worker (innspill serve runs one).":
        "Siden oppdaterer seg selv. Analysen kjører i innspill worker (innspill serve kjører en).",
    "Review the analysis": "Gå gjennom analysen", "Your answer": "Ditt svar", "Status": "Status",
    "Save changes": "Lagre endringene", "The comment field is closed": "Kommentarfeltet er stengt",
    "Delete my answer": "Slett svaret mitt", "Filter": "Filter", "all": "alle",
    "For the chosen comments": "For de valgte kommentarene", "Apply": "Utfør", "Choose all": "Velg alle",
    "Anonymous": "Anonym", "History": "Historikk", "Nothing here.": "Ingenting her.", "your role": "din rolle",
    "Edit title, intro and questions": "Rediger tittel, innledning og spørsmål", "Publish": "Publiser",
    "Close the comment field": "Steng kommentarfeltet", "Run the analysis": "Kjør analysen",
    "No questions yet.": "Ingen spørsmål ennå.", "Latest analysis job": "Siste analysejobb",
    "Latest analysis": "Siste analyse", "review": "gå gjennom", "Team": "Team", "Invite a": "Inviter en",
    "Make an invitation link": "Lag en invitasjonslenke",
    "Send this link to the person you invite (it works once):": "Send denne lenken til den du inviterer (den virker én gang):",
    "Answer each question in its own field, or write one comment below. Only your answer and your name (if you give it) are published, after moderation.":
        "Svar på hvert spørsmål i sitt eget felt, eller skriv én kommentar nedenfor. Bare svaret og navnet ditt (om du oppgir det) publiseres, etter moderering.",
    "Send": "Send", "No analysis yet.": "Ingen analyse ennå.", "Per question": "Per spørsmål",
    "answered by": "besvart av", "Brief": "Notat", "Open the brief": "Åpne notatet",
    "The brief is not installed in this version.": "Notatet finnes ikke i denne versjonen.", "Export": "Eksport",
    "Analysis with corrections": "Analysen med rettelser", "Analysis as the pipeline wrote it": "Analysen slik den ble laget",
    "Corrections as hand labels": "Rettelsene som fasit", "for innspill eval": "for innspill eval",
    "Answers": "Svar", "All comments": "Alle kommentarer",
    "All data: comments, moderation history, corrections": "Alle data: kommentarer, modereringshistorikk, rettelser",
    "Analysis of": "Analyse fra", "comments read": "kommentarer lest", "distinct": "ulike", "duplicates": "duplikater",
    "corrections applied": "rettelser brukt", "not applied": "ikke brukt", "analysed comments": "analyserte kommentarer",
    "all comments": "alle kommentarer", "order": "rekkefølge", "in comment order": "i kommentarrekkefølge",
    "least confident first": "minst sikre først",
    "This private link has expired": "Denne private lenken er utløpt",
    "Private links work for %(days)s days after the answer was given (until %(date)s). Ask the organiser if you need to change or withdraw your answer.":
        "Private lenker virker i %(days)s dager etter at svaret ble gitt (til %(date)s). Spør arrangøren hvis du må endre eller trekke svaret ditt.",
    "This invitation has expired": "Denne invitasjonen er utløpt",
    "Invitations work for %(days)s days. Ask the organiser for a new one.":
        "Invitasjoner virker i %(days)s dager. Be arrangøren om en ny.",
    "This private link works until %(date)s.": "Denne private lenken virker til %(date)s.",
    "corrected by hand": "rettet for hånd", "no questions found": "fant ingen spørsmål",
    "reading": "leser", "repairing characters": "reparerer tegn", "linking duplicates": "kobler duplikater",
    "finding the language": "finner språket", "finding the answers": "finner svarene",
    "reading the form's fields": "leser skjemaets felt", "reading stances": "leser standpunkt",
    "reading stances with the trained model": "leser standpunkt med den trente modellen",
    "looking for personal data": "ser etter personopplysninger", "grouping themes": "grupperer temaer",
    "no comments found": "fant ingen kommentarer",
    "the post asks no numbered question: the post itself is the one question":
        "innlegget stiller ingen nummererte spørsmål: innlegget selv er det ene spørsmålet",
    "stance read by the rules alone, without the trained model": "standpunkt lest av reglene alene, uten den trente modellen", "of": "av", "sensitive": "sensitiv", "corrected by": "rettet av",
    "Correct": "Rett", "Move, resize or split": "Flytt, endre eller del", "Split at character": "Del ved tegn",
    "Corrections not applied": "Rettelser som ikke ble brukt", "Welcome to innspill": "Velkommen til innspill",
    "Create the organiser account. You can invite moderators later.": "Opprett arrangørkontoen. Du kan invitere moderatorer senere.",
    "Create account": "Opprett konto", "Thank you for your answer": "Takk for svaret ditt",
    "It will be published after moderation.": "Det publiseres etter moderering.",
    "Keep this private link to change or delete your answer later:": "Ta vare på denne private lenken for å endre eller slette svaret ditt senere:",
    "Back to the consultation": "Tilbake til høringen", "Saved.": "Lagret.",
    "Add at least one question before publishing.": "Legg til minst ett spørsmål før du publiserer.",
    "%(n)d comments changed.": "%(n)d kommentarer endret.", "Choose at least one comment.": "Velg minst én kommentar.",
    "%(n)d comments imported; the analysis is queued.": "%(n)d kommentarer importert; analysen står i kø.",
    "Too many answers from your address in the last hour. Try again later.": "For mange svar fra adressen din den siste timen. Prøv igjen senere.",
    "Your answer is deleted": "Svaret ditt er slettet",
    "Its text, name and e-mail are erased. It is still counted as a withdrawn answer.":
        "Tekst, navn og e-post er fjernet. Det telles fortsatt som et trukket svar.",
    "Your answer is changed. It will be shown again after moderation.": "Svaret ditt er endret. Det vises igjen etter moderering.",
    "Too many failed attempts. Wait 15 minutes and try again.": "For mange mislykkede forsøk. Vent 15 minutter og prøv igjen.",
    "No such comment to be a duplicate of.": "Det finnes ingen slik kommentar å være duplikat av.",
    "Correction saved.": "Rettelsen er lagret.",
    "The correction was not valid: check the question and the characters.": "Rettelsen var ugyldig: sjekk spørsmålet og tegnene.",
}
# the live debate (live/views.py, live/templates/live/)
NB.update({
    "not started": "ikke startet", "live": "pågår", "ended": "avsluttet",
    "question (yes / no / unsure)": "spørsmål (ja / nei / usikker)",
    "statement (agree / disagree / pass)": "påstand (enig / uenig / stå over)",
    "brief": "notat", "presenter": "innleder", "audience": "salen",
    "Live debate": "Direkte debatt", "Start a live session": "Start en direkteavstemning",
    "The statements are taken from the questions and the brief's debate statements; you can change them before you start.":
        "Påstandene hentes fra spørsmålene og debattpåstandene i notatet; du kan endre dem før du starter.",
    "Join a live vote": "Bli med i avstemningen",
    "There is no live session with the code %(unknown)s.": "Det finnes ingen avstemning med koden %(unknown)s.",
    "Code (on the screen)": "Kode (på skjermen)", "Join": "Bli med", "You are": "Du er",
    "Connecting…": "Kobler til…", "Your vote": "Din stemme",
    "Suggest a statement or a question": "Foreslå en påstand eller et spørsmål", "Your idea": "Ditt forslag",
    "Live session": "Direkteavstemning", "participants": "deltakere", "join at": "bli med på",
    "Start the session": "Start avstemningen", "End the session": "Avslutt avstemningen", "Previous": "Forrige",
    "Next statement": "Neste påstand", "Show results": "Vis resultat", "Lock voting": "Steng avstemningen",
    "Open the projector view": "Åpne prosjektorvisningen", "Exports (at any time)": "Eksport (når som helst)",
    "Pol.is files (zip)": "Pol.is-filer (zip)", "Statements": "Påstander",
    "Results stay hidden from participants and the projector until you show them (per statement).":
        "Resultatene er skjult for deltakerne og prosjektoren til du viser dem (per påstand).",
    "Statement": "Påstand", "Votes": "Stemmer", "agree": "enig", "disagree": "uenig", "pass": "stå over",
    "Controls": "Styring", "now": "nå", "hidden": "skjult", "results shown": "resultat vist", "locked": "stengt",
    "Edit": "Rediger", "Show now": "Vis nå", "Hide results": "Skjul resultat", "Unlock": "Åpne", "Lock": "Steng",
    "Unhide": "Vis igjen", "Hide": "Skjul", "Move up": "Flytt opp", "Move down": "Flytt ned",
    "No statements yet: add one below.": "Ingen påstander ennå: legg til en nedenfor.",
    "Add a statement": "Legg til en påstand", "Add": "Legg til", "Audience ideas": "Forslag fra salen",
    "promoted": "gjort til påstand", "Make it a statement": "Gjør til påstand", "Straight-liners": "Rettlinjede svar",
    "Participants who agreed with every statement or disagreed with every statement (at least three votes, passes ignored):":
        "Deltakere som var enige i alle påstandene eller uenige i alle (minst tre stemmer, «stå over» regnes ikke):",
    "They are counted in the opinion groups.": "De telles med i meningsgruppene.",
    "Leave them out of the groups": "Hold dem utenfor gruppene",
    "They are left out of the opinion groups.": "De holdes utenfor meningsgruppene.",
    "Count them in the groups": "Tell dem med i gruppene", "Opinion groups": "Meningsgrupper", "groups": "grupper",
    "Language of the participant and projector pages": "Språk på deltaker- og prosjektorsidene",
    "How to join": "Slik blir du med", "QR code for": "QR-kode for", "Code": "Kode", "Consensus": "Enighet",
    "Divisive": "Splittende", "Yes": "Ja", "No": "Nei", "Unsure": "Usikker", "Agree": "Enig", "Disagree": "Uenig",
    "Pass": "Stå over", "yes": "ja", "no": "nei", "unsure": "usikker", "Your vote:": "Din stemme:",
    "Results are shown when the presenter reveals them.": "Resultatet vises når innlederen viser det.",
    "Voting on this statement is closed.": "Avstemningen om denne påstanden er stengt.",
    "Waiting for the first statement…": "Venter på den første påstanden…",
    "The session has ended. Thank you!": "Avstemningen er slutt. Takk!",
    "The session has not started yet.": "Avstemningen har ikke startet ennå.",
    "No connection. Reconnecting… your votes are kept.": "Ingen forbindelse. Kobler til igjen… stemmene dine er tatt vare på.",
    "Your vote is sent when the connection is back.": "Stemmen sendes når forbindelsen er tilbake.",
    "votes": "stemmer", "Upvote": "Støtt", "Upvoted": "Støttet",
    "Click again to withdraw your upvote": "Klikk igjen for å trekke tilbake støtten",
    "Thank you: your idea is shown after moderation.": "Takk: forslaget ditt vises etter moderering.",
    "Group": "Gruppe",
    "Live session %(code)s made: check the statements, then start it.":
        "Direkteavstemning %(code)s er laget: se over påstandene, og start den.",
    "There is no further statement.": "Det er ingen flere påstander.",
    "Write the statement and choose its kind.": "Skriv påstanden og velg typen.",
    "This statement has votes: they were given to the old wording.":
        "Denne påstanden har stemmer: de ble gitt til den gamle ordlyden.",
    "The idea is now statement %(n)d.": "Forslaget er nå påstand %(n)d.",
    "vote must be 1, -1 or 0": "stemmen må være 1, -1 eller 0",
    "no live session with this code": "ingen avstemning har denne koden",
    "join the session first (open the join link again)": "bli med i avstemningen først (åpne lenken på nytt)",
    "the session is not open for votes": "avstemningen er ikke åpen",
    "no such statement": "påstanden finnes ikke", "voting on this statement is closed": "avstemningen om denne påstanden er stengt",
    "write something first": "skriv noe først", "at most 200 characters": "høyst 200 tegn",
    "the session has ended": "avstemningen er slutt",
    "you have sent the most ideas one person can": "du har sendt så mange forslag som én person kan",
    "no such idea": "forslaget finnes ikke", "unknown action": "ukjent handling",
    "the request body is not JSON": "forespørselen er ikke JSON",
    "statement must be a whole number": "påstanden må være et heltall", "vote must be a whole number": "stemmen må være et heltall",
    "CSRF check failed: reload the page": "CSRF-sjekken feilet: last siden på nytt",
})

PLURALS = {"%(n)s published answer": ("%(n)s publisert svar", "%(n)s publiserte svar")}

try:  # the strings of each feature's own table (run as a script: the folder is on sys.path)
    from nb_moderation import NB as _NB_MODERATION
    from nb_moderation import PLURALS as _PLURALS_MODERATION
except ImportError:  # imported as a module
    from .nb_moderation import NB as _NB_MODERATION
    from .nb_moderation import PLURALS as _PLURALS_MODERATION
NB.update(_NB_MODERATION)
PLURALS.update(_PLURALS_MODERATION)

try:  # issue 21: security
    from nb_security import NB as _NB_SECURITY
    from nb_security import PLURALS as _PLURALS_SECURITY
except ImportError:  # imported as a module
    from .nb_security import NB as _NB_SECURITY
    from .nb_security import PLURALS as _PLURALS_SECURITY
NB.update(_NB_SECURITY)
PLURALS.update(_PLURALS_SECURITY)

try:  # issue 20: the organiser's first hour
    from nb_first_hour import NB as _NB_FIRST_HOUR
    from nb_first_hour import PLURALS as _PLURALS_FIRST_HOUR
except ImportError:  # imported as a module
    from .nb_first_hour import NB as _NB_FIRST_HOUR
    from .nb_first_hour import PLURALS as _PLURALS_FIRST_HOUR
NB.update(_NB_FIRST_HOUR)
PLURALS.update(_PLURALS_FIRST_HOUR)

try:  # issue 20: yes/no buttons, reordering questions, review by selection
    from nb_questions import NB as _NB_QUESTIONS
    from nb_questions import PLURALS as _PLURALS_QUESTIONS
except ImportError:  # imported as a module
    from .nb_questions import NB as _NB_QUESTIONS
    from .nb_questions import PLURALS as _PLURALS_QUESTIONS
NB.update(_NB_QUESTIONS)
PLURALS.update(_PLURALS_QUESTIONS)

try:  # issue 20: the live debate's projector and presenter, phones, the front page
    from nb_live_home import NB as _NB_LIVE_HOME
    from nb_live_home import PLURALS as _PLURALS_LIVE_HOME
except ImportError:  # imported as a module
    from .nb_live_home import NB as _NB_LIVE_HOME
    from .nb_live_home import PLURALS as _PLURALS_LIVE_HOME
NB.update(_NB_LIVE_HOME)
PLURALS.update(_PLURALS_LIVE_HOME)


def unquote(lines):
    return "".join(re.match(r'^(?:msgid|msgid_plural|msgstr)?\s*"(.*)"$', ln).group(1) for ln in lines) \
        .replace('\\"', '"').replace("\\n", "\n")


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(folder: Path) -> int:
    po = folder / "django.po"
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    out, missing = [], []
    for block in blocks:
        lines = block.split("\n")
        ids = [i for i, ln in enumerate(lines) if ln.startswith("msgid ")]
        if not ids:
            out.append(block)
            continue
        i = ids[0]
        j = i + 1
        while j < len(lines) and lines[j].startswith('"'):
            j += 1
        msgid = unquote(lines[i:j])
        head = [ln.replace("#, fuzzy, ", "#, ") for ln in lines[:i] if ln != "#, fuzzy" and not ln.startswith("#| ")]
        if msgid == "":
            out.append("\n".join(head + lines[i:]).replace("charset=CHARSET", "charset=UTF-8")
                       .replace('"Language: \\n"', '"Language: nb\\n"'))
            continue
        if msgid in PLURALS:
            one, many = PLURALS[msgid]
            k = next(n for n, ln in enumerate(lines) if ln.startswith("msgid_plural"))
            end = k + 1
            while end < len(lines) and lines[end].startswith('"'):  # a long plural is wrapped
                end += 1
            plural = lines[k:end]
            out.append("\n".join(head + [f"msgid {quote(msgid)}"] + plural +
                                 [f"msgstr[0] {quote(one)}", f"msgstr[1] {quote(many)}"]))
            continue
        if msgid not in NB:
            missing.append(msgid)
        out.append("\n".join(head + [f"msgid {quote(msgid)}", f"msgstr {quote(NB.get(msgid, ''))}"]))
    po.write_text("\n\n".join(out), encoding="utf-8")
    for m in missing:
        print("untranslated:", m, file=sys.stderr)
    import subprocess

    subprocess.run(["msgfmt", "--check-format", "-o", str(folder / "django.mo"), str(po)], check=True)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).resolve().parent / "nb" / "LC_MESSAGES"))
