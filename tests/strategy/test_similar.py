""" "Contributions similaires" proposes, it does not decide: hard negatives are not suggested, each suggestion says why."""

import json
from pathlib import Path

from django.contrib.gis.geos import Point

from strategy.selectors import similar_groups
from strategy.similarity import profile, reason
from tests.strategy.factories import ContributionFactory

PAIRS = json.loads((Path(__file__).resolve().parents[2] / "bench" / "data" / "similar_pairs.json").read_text())


def _suggested(pair):
    a, b = pair["a"], pair["b"]
    return reason(profile(a["title"], a["text"], a["point"]), profile(b["title"], b["text"], b["point"]))


def test_fruit_trees_and_therapeutic_gardening_are_not_suggested():
    hard = [
        p for p in PAIRS if not p["similar"] and "thérapeutique" in p["b"]["title"] and "hôpital" in p["b"]["title"]
    ]
    assert len(hard) == 2
    assert all(_suggested(p) is None for p in hard)


def test_clear_positives_are_suggested_with_their_shared_words():
    clear = [p for p in PAIRS if p["similar"] and ("Arceaux" in p["a"]["title"] or "Fontaine" in p["a"]["title"])]
    assert clear
    for pair in clear:
        why = _suggested(pair)
        assert why is not None and len(why.words) >= 2


def test_the_labelled_set_keeps_a_high_precision():
    suggested = [p for p in PAIRS if _suggested(p)]
    right = [p for p in suggested if p["similar"]]
    assert len(PAIRS) >= 60
    assert len(right) / len(suggested) >= 0.9
    assert len(right) / sum(p["similar"] for p in PAIRS) >= 0.9


def test_names_of_places_are_not_shared_meaning():
    a = profile("Piste cyclable boulevard Voltaire", "Une piste séparée des voitures.", (2.38, 48.86))
    b = profile("Livraisons en double file boulevard Voltaire", "Les camions bloquent le bus.", (2.3801, 48.8601))
    assert reason(a, b) is None


def test_similar_page_suggests_with_reasons_and_ticks_nothing(team_member, client):
    a = ContributionFactory(title="Planter des arbres fruitiers dans le square", text="Des pommiers pour cueillir.")
    b = ContributionFactory(
        title="Un verger dans le square",
        text="Planter des arbres fruitiers, des pommiers.",
        location=Point(2.35, 48.83),
    )
    hospital = ContributionFactory(
        title="Jardinage thérapeutique à l'hôpital",
        text="Accompagner les patients : planter, arroser, récolter des fruits.",
        location=Point(2.3501, 48.8301),
    )
    groups = [{c.pk for c in g} for g in similar_groups()]
    assert {a.pk, b.pk} in groups
    assert all(hospital.pk not in g for g in groups)
    client.force_login(team_member)
    html = client.get("/strategie/equipe/similaires/").content.decode()
    assert "mots en commun" in html and "arbres" in html and "pommiers" in html
    assert " checked" not in html
