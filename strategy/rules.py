"""Strategy permissions: the mission team edits, triages and publishes; verified residents comment.

Sections are owned by the referent of their theme: the referent of the section's theme, team members
who are referent of no theme (the mission's coordinators) and administrators may edit it; a referent of
another theme may read the draft but not change it. Asked without a section, `strategy.edit_section`
says whether the account may edit some section (the team).
"""

import rules

from accounts.rules import is_member_of_verified_org, is_team, is_verified


@rules.predicate
def is_admin(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


@rules.predicate
def is_referent_of_section(user, section):
    return section is not None and section.theme.referent_id == user.pk


@rules.predicate
def has_no_referent_role(user):
    return not user.referent_themes.exists()


@rules.predicate
def no_section_given(user, section=None):
    return section is None


may_edit_section = is_team & (no_section_given | is_admin | is_referent_of_section | has_no_referent_role)

rules.add_perm("strategy.view_inbox", is_team)
rules.add_perm("strategy.triage_contribution", is_team)
rules.add_perm("strategy.add_offline_contribution", is_team)
rules.add_perm("strategy.edit_section", may_edit_section)
rules.add_perm("strategy.publish_version", is_team)
rules.add_perm("strategy.view_team_dashboard", is_team)
rules.add_perm("strategy.comment_section", is_verified)
rules.add_perm("strategy.open_consultation", is_team)
rules.add_perm("strategy.annotate_section", is_verified | is_member_of_verified_org)
rules.add_perm("strategy.support_annotation", is_verified | is_member_of_verified_org)
rules.add_perm("strategy.reply_annotation", is_verified | is_member_of_verified_org)
rules.add_perm("strategy.record_workshop", is_team)
