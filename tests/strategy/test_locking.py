"""Two team members save the same section at the same time on real parallel connections: one wins, one gets 409."""

import threading

import pytest
from django.db import connection

from serving.rest import Conflict
from strategy import services
from strategy.models import Section
from tests.factories import TeamUserFactory
from tests.strategy.factories import SectionFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_one_wins_the_other_gets_a_conflict_and_nothing_is_lost(reference_data):
    lea = TeamUserFactory(email="lea@paris.fr", display_name="Léa")
    marc = TeamUserFactory(email="marc@paris.fr", display_name="Marc")
    section = SectionFactory(slug="mobilite-velo", body="Texte initial.")
    revision = section.revision  # both read revision 1
    barrier = threading.Barrier(2)
    results = {}

    def edit(user, text):
        try:
            mine = Section.objects.get(pk=section.pk)
            barrier.wait(timeout=10)
            services.edit_section(mine, user, text, revision)
            results[user.email] = "saved"
        except Conflict as e:
            results[user.email] = f"conflict: {e.detail}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(lea, "Texte de Léa.")),
        threading.Thread(target=edit, args=(marc, "Texte de Marc.")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(v.split(":")[0] for v in results.values()) == ["conflict", "saved"]
    winner = next(email for email, v in results.items() if v == "saved")
    section.refresh_from_db()
    assert section.revision == revision + 1
    assert section.body == ("Texte de Léa." if winner == "lea@paris.fr" else "Texte de Marc.")
    loser_message = next(v for v in results.values() if v.startswith("conflict"))
    assert "Léa" in loser_message or "Marc" in loser_message  # says who changed it
