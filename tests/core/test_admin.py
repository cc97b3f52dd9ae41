"""The Django admin covers every model of every local app, answers for a superuser, and acts through services."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from ideas import services as idea_services
from ideas.models import Comment, Connection, Idea, Message, NewsPost
from tests.factories import UserFactory, theme
from tests.ideas.factories import make_idea, make_partner
from tests.volunteering.factories import (
    MINIMAL_PDF,
    ApplicationFactory,
    MissionFactory,
    VolunteerProfileFactory,
    in_days,
)
from volunteering import services as volunteering_services
from volunteering.models import Application, ApplicationEvent, Mission, Solicitation

LOCAL_APPS = ["accounts", "core", "mapvotes", "volunteering", "ideas", "strategy", "budget"]
# Every model, except derived tables with a composite primary key (the map's cluster cells, kept by database
# triggers): Django's admin cannot show those, and nobody should edit them by hand; and the choices of the budget's
# ballots: for whom someone voted is the secret of the vote, shown nowhere (the ballot admin shows who voted only).
SECRET = {"budget.BallotChoice"}
MODELS = [
    model
    for label in LOCAL_APPS
    for model in apps.get_app_config(label).get_models()
    if not getattr(model._meta, "is_composite_pk", False) and model._meta.label not in SECRET
]
SAMPLED_APPS = ["volunteering", "ideas", "budget"]


def model_id(model):
    return model._meta.label


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@paris.fr", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _png(name):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (30, 20), "orange").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def samples(db, organization, org_admin, settings, tmp_path):
    """At least one row of every volunteering and ideas model, made the way the site makes them."""
    settings.MEDIA_ROOT = tmp_path
    mission = MissionFactory(organization=organization)
    application = ApplicationFactory(mission=mission)
    application.cv.save("cv.pdf", ContentFile(MINIMAL_PDF))
    volunteering_services.change_status(org_admin, application, Application.Status.SHORTLISTED, "Bonjour")
    VolunteerProfileFactory(themes=["solidarite"])
    Solicitation.objects.create(volunteer=application.volunteer, kind="weekly_matches", mission_ids=[mission.pk])
    volunteering_services.post_application_message(org_admin, application, "Bonjour, à bientôt.")
    from django.utils import timezone

    from volunteering.models import Attestation

    Attestation.objects.create(
        application=application, signer_name="Camille", issued_by=org_admin, issued_at=timezone.now()
    )
    from volunteering.models import SavedSearch

    SavedSearch.objects.create(user=application.volunteer, kind="internship", query="level=bac_3", weekly_email=True)

    holder = UserFactory(email="porteuse@example.org")
    idea = make_idea(holder)
    partner, member = make_partner()
    connection = idea_services.propose_connection(member, idea, partner=partner, need=idea.needs.first())
    idea_services.post_message(member, connection, "Un message privé entre les deux parties.")
    idea_services.support(UserFactory(), idea)
    idea_services.add_comment(UserFactory(), idea, "Belle idée !")
    idea_services.post_news(holder, idea, "Première étape", "Le toit est trouvé.")
    idea_services.add_image(holder, idea, _png("toit.png"), "Le toit de l'école, vu de la cour")
    _budget_samples(org_admin)
    return {"mission": mission, "application": application, "idea": idea, "connection": connection}


def _budget_samples(agent):
    """A campaign in its vote phase, a project with a picture and a note, a ballot and a validated paper count."""
    from budget import services as budget_services
    from tests.budget.conftest import make_campaign, make_project
    from tests.factories import ResidentFactory, TeamUserFactory

    team, second = TeamUserFactory(email="agent1@paris.fr"), TeamUserFactory(email="agent2@paris.fr")
    campaign = make_campaign()
    project = make_project(campaign, "paris", 1000, "Des arbres")
    budget_services.add_note(team, project, "Atelier de co-construction le 12 mars.")
    budget_services.add_photo(team, project, _png("arbres.png"), "La rue aujourd'hui")
    budget_services.cast_ballot(ResidentFactory(), campaign, [project.pk])
    budget_services.validate_paper_count(second, budget_services.enter_paper_count(team, project, "Mairie du 11e", 4))


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_model_is_registered_in_the_admin(model):
    assert model in admin.site._registry, f"{model._meta.label} has no ModelAdmin"


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_changelist_answers_200_for_a_superuser(admin_client, samples, model):
    assert model in admin.site._registry, f"{model._meta.label} has no ModelAdmin"
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_add_page_answers_200_for_a_superuser(admin_client, superuser, model):
    """Logs written only by the services refuse hand-made rows (403); every other add page answers 200."""
    model_admin = admin.site._registry.get(model)
    assert model_admin is not None, f"{model._meta.label} has no ModelAdmin"
    request = RequestFactory().get("/")
    request.user = superuser
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert admin_client.get(admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", [m for m in MODELS if m._meta.app_label in SAMPLED_APPS], ids=model_id)
def test_change_page_answers_200_for_a_superuser(admin_client, superuser, samples, model):
    """Except where the admin deliberately has no page per object (private messages): 403 there."""
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the samples fixture makes no {model._meta.label}"
    request = RequestFactory().get("/")
    request.user = superuser
    expected = 200 if admin.site._registry[model].has_view_or_change_permission(request, obj) else 403
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == expected


def test_admin_is_in_french(admin_client, samples):
    page = admin_client.get(admin_url(Mission, "changelist")).content.decode()
    assert "Publier les missions sélectionnées" in page
    assert "Candidatures" in page


def post_action(client, model, action, objects):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects]},
        follow=True,
    )


def test_publish_action_publishes_a_draft_mission_through_the_service(admin_client, organization):
    draft = MissionFactory(organization=organization, status=Mission.Status.DRAFT, published_at=None)

    response = post_action(admin_client, Mission, "publish", [draft])

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Mission.Status.PUBLISHED
    assert draft.published_at is not None


def test_publish_action_refuses_an_ended_mission_with_a_message(admin_client, organization):
    ended = MissionFactory(
        organization=organization, status=Mission.Status.DRAFT, start_date=in_days(-20), end_date=in_days(-2)
    )

    response = post_action(admin_client, Mission, "publish", [ended])

    assert response.status_code == 200
    ended.refresh_from_db()
    assert ended.status == Mission.Status.DRAFT
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_close_action_closes_missions(admin_client, organization):
    missions = [MissionFactory(organization=organization) for _ in range(2)]

    post_action(admin_client, Mission, "close", missions)

    assert {m.status for m in Mission.objects.filter(pk__in=[m.pk for m in missions])} == {Mission.Status.CLOSED}


def test_idea_actions_go_through_the_services(admin_client, holder_idea_draft):
    post_action(admin_client, Idea, "publish", [holder_idea_draft])
    holder_idea_draft.refresh_from_db()
    assert holder_idea_draft.status == Idea.Status.PUBLISHED
    assert holder_idea_draft.timeline.filter(kind="published").exists()

    post_action(admin_client, Idea, "archive", [holder_idea_draft])
    holder_idea_draft.refresh_from_db()
    assert holder_idea_draft.status == Idea.Status.ARCHIVED


@pytest.fixture
def holder_idea_draft(db):
    return make_idea(UserFactory(), publish=False)


def test_the_application_admin_never_links_the_cv(admin_client, samples):
    application = samples["application"]
    page = admin_client.get(admin_url(Application, "change", application.pk)).content.decode()
    assert application.cv.name not in page
    assert "/cv/" not in page
    assert ApplicationEvent.objects.filter(application=application).exists()


def test_the_admin_never_shows_private_conversations(admin_client, samples):
    message = Message.objects.get()
    listing = admin_client.get(admin_url(Message, "changelist"))
    assert listing.status_code == 200
    assert "Un message privé" not in listing.content.decode()
    assert admin_client.get(admin_url(Message, "change", message.pk)).status_code == 403


def test_counters_are_read_only_in_the_admin(admin_client, samples):
    idea = samples["idea"]
    page = admin_client.get(admin_url(Idea, "change", idea.pk)).content.decode()
    assert 'name="supporters_count"' not in page
    assert Comment.objects.exists() and NewsPost.objects.exists() and Connection.objects.exists()


def test_editing_an_idea_in_the_admin_goes_through_the_service(admin_client, samples):
    idea = samples["idea"]
    needs = list(idea.needs.order_by("position", "pk"))
    data = {
        "holder": idea.holder_id,
        "organization": "",
        "title": "Toits solaires pour tous",
        "pitch": idea.pitch,
        "description": "Des **panneaux** sur les écoles.",
        "themes": [t.pk for t in idea.themes.all()],
        "districts": [d.pk for d in idea.districts.all()],
        "stage": Idea.Stage.BUILDING,
        "team": "",
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
        "images-MIN_NUM_FORMS": 0,
        "images-MAX_NUM_FORMS": 1000,
        "needs-TOTAL_FORMS": len(needs),
        "needs-INITIAL_FORMS": len(needs),
        "needs-MIN_NUM_FORMS": 0,
        "needs-MAX_NUM_FORMS": 1000,
    }
    for i, need in enumerate(needs):
        data |= {
            f"needs-{i}-id": need.pk,
            f"needs-{i}-idea": idea.pk,
            f"needs-{i}-kind": need.kind,
            f"needs-{i}-description": need.description,
            f"needs-{i}-amount": need.amount or "",
            f"needs-{i}-position": need.position,
        }

    response = admin_client.post(admin_url(Idea, "change", idea.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    idea.refresh_from_db()
    assert idea.title == "Toits solaires pour tous"
    assert "<strong>panneaux</strong>" in idea.description_html  # rendered by services.update_idea
    assert Idea.objects.filter(pk=idea.pk, search__isnull=False).exists()


def test_adding_a_mission_in_the_admin_stores_its_arrondissement(admin_client, organization):
    data = {
        "organization": organization.pk,
        "created_by": "",
        "kind": "volunteering",
        "title": "Maraude du soir",
        "description": "Distribuer des repas chauds.",
        "themes": [theme("solidarite").pk],
        "address": "Place de l'Hôtel de Ville, 75004 Paris",
        "location": "SRID=4326;POINT(2.3522 48.8566)",
        "schedule": Mission.Schedule.PERIOD,
        "start_date": in_days(3).isoformat(),
        "end_date": in_days(30).isoformat(),
        "weekdays": "",
        "time_slots": "",
        "commitment": Mission.Commitment.HOURS_PER_WEEK,
        "commitment_hours": 3,
        "places": 4,
        "skills": "",
        "min_age": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "applications-TOTAL_FORMS": 0,
        "applications-INITIAL_FORMS": 0,
        "applications-MIN_NUM_FORMS": 0,
        "applications-MAX_NUM_FORMS": 1000,
    }

    response = admin_client.post(admin_url(Mission, "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    mission = Mission.objects.get(title="Maraude du soir")
    assert mission.district.number == 4
    assert mission.status == Mission.Status.DRAFT  # published through the action, by the service


def test_a_mission_ending_before_it_starts_is_a_form_error_in_the_admin(admin_client, organization):
    response = admin_client.post(
        admin_url(Mission, "add"),
        {
            "organization": organization.pk,
            "title": "Dates à l'envers",
            "description": "…",
            "themes": [theme("solidarite").pk],
            "remote": "on",
            "schedule": Mission.Schedule.PERIOD,
            "start_date": in_days(10).isoformat(),
            "end_date": in_days(5).isoformat(),
            "commitment": Mission.Commitment.HOURS_PER_WEEK,
            "commitment_hours": 2,
            "places": 1,
            "applications-TOTAL_FORMS": 0,
            "applications-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200  # the form again, with the error; nothing saved
    assert not Mission.objects.filter(title="Dates à l'envers").exists()
