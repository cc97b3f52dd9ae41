"""Strategy pass 9's survivors: the shape of what the team sends, the sentence a refused user reads, and the length
of a version's summary in what followers receive."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import follows
from core.models import Notification
from strategy import services
from tests.factories import UserFactory
from tests.strategy.factories import ContributionFactory

IDS_REFUSAL = {"confirm": ["Donnez une liste d'identifiants de contributions."]}


@pytest.mark.parametrize("confirm", ["12,13", "12", {"12": True}, [True], [1.5], ["douze"]])
def test_confirming_anything_but_a_list_of_ids_is_refused_in_french(sections, team_member, confirm):
    """A string of digits or a mapping of ids is not a list of ids, even though each of its items reads as one."""
    with pytest.raises(ValidationError) as exc:
        services.publish_version(team_member, "Première version.", confirm=confirm)
    assert exc.value.message_dict == IDS_REFUSAL


@pytest.mark.parametrize("slugs", ["mobilite-velo", {"mobilite-velo": 1}, [3]])
def test_sections_given_otherwise_than_as_a_list_of_slugs_are_refused_in_french(contribution, team_member, slugs):
    with pytest.raises(ValidationError) as exc:
        services.triage(contribution, team_member, sections=slugs)
    assert exc.value.message_dict == {"sections": ["Donnez une liste d'identifiants de sections."]}


def test_a_resident_is_told_that_only_the_team_triages(contribution, resident):
    with pytest.raises(PermissionDenied) as exc:
        services.triage(contribution, resident, status="accepted")
    assert str(exc.value) == "Seule l'équipe de la mission peut trier les contributions."


def test_followers_and_authors_read_the_first_300_characters_of_a_long_summary(v1, sections, team_member, resident):
    summary = "Une piste cyclable continue sur les quais. " * 10  # 430 characters
    fan = UserFactory(email="velo@example.org")
    follows.follow(fan, sections[0])
    author_of = ContributionFactory(author=resident, title="Des quais cyclables")
    services.triage(author_of, team_member, sections=[sections[0].slug])
    services.edit_section(sections[0], team_member, "Des quais cyclables.", sections[0].revision)

    services.publish_version(team_member, summary)

    assert Notification.objects.get(recipient=fan, kind="follow.version").body == summary.strip()[:300]
    integrated = Notification.objects.get(recipient=resident, kind="strategy.integrated").body
    assert integrated.endswith("\u00a0: " + summary.strip()[:300])
