import pytest
from django.core.cache import cache

from strategy import selectors, services
from tests.factories import TeamUserFactory, theme
from tests.strategy.factories import ChapterFactory, ContributionFactory, SectionFactory


@pytest.fixture(autouse=True)
def fresh_dashboard_figures():
    """Each test starts with no cached dashboard figures (the cache outlives the rolled-back database)."""
    cache.delete(selectors.DASHBOARD_VERSION_KEY)


@pytest.fixture
def referent(db):
    user = TeamUserFactory(email="referente@paris.fr", display_name="Nadia Haddad")
    mobility = theme("mobilite")
    mobility.referent = user
    mobility.save(update_fields=["referent"])
    return user


@pytest.fixture
def sections(db):
    chapter = ChapterFactory(title="Mobilité : une ville apaisée")
    return [
        SectionFactory(chapter=chapter, slug="mobilite-velo", title="Une ville 100 % cyclable", position=0),
        SectionFactory(
            chapter=chapter,
            slug="mobilite-rues-enfants",
            title="Des rues aux écoles",
            body="Les rues qui bordent les écoles sont fermées aux voitures.",
            position=1,
        ),
    ]


@pytest.fixture
def v1(sections, team_member):
    return services.publish_version(team_member, "Première version.")


@pytest.fixture
def contribution(db):
    return ContributionFactory()


@pytest.fixture
def make_contribution(db):
    return ContributionFactory
