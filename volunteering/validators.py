"""Dates an offer or an application may carry: a typing slip (0001-01-01, 2206 for 2026) is refused in words.

One validator for the forms, the serializers and the services alike, each date judged against today's date in
Paris (timezone.localdate()), when it is checked.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# Further ahead than this, a date is a slip of the year, not a plan: offers are published and candidates apply
# months ahead, not years.
MAX_DAYS_AHEAD = 2 * 365


def latest_date(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=MAX_DAYS_AHEAD)


@deconstructible(path="volunteering.validators.DateWindowValidator")
class DateWindowValidator:
    """A date no later than two years from today; with `past=False`, not before today either."""

    too_early = _("This date is in the past: give today's date or a later one.")
    too_late = _("This date is more than two years away: check the year (%(last)s at the latest).")

    def __init__(self, past: bool = True):
        self.past = past

    def __call__(self, value):
        if not isinstance(value, datetime.date):
            return
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        today = timezone.localdate()
        if not self.past and value < today:
            raise ValidationError(self.too_early, code="date_in_the_past")
        last = latest_date(today)
        if value > last:
            raise ValidationError(self.too_late, code="date_too_far", params={"last": date_format(last)})

    def __eq__(self, other):
        return isinstance(other, DateWindowValidator) and other.past == self.past


not_too_far = DateWindowValidator()
from_today = DateWindowValidator(past=False)
