"""Waiting times read as people say them: minutes under an hour (the office's figures once said "0,0 h")."""

import pytest
from django.utils import translation

from core.templatetags.words import duration_hours


@pytest.mark.parametrize(
    "hours, french",
    [
        (0.0, "1\u00a0min"),
        (0.01, "1\u00a0min"),
        (0.5, "30\u00a0min"),
        (0.99, "59\u00a0min"),
        (1, "1,0\u00a0h"),
        (10.25, "10,2\u00a0h"),
    ],
)
def test_a_waiting_time_is_minutes_under_an_hour_and_hours_above(hours, french):
    with translation.override("fr"):
        assert duration_hours(hours) == french


def test_no_time_is_no_words():
    assert duration_hours(None) == ""
