import datetime

import factory
from django.utils import timezone

from tests.factories import HOTEL_DE_VILLE, OrganizationFactory, UserFactory, district, theme
from volunteering.models import Application, Mission, VolunteerProfile

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Aide aux devoirs n°{n}")
    description = "Accompagner des collégiens dans leurs devoirs, deux fois par semaine."
    address = "Place de l'Hôtel de Ville, 75004 Paris"
    location = factory.LazyFunction(lambda: HOTEL_DE_VILLE.clone())
    district = factory.LazyFunction(lambda: district(4))
    schedule = Mission.Schedule.PERIOD
    start_date = factory.LazyFunction(lambda: in_days(7))
    end_date = factory.LazyFunction(lambda: in_days(60))
    places = 3
    status = Mission.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set([theme(slug) for slug in (extracted or ["solidarite"])])


class DirectionFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Direction des Espaces Verts et de l'Environnement {n}")
    kind = "city_service"


class InternshipFactory(MissionFactory):
    organization = factory.SubFactory(DirectionFactory)
    kind = Mission.Kind.INTERNSHIP
    title = factory.Sequence(lambda n: f"Stage jardinier n°{n}")
    trade = "Jardinier paysagiste"
    level = Mission.Level.CAP_BAC
    tasks = "Entretenir les massifs, planter, arroser."
    paid = True
    weekly_hours = 35
    duration_weeks = 8
    tutor_name = "Camille Tuteur"
    tutor_email = "tuteur@paris.fr"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    volunteer = factory.SubFactory(UserFactory)
    mission = factory.SubFactory(MissionFactory)
    organization = factory.LazyAttribute(lambda o: o.mission.organization)
    kind = factory.LazyAttribute(lambda o: o.mission.kind if o.mission else Mission.Kind.VOLUNTEERING)
    message = "Bonjour, je suis disponible le samedi."


class VolunteerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    home_location = factory.LazyFunction(lambda: HOTEL_DE_VILLE.clone())
    radius_km = 3

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set([theme(slug) for slug in extracted])


def mission_data(**extra):
    """What an association types to create a mission (volunteering.services.create_mission's data)."""
    from tests.factories import REPUBLIQUE, theme

    data = {
        "title": "Distribution de repas",
        "description": "Servir le dîner aux personnes accueillies.",
        "themes": [theme("solidarite")],
        "location": REPUBLIQUE.clone(),
        "address": "Place de la République",
        "start_date": in_days(3),
        "end_date": in_days(30),
        "places": 2,
    }
    data.update(extra)
    return data


def internship_payload(**extra):
    """What a direction posts to create an internship offer (the API's fields), eight unpaid weeks from in ten days;
    `extra` overrides fields, dates given as dates or ISO strings."""
    from tests.factories import REPUBLIQUE

    data = {
        "kind": "internship",
        "title": "Stage jardinier au parc Monceau",
        "description": "Rejoindre l'équipe du parc.",
        "tasks": "Tailler, planter, arroser.",
        "trade": "Jardinier paysagiste",
        "level": "cap_bac",
        "paid": False,
        "weekly_hours": 35,
        "duration_weeks": 8,
        "location": {"type": "Point", "coordinates": [REPUBLIQUE.x, REPUBLIQUE.y]},
        "address": "Parc Monceau",
        "start_date": in_days(10).isoformat(),
        "end_date": in_days(60).isoformat(),
        "places": 2,
        "tutor_name": "Camille Tuteur",
    }
    data.update({k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in extra.items()})
    return data
