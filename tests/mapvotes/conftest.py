import pytest

from tests.factories import HOTEL_DE_VILLE

from .factories import ProposalFactory


@pytest.fixture
def proposal(db):
    return ProposalFactory(title="Piste cyclable rue de Rivoli", geometry=HOTEL_DE_VILLE.clone())


@pytest.fixture
def point_json():
    return {"type": "Point", "coordinates": [2.3522, 48.8566]}


@pytest.fixture(autouse=True)
def _no_coalescing_timers(settings):
    """Broadcasts are sent at once in tests unless a test sets an interval (no timer threads left behind)."""
    settings.MAPVOTES_BROADCAST_INTERVAL = 0
