"""Who may do what in the volunteering marketplace."""

import rules

from accounts.rules import is_member_of_verified_org, is_org_member, is_team, is_verified


@rules.predicate
def is_mission_member(user, mission):
    return mission is not None and is_org_member(user, mission.organization)


@rules.predicate
def mission_is_public(user, mission):
    return mission is not None and mission.status in ("published", "full", "closed", "expired")


@rules.predicate
def is_applicant(user, application):
    return bool(user and user.is_authenticated and application is not None and application.volunteer_id == user.pk)


@rules.predicate
def is_application_member(user, application):
    return application is not None and is_org_member(user, application.organization)


@rules.predicate
def is_verified_member(user, organization):
    return organization is not None and organization.verified and is_org_member(user, organization)


rules.add_perm("volunteering.add_mission", is_member_of_verified_org)
rules.add_perm("volunteering.view_mission", mission_is_public | is_mission_member | is_team)
rules.add_perm("volunteering.change_mission", is_mission_member)
rules.add_perm("volunteering.apply", is_verified)
rules.add_perm("volunteering.view_application", is_applicant | is_application_member)
rules.add_perm("volunteering.change_application", is_application_member)
rules.add_perm("volunteering.withdraw_application", is_applicant)
rules.add_perm("volunteering.manage_applications", is_org_member)  # object: organisation
rules.add_perm("volunteering.publish_for", is_verified_member)  # object: organisation
