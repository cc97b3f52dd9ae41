import factory

from ideas import services
from ideas.models import Idea, Need, Offer, PartnerProfile
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    holder = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Idée citoyenne {n}")
    pitch = "Un projet pour rendre le quartier plus vivant."
    status = Idea.Status.PUBLISHED
    published_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    idea = factory.SubFactory(IdeaFactory)
    kind = "skills"
    description = "Un coup de main"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerProfile

    organization = factory.SubFactory(OrganizationFactory)
    description = "Nous accompagnons les projets de quartier."


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    partner = factory.SubFactory(PartnerFactory)
    kind = "skills"


def make_idea(holder, *, needs=None, themes=("energie",), districts=(11,), **kwargs):
    """An idea published through the service (search vector, timeline), as users create them."""
    values = {"title": "Toits solaires partagés", "pitch": "Des panneaux solaires sur les toits des écoles du 11e."}
    values.update(kwargs)
    if needs is None:
        needs = [
            {"kind": "funding", "description": "Achat des panneaux", "amount": 15000},
            {"kind": "place", "description": "Un toit bien exposé"},
        ]
    return services.create_idea(holder, themes=list(themes), districts=list(districts), needs=needs, **values)


def make_partner(
    *,
    name="Énergies Citoyennes Paris",
    kind="company",
    offers=("funding",),
    themes=("energie",),
    districts=(),
    member=None,
    description=None,
):
    """A partner of a new organisation; each offer is a kind, or a (kind, description) pair."""
    org = OrganizationFactory(name=name, kind=kind)
    member = member or UserFactory()
    MembershipFactory(organization=org, user=member)
    partner = services.create_partner(
        member,
        organization=org,
        description=description or f"{name} accompagne les projets citoyens.",
        themes=list(themes),
        districts=list(districts),
        offers=[
            {"kind": k, "description": f"Offre {k}"} if isinstance(k, str) else {"kind": k[0], "description": k[1]}
            for k in offers
        ],
    )
    return partner, member


def idea_form_data(**extra):
    """What a holder posts to /idees/nouvelle/ without JavaScript: an idea with one need."""
    return {
        "title": "Boîte à livres",
        "pitch": "Une boîte à livres square Maurice-Gardette.",
        "description": "",
        "themes": ["culture"],
        "districts": ["11"],
        "stage": "idea",
        "team": "",
        "needs-TOTAL_FORMS": "1",
        "needs-INITIAL_FORMS": "0",
        "needs-MIN_NUM_FORMS": "0",
        "needs-MAX_NUM_FORMS": "12",
        "needs-0-kind": "equipment",
        "needs-0-description": "Une armoire",
        "publish": "1",
        **extra,
    }
