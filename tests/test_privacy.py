from innspill.privacy import assess_comment, find_personal_data, find_sensitive, find_story, mask

PH = {"name": "[navn]", "email": "[e-post]", "phone": "[telefon]"}


def kinds(text, **kw):
    return [(p["kind"], text[p["start"]:p["end"]]) for p in find_personal_data(text, "nb", **kw)]


def test_email_and_phone():
    text = "Skriv til kari.nordmann@example.no eller ring +47 912 34 567. Møtet er 2024-05-19 kl. 10."
    assert kinds(text) == [("email", "kari.nordmann@example.no"), ("phone", "+47 912 34 567")]


def test_names_addressed_listed_and_known():
    assert ("name", "Thomas") in kinds("Mailen min er synlig for deg , Thomas, hvis du vil.")
    assert ("name", "Ola") in kinds("Hei Ola! Godt spørsmål.")
    assert ("name", "Kari") in kinds("Jeg snakket med Kari om dette.")
    assert ("name", "Moen") in kinds("Som Moen skrev i posten.", known_names=["Thomas", "Moen"])
    # brands, sentence starts and ordinary capitalised words are not names
    assert kinds("Facebook er ikke Twitter. Per dags dato er det greit. Jeg skriver som Anonym.") == []


def test_sensitive_needs_a_person_and_ignores_quoted_examples():
    text = "Han har trakassert meg i et år. Man bør ikke skrive “jeg er syk” når man er på konsert."
    found = find_sensitive(text, "nb")
    assert len(found) == 1 and "harassment" in found[0]["categories"]
    assert "third-party" in found[0]["categories"]


def test_story_is_first_person_experience():
    assert find_story("Jeg fikk en venneforespørsel fra sjefen en gang.", "nb")
    assert not find_story("Jeg mener at ansatte ikke skal gjøre det.", "nb")
    assert find_story("I was asked by my boss to delete the post.", "en")


def test_mask_keeps_offsets():
    text = "Takk, Thomas, for at du spør. Ring meg på 912 34 567."
    p = find_personal_data(text, "nb")
    start = text.index("Ring")
    masked, n = mask(text, 0, len(text), p, PH)
    assert masked == "Takk, [navn], for at du spør. Ring meg på [telefon]."
    assert n == 2
    part, n = mask(text, start, len(text), p, PH)
    assert part == "Ring meg på [telefon]." and n == 1


def test_seed_harassment_story_and_author_name(seed_analysis):
    comments = {c["id"]: c for c in seed_analysis["comments"]}
    assert seed_analysis["source"]["post_author"] == "Thomas Moen"
    c21 = comments["c21"]
    assert {"sensitive", "sensitive-story", "personal-story", "personal-data"} <= set(c21["flags"])
    assert {"harassment", "legal", "third-party"} <= set(c21["privacy"]["categories"])
    names = [c21["text"][p["start"]:p["end"]] for p in c21["privacy"]["personal_data"]]
    assert names == ["Thomas"]
    # only c21 tells a sensitive story; duplicates are not assessed
    assert [c["id"] for c in seed_analysis["comments"] if "sensitive-story" in c["flags"]] == ["c21"]
    assert comments["c22"].get("privacy") is None
    assert "personal-story" in comments["c1"]["flags"]


def test_assess_comment_english():
    r = assess_comment("Dear John, my manager harassed me and I reported him to the police last year.", "en")
    assert r["sensitive_story"] and {"harassment", "legal", "third-party"} <= set(r["categories"])
    assert [p["kind"] for p in r["personal_data"]] == ["name"]


def test_a_term_inside_a_name_is_not_sensitive():
    assert find_sensitive("Has anyone seen my cat around Elm Court? She is gray.", "en",
                          find_personal_data("Has anyone seen my cat around Elm Court? She is gray.", "en")) == []


def test_disability_and_allergy_stories_are_health_and_everyday_punishment_is_not_legal():
    wheel = assess_comment("Sønnen vår ble skadet i en ulykke for to år siden og har sittet i rullestol siden, så "
                           "han må kjøres helt fram til inngangen. Skal vi søke om dispensasjon hver høst?", "nb")
    assert wheel["sensitive_story"] and "health" in wheel["categories"]
    allergy = assess_comment("I have a severe nut allergy and last year I ended up in the emergency room after "
                             "eating a veggie burger from the canteen.", "en")
    assert allergy["sensitive_story"] and "health" in allergy["categories"]
    everyday = assess_comment("Jeg forstår poenget med to dager, men det føles litt som en straff for de som "
                              "jobber godt hjemme.", "nb")
    assert not everyday["sensitive_story"] and "legal" not in everyday["categories"]
