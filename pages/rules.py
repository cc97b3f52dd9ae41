"""Who may edit the pages: the mission team (also in the admin site, which asks for these names)."""

import rules

from accounts.rules import is_team

rules.add_perm("pages", is_team)  # the admin site's module permission
rules.add_perm("pages.view_page", is_team)
rules.add_perm("pages.change_page", is_team)
rules.add_perm("pages.view_pageversion", is_team)
rules.add_perm("pages.view_termsacceptance", is_team)
