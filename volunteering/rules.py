"""Who may do what in the volunteering marketplace."""

import rules
from django.contrib.auth.backends import ModelBackend

from accounts.rules import is_member_of_verified_org, is_org_member, is_team, is_verified


@rules.predicate
def is_active_user(user):
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_internship_office(user):
    """The City's internship office: a team account given the "volunteering.internship_office" permission (a group)."""
    if not is_team(user):
        return False
    # Asked of Django's ModelBackend (groups and permissions); no rule of this name exists, so no recursion.
    return user.is_superuser or ModelBackend().has_perm(user, "volunteering.internship_office")


def _is_internship_manager(user, organization) -> bool:
    if not (user and user.is_authenticated) or organization is None:
        return False
    if organization.kind != "city_service":
        return False
    return organization.memberships.filter(user=user, role__in=("admin", "correspondent")).exists()


@rules.predicate
def is_internship_manager(user, organization):
    """An administrator or internship correspondent of a City direction (object: organisation)."""
    return _is_internship_manager(user, organization)


@rules.predicate
def is_city_service(user, organization):
    return organization is not None and organization.kind == "city_service"


@rules.predicate
def is_mission_member(user, mission):
    if mission is None:
        return False
    if mission.kind == "internship":
        return _is_internship_manager(user, mission.organization)
    return is_org_member(user, mission.organization)


@rules.predicate
def mission_is_public(user, mission):
    return mission is not None and mission.status in ("published", "full", "closed", "expired")


@rules.predicate
def is_applicant(user, application):
    return bool(user and user.is_authenticated and application is not None and application.volunteer_id == user.pk)


@rules.predicate
def is_application_member(user, application):
    if application is None:
        return False
    if application.kind == "internship":
        return _is_internship_manager(user, application.organization)
    return is_org_member(user, application.organization)


@rules.predicate
def is_internship_application(user, application):
    return application is not None and application.kind == "internship"


@rules.predicate
def is_internship_offer(user, mission):
    return mission is not None and mission.kind == "internship"


@rules.predicate
def is_accepted_applicant(user, application):
    return is_applicant(user, application) and application.status == "accepted"


@rules.predicate
def has_accepted_application(user, mission):
    # The mission's contact details are for the volunteers it took on, not for every visitor.
    if not (user and user.is_authenticated) or mission is None:
        return False
    return mission.applications.filter(volunteer=user, status="accepted").exists()


@rules.predicate
def application_is_open(user, application):
    return application is not None and application.status not in ("withdrawn", "declined")


@rules.predicate
def is_verified_member(user, organization):
    return organization is not None and organization.verified and is_org_member(user, organization)


rules.add_perm("volunteering.add_mission", is_member_of_verified_org)
rules.add_perm("volunteering.view_mission", mission_is_public | is_mission_member | is_team)
# Internships: a direction's administrators and correspondents manage its offers; the internship office sees all.
rules.add_perm("volunteering.manage_internships", is_internship_manager)  # object: organisation
rules.add_perm("volunteering.view_internship_office", is_internship_office)
rules.add_perm("volunteering.view_tutor", is_mission_member | (is_internship_offer & is_internship_office))
rules.add_perm("volunteering.change_mission", is_mission_member)
rules.add_perm("volunteering.apply", is_verified)
rules.add_perm(
    "volunteering.view_application",
    is_applicant | is_application_member | (is_internship_application & is_internship_office),
)
rules.add_perm("volunteering.change_application", is_application_member)
rules.add_perm("volunteering.withdraw_application", is_applicant)
rules.add_perm("volunteering.manage_applications", is_org_member)  # object: organisation
# An organisation's figures, one kind of offers at a time (object: organisation). Volunteering: its members, who
# publish the missions and answer their volunteers. Internships: a direction's administrators and correspondents and
# the internship office — a direction's plain members see neither its internship offers nor their figures.
rules.add_perm("volunteering.view_statistics", is_org_member)
rules.add_perm(
    "volunteering.view_internship_statistics", is_city_service & (is_internship_manager | is_internship_office)
)
rules.add_perm("volunteering.publish_for", is_verified & is_verified_member)  # object: organisation
# Contact person (name, e-mail, phone): the accepted volunteer and the organisation's members, nobody else.
rules.add_perm("volunteering.view_contact", is_accepted_applicant | is_application_member)  # object: application
rules.add_perm("volunteering.view_mission_contact", has_accepted_application | is_mission_member)  # object: mission
# Messages under an application: its two sides only; closed (withdrawn or declined) threads can be read, not written.
rules.add_perm("volunteering.read_messages", is_applicant | is_application_member)
rules.add_perm(
    "volunteering.message_application",
    is_active_user & application_is_open & (is_applicant | is_application_member),
)
rules.add_perm("volunteering.issue_attestation", is_application_member)
rules.add_perm("volunteering.view_attestation", is_applicant | is_application_member)
