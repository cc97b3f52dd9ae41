"""Strategy permissions: the mission team edits, triages and publishes; verified residents comment."""

import rules

from accounts.rules import is_team, is_verified

rules.add_perm("strategy.view_inbox", is_team)
rules.add_perm("strategy.triage_contribution", is_team)
rules.add_perm("strategy.add_offline_contribution", is_team)
rules.add_perm("strategy.edit_section", is_team)
rules.add_perm("strategy.publish_version", is_team)
rules.add_perm("strategy.view_team_dashboard", is_team)
rules.add_perm("strategy.comment_section", is_verified)
