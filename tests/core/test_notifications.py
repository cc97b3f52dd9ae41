"""Notifications are side effects: sized by construction, never the reason an action fails, stored as keys and
rendered in the reader's language, delivered as each person chose (site, e-mail, weekly digest, never)."""

import datetime
import logging

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import notifications
from core.models import Notification, NotificationSetting
from core.notifications import Message, notify
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory
from tests.volunteering.factories import MissionFactory, in_days
from volunteering import services as volunteering
from volunteering.models import Application, Mission

pytestmark = pytest.mark.django_db

LONG_NAME = "Marie-Christine Bénédicte de La Rochefoucauld-Montmorency-Sainte-Hélène d'Artois"[:80]
# The longest texts the models allow, with characters that must survive: quotes, accents, placeholders.
MISSION_TITLE = ("Accompagnement « numérique » des aînés {target} %(x)s — " * 5)[:160]
ORG_NAME = ("Association des habitantes et habitants du quartier Saint-Ambroise " * 3)[:150]


class ExplodingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture
def association():
    org = OrganizationFactory(name=ORG_NAME)
    member = MembershipFactory(organization=org, user=UserFactory(email="asso-longue@example.org")).user
    return org, member


@pytest.fixture
def long_volunteer():
    return UserFactory(email="volontaire@example.org", display_name=LONG_NAME)


def _apply(volunteer, mission):
    return client_for(volunteer).post(
        f"/api/v1/volunteering/missions/{mission.pk}/applications/",
        {"message": "Bonjour, je suis disponible le samedi."},
        format="json",
    )


def _refuse_notifications(kind):
    """Make the database refuse one kind of notification (what the old varchar(200) did for long titles)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_notification ADD CONSTRAINT test_refused CHECK (kind <> %s) NOT VALID", [kind])


# --- Sized by construction: the longest titles and names, in every space --------------------------------------------


def test_long_name_applying_to_long_titled_mission_is_saved_and_notified(
    association, long_volunteer, django_capture_on_commit_callbacks
):
    org, member = association
    assert len(LONG_NAME) == 80 and len(MISSION_TITLE) == 160
    mission = MissionFactory(organization=org, title=MISSION_TITLE)
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply(long_volunteer, mission)
    assert response.status_code == 201, response.content
    assert Application.objects.filter(volunteer=long_volunteer, mission=mission).exists()
    notification = Notification.objects.get(recipient=member, kind="volunteering.application")
    assert LONG_NAME in notification.title and MISSION_TITLE in notification.title
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "\n" not in mail.outbox[0].subject and len(mail.outbox[0].subject) <= 150
    assert mail.outbox[0].subject.endswith("…")


def test_status_change_on_long_titled_mission_reaches_the_volunteer(association, long_volunteer):
    org, member = association
    mission = MissionFactory(organization=org, title=MISSION_TITLE)
    application = volunteering.apply(long_volunteer, mission, "Bonjour")
    response = client_for(member).patch(
        f"/api/v1/volunteering/applications/{application.pk}/", {"status": "accepted"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert MISSION_TITLE in Notification.objects.get(recipient=long_volunteer, kind="volunteering.accepted").title


def test_message_on_long_titled_idea_is_saved_and_notified():
    from ideas import services as ideas
    from ideas.models import Message as IdeaMessage
    from tests.ideas.factories import make_idea, make_partner

    holder = UserFactory(email="porteur-long@example.org", display_name=LONG_NAME)
    idea = make_idea(holder, title=("Des toits solaires « partagés » pour {tous} %(x)s " * 4)[:150])
    partner, member = make_partner(name=ORG_NAME)
    link = ideas.propose_connection(member, idea, partner=partner, need=idea.needs.first(), message="Bonjour")
    response = client_for(holder).post(
        f"/api/v1/connections/{link.pk}/messages/", {"body": "Voyons-nous jeudi ?"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert IdeaMessage.objects.filter(connection=link, body="Voyons-nous jeudi ?").exists()
    notification = Notification.objects.get(recipient=member, kind="ideas.message")
    assert idea.title in notification.title and LONG_NAME in notification.title


def test_status_of_long_titled_proposal_reaches_author_and_voters(team_member, django_capture_on_commit_callbacks):
    from mapvotes import services as mapvotes
    from mapvotes.models import TITLE_MAX
    from tests.mapvotes.factories import ProposalFactory

    author = UserFactory(display_name=LONG_NAME)
    voter = UserFactory()
    proposal = ProposalFactory(author=author, title=("Une piste « cyclable » {rue} %(x)s " * 6)[:TITLE_MAX])
    mapvotes.cast_vote(voter, proposal.pk, "for")
    with django_capture_on_commit_callbacks(execute=True):  # the voters are told by a task, after commit
        response = client_for(team_member).post(
            f"/api/v1/map/proposals/{proposal.pk}/status/",
            {"status": "retained", "reason": "Retenue au budget participatif."},
            format="json",
        )
    assert response.status_code == 200, response.content
    for reader in (author, voter):
        assert proposal.title in Notification.objects.get(recipient=reader, kind="mapvotes.status").title


def test_long_titled_contribution_integrated_in_strategy_is_notified(team_member):
    from strategy import services as strategy
    from tests.strategy.factories import ChapterFactory, ContributionFactory, SectionFactory

    author = UserFactory(display_name=LONG_NAME)
    section = SectionFactory(chapter=ChapterFactory(title="Mobilité"), slug="mobilite-velo", title="Vélo " * 40)
    strategy.publish_version(team_member, "Première version.")
    contribution = ContributionFactory(author=author, title=("Des arceaux « vélo » {partout} " * 10)[:300])
    strategy.triage(contribution, team_member, sections=[section.slug])
    strategy.edit_section(section, team_member, "Des arceaux devant les écoles.", section.revision)
    strategy.publish_version(team_member, "Résumé " * 200)
    notification = Notification.objects.get(recipient=author, kind="strategy.integrated")
    assert contribution.title[:120] in notification.title


# --- A failing side effect never blocks the action ------------------------------------------------------------------


def test_refused_notification_does_not_refuse_the_application(
    association, long_volunteer, caplog, django_capture_on_commit_callbacks
):
    org, member = association
    mission = MissionFactory(organization=org, title=MISSION_TITLE)
    _refuse_notifications("volunteering.application")
    with caplog.at_level(logging.ERROR, logger="core.side_effects"), django_capture_on_commit_callbacks(execute=True):
        response = _apply(long_volunteer, mission)
    assert response.status_code == 201, response.content
    assert Application.objects.filter(volunteer=long_volunteer, mission=mission).exists()
    assert not Notification.objects.filter(kind="volunteering.application").exists()
    assert "notification volunteering.application" in caplog.text


def test_failing_email_backend_does_not_fail_the_application(
    settings, association, long_volunteer, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.ExplodingBackend"
    org, member = association
    mission = MissionFactory(organization=org, title=MISSION_TITLE)
    with caplog.at_level(logging.ERROR, logger="core.side_effects"), django_capture_on_commit_callbacks(execute=True):
        response = _apply(long_volunteer, mission)
    assert response.status_code == 201, response.content
    assert Notification.objects.filter(recipient=member, kind="volunteering.application").exists()
    assert "SMTP server unreachable" in caplog.text


def test_web_form_application_succeeds_when_email_fails(settings, association, long_volunteer, caplog):
    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.ExplodingBackend"
    org, _member = association
    mission = MissionFactory(organization=org, title=MISSION_TITLE)
    browser = Client()
    browser.force_login(long_volunteer)
    with caplog.at_level(logging.ERROR, logger="core.side_effects"):
        response = browser.post(f"/benevolat/missions/{mission.pk}/", {"message": "Bonjour"})
    assert response.status_code in (302, 200), response.status_code
    assert Application.objects.filter(volunteer=long_volunteer, mission=mission).exists()


def test_mission_expiry_expires_every_mission_even_with_one_broken(association, caplog):
    org, member = association
    with connection.cursor() as cursor:
        # One mission the database refuses to expire, one whose notifications it refuses.
        cursor.execute(
            "ALTER TABLE volunteering_mission ADD CONSTRAINT test_broken"
            " CHECK (status <> 'expired' OR title NOT LIKE 'Cassée%%') NOT VALID"
        )
    _refuse_notifications("volunteering.expired")
    ended = []
    for title in ("Cassée : " + MISSION_TITLE, MISSION_TITLE, "Collecte de printemps"):
        mission = MissionFactory(organization=org, title=title[:160])
        Mission.objects.filter(pk=mission.pk).update(start_date=in_days(-20), end_date=in_days(-1))
        ended.append(mission)
    with caplog.at_level(logging.ERROR):
        assert volunteering.expire_missions() == 2
    statuses = dict(Mission.objects.filter(pk__in=[m.pk for m in ended]).values_list("title", "status"))
    assert statuses[MISSION_TITLE] == statuses["Collecte de printemps"] == Mission.Status.EXPIRED
    assert statuses[ended[0].title] == Mission.Status.PUBLISHED  # retried at the next run
    assert "Mission expiry failed" in caplog.text


# --- Stored as keys, rendered in the reader's language --------------------------------------------------------------


def test_notification_is_rendered_in_each_readers_language(django_capture_on_commit_callbacks):
    french = UserFactory(email="lectrice@example.org", preferred_language="fr")
    english = UserFactory(email="reader@example.org", preferred_language="en")
    title = Message(gettext_noop("New application from {name} for “{target}”"), name="Léa", target="Jardinage")
    with django_capture_on_commit_callbacks(execute=True):
        for reader in (french, english):
            notify(reader, "volunteering.application", title, "Bonjour", url="/benevolat/")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[french.email] == "[Participe] Nouvelle candidature de Léa pour «\u00a0Jardinage\u00a0»"
    assert subjects[english.email] == "[Participe] New application from Léa for “Jardinage”"
    stored = Notification.objects.get(recipient=french)
    assert stored.message["title"]["key"] == "New application from {name} for “{target}”"

    # The page and the API follow the language the reader reads in, whatever the row was written in.
    browser = Client()
    browser.force_login(french)
    assert "Nouvelle candidature de Léa" in browser.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    browser.cookies["django_language"] = "en"
    assert "New application from Léa" in browser.get("/notifications/").content.decode()
    api = client_for(english)
    assert (
        api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en")
        .json()["results"][0]["title"]
        .startswith("New application from Léa")
    )
    assert (
        api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
        .json()["results"][0]["title"]
        .startswith("Nouvelle candidature de Léa")
    )


def test_choice_labels_in_parameters_are_translated_too(team_member):
    from mapvotes import services as mapvotes
    from tests.mapvotes.factories import ProposalFactory

    author = UserFactory(preferred_language="en")
    proposal = ProposalFactory(author=author, title="Bancs place Léon-Blum")
    mapvotes.change_status(team_member, proposal, "retained", "Budget voté.")
    notification = Notification.objects.get(recipient=author, kind="mapvotes.status")
    from django.utils import translation

    with translation.override("en"):
        english = notification.display_title
    with translation.override("fr"):
        french = notification.display_title
    assert english == "“Bancs place Léon-Blum” is now: Retained"
    assert french != english and "Bancs place Léon-Blum" in french
    assert notification.message["title"]["params"]["status"] == {"key": "Retained", "params": {}}


def test_rows_written_before_keys_keep_their_text(resident):
    old = Notification.objects.create(recipient=resident, kind="volunteering.accepted", title="Texte d'avant")
    client = client_for(resident)
    assert client.get("/api/v1/notifications/").json()["results"][0]["title"] == "Texte d'avant"
    old.message = {"title": {"key": "Broken {placeholder}", "params": {}}}
    old.save()
    assert client.get("/api/v1/notifications/").json()["results"][0]["title"] == "Broken {placeholder}"
    old.message = {"title": {"key": "{missing}", "params": {"other": 1}}}
    old.save()
    assert client.get("/api/v1/notifications/").json()["results"][0]["title"] == "Texte d'avant"


def test_user_text_in_parameters_is_never_interpreted(resident):
    title = Message(gettext_noop("New comment on “%(title)s”"), title="{0.__class__} %(title)s %s")
    notification = notify(resident, "ideas.comment", title)
    assert notification.display_title.endswith("{0.__class__} %(title)s %s»") or "{0.__class__}" in (
        notification.display_title
    )


# --- Settings: per category, site / e-mail / weekly digest / never --------------------------------------------------


def _choose(user, category, channel):
    NotificationSetting.objects.update_or_create(user=user, category=category, defaults={"channel": channel})


def test_settings_are_respected(resident, django_capture_on_commit_callbacks):
    accepted = Message(gettext_noop("Your application for “{target}” has been accepted"), target="Jardinage")

    def send(kind, title, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(resident, kind, title, **kwargs)

    send("volunteering.accepted", accepted)  # default: on the site and by e-mail
    assert len(mail.outbox) == 1
    _choose(resident, "application_status", "in_app")
    assert send("volunteering.accepted", accepted) is not None
    assert len(mail.outbox) == 1
    _choose(resident, "application_status", "none")
    assert send("volunteering.accepted", accepted) is None
    send("ideas.comment", "Un commentaire", email=False)  # comments: on the site by default
    assert len(mail.outbox) == 1
    _choose(resident, "comments", "email")
    send("ideas.comment", "Un commentaire", email=False)  # the person asked for e-mails
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(recipient=resident).count() == 4


def test_weekly_digest_sends_one_email_per_account_with_unread_items(django_capture_on_commit_callbacks):
    english = UserFactory(email="digest-en@example.org", preferred_language="en")
    french = UserFactory(email="digest-fr@example.org", preferred_language="fr")
    for user in (english, french):
        _choose(user, "mission_reminders", "digest")
    with django_capture_on_commit_callbacks(execute=True):
        for user in (english, french):
            for count in (3, 4):
                notify(
                    user,
                    "volunteering.unanswered",
                    Message(
                        gettext_noop("{count} applications have been waiting for an answer for more than 7 days"),
                        count=count,
                    ),
                    url="/benevolat/",
                )
    assert mail.outbox == []
    Notification.objects.filter(recipient=french, title__startswith="3").update(read_at=timezone.now())
    assert notifications.send_weekly_digests() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {english.email, french.email}
    assert "2 notifications" in by_recipient[english.email].subject
    assert "3 applications have been waiting" in by_recipient[english.email].body
    assert "1 notification" in by_recipient[french.email].subject
    assert "4 candidatures" in by_recipient[french.email].body
    assert "3 candidatures" not in by_recipient[french.email].body  # already read on the site
    assert "/comptes/notifications/" in by_recipient[french.email].body
    assert notifications.send_weekly_digests() == 0  # nothing twice
    assert len(mail.outbox) == 2


def test_digest_failing_for_one_account_keeps_its_items_and_serves_the_others(caplog):
    first, second = UserFactory(), UserFactory()
    with connection.cursor() as cursor:
        # The database refuses to mark the first account's items as sent.
        cursor.execute(
            "ALTER TABLE core_notification ADD CONSTRAINT test_stuck CHECK (digest_pending OR recipient_id <> %s)"
            " NOT VALID",
            [first.pk],
        )
    for user in (first, second):
        _choose(user, "other", "digest")
        notify(user, "tests.something", "Quelque chose")
    with caplog.at_level(logging.ERROR):
        assert notifications.send_weekly_digests() == 1
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert list(Notification.objects.filter(digest_pending=True).values_list("recipient", flat=True)) == [first.pk]
    assert "Weekly digest failed" in caplog.text


def test_weekly_digest_is_a_periodic_job():
    from core import periodic

    job = periodic.get("core.send_weekly_digests")
    assert job.interval == datetime.timedelta(days=7)


def test_settings_page_shows_and_saves_every_category(resident):
    browser = Client()
    browser.force_login(resident)
    page = browser.get("/comptes/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    content = page.content.decode()
    for category in notifications.CATEGORIES:
        assert f'name="{category.slug}"' in content
    assert "Jamais" in content
    choices = {c.slug: c.default for c in notifications.CATEGORIES}
    choices["connections"] = "digest"
    choices["comments"] = "none"
    response = browser.post("/comptes/notifications/", choices)
    assert response.status_code == 302
    assert notifications.settings_of(resident)["connections"] == "digest"
    assert notifications.channel_for(resident, "ideas.message") == "digest"
    assert notifications.channel_for(resident, "ideas.comment") == "none"
    assert browser.post("/comptes/notifications/", {"comments": "everything"}).status_code == 200  # form errors
    assert notifications.channel_for(resident, "ideas.comment") == "none"


def test_settings_page_needs_an_account():
    assert Client().get("/comptes/notifications/").status_code == 302


def test_inactive_or_missing_recipient_is_no_error():
    gone = TeamUserFactory(is_active=False)
    assert notify(gone, "other", "x") is None
    assert notify(None, "other", "x") is None


def test_refused_strategy_inbox_copy_does_not_refuse_the_proposal(resident, caplog):
    from mapvotes.models import TITLE_MAX, Proposal
    from strategy.models import Contribution

    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE strategy_contribution ADD CONSTRAINT test_refused CHECK (source <> 'map') NOT VALID"
        )
    title = ("Végétaliser « la place » {x} %(y)s " * 6)[:TITLE_MAX]
    payload = {
        "title": title,
        "description": "Planter des arbres et installer des bancs.",
        "theme": "vegetalisation",
        "geometry": {"type": "Point", "coordinates": [2.3631, 48.8675]},
    }
    with caplog.at_level(logging.ERROR, logger="core.side_effects"):
        response = client_for(resident).post("/api/v1/map/proposals/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Proposal.objects.filter(pk=response.json()["id"], title=title.strip()).exists()
    assert not Contribution.objects.filter(source="map").exists()  # repaired by the periodic sync
    assert "inbox copy of map" in caplog.text


# --- Dates are stored as such and written in the reader's language and date style ---------------------------------


def test_an_invitation_date_is_written_in_the_readers_language(association, django_capture_on_commit_callbacks):
    from django.utils import translation

    org, member = association
    member.preferred_language = "en"  # the actor writes in English; the volunteer reads in French, then in English
    member.save()
    volunteer = UserFactory(email="invitee@example.org", preferred_language="fr")
    mission = MissionFactory(organization=org)
    application = volunteering.apply(volunteer, mission, "Bonjour")
    year = timezone.localdate().year + 1  # a meeting may be set up to two years ahead
    when = datetime.datetime(year, 12, 5, 13, 30, tzinfo=datetime.UTC)  # 14:30 in Paris
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        volunteering.change_status(
            member,
            application,
            "invited",
            "À bientôt",
            {"convocation_at": when, "convocation_place": "12 rue Oberkampf"},
        )
    notification = Notification.objects.get(recipient=volunteer, kind="volunteering.invited")
    meeting = notification.message["body"]["params"]["meeting"]
    assert meeting["params"]["when"] == {"datetime": f"{year}-12-05T13:30:00+00:00"}
    french = f"À bientôt\nRendez-vous le 5 déc. {year} à 14:30 — 12 rue Oberkampf"
    assert notification.body == french  # the text at creation: the recipient's language, not the actor's
    with translation.override("fr"):
        assert notification.display_body == french
    with translation.override("en"):
        assert notification.display_body == f"À bientôt\nMeeting on Dec. 5, {year}, 14:30 — 12 rue Oberkampf"
    [email] = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert f"Rendez-vous le 5 déc. {year} à 14:30" in email.body
    browser = Client()
    browser.force_login(volunteer)
    assert f"5 déc. {year} à 14:30" in browser.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    api = client_for(volunteer).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert f"Meeting on Dec. 5, {year}, 14:30" in api["body"]


def test_date_parameters_render_per_language_and_survive_bad_rows(resident):
    from django.utils import translation

    title = Message(gettext_noop("Reminder: “{mission}” starts tomorrow"), mission=datetime.date(2031, 3, 7))
    notification = notify(resident, "volunteering.upcoming", title)
    assert notification.message["title"]["params"]["mission"] == {"date": "2031-03-07"}
    with translation.override("fr"):
        assert "7 mars 2031" in notification.display_title
    with translation.override("en"):
        assert "March 7, 2031" in notification.display_title or "Mar. 7, 2031" in notification.display_title
    for broken in ({"datetime": "2031-13-45T99:00:00"}, {"date": "pas une date"}, {"datetime": 12}):
        notification.message = {"title": {"key": "{x}", "params": {"x": broken}}}
        assert isinstance(notification.display_title, str)  # never an error
