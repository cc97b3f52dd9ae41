"""Who may open consultations, annotate, support, reply and record workshops."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import MembershipFactory, TeamUserFactory, UnverifiedUserFactory, UserFactory

PERMS = [
    "strategy.open_consultation",
    "strategy.annotate_section",
    "strategy.support_annotation",
    "strategy.reply_annotation",
    "strategy.record_workshop",
]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", [False, False, False, False, False]),
        ("unverified", [False, False, False, False, False]),
        ("resident", [False, True, True, True, False]),
        ("org_member", [False, True, True, True, False]),
        ("team", [True, True, True, True, True]),
    ],
)
def test_permission_matrix(db, who, expected):
    users = {
        "anonymous": lambda: AnonymousUser(),
        "unverified": lambda: UnverifiedUserFactory(),
        "resident": lambda: UserFactory(),
        "org_member": lambda: MembershipFactory(user=UnverifiedUserFactory(email="membre@example.org")).user,
        "team": lambda: TeamUserFactory(),
    }
    user = users[who]()
    assert [user.has_perm(p) for p in PERMS] == expected
