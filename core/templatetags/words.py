"""The words of the site: how an arrondissement is named ("12e arr.", "1er arr."), one rule for every page."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

from core.territory import district_label

register = template.Library()


@register.filter(name="arr")
def arr(district) -> str:
    return district_label(district)


@register.filter(name="duration_hours")
def duration_hours(hours) -> str:
    """A waiting time given in hours, as people say it: "35 min" under an hour (never "0,0 h"), "4,5 h" above."""
    if hours is None or hours == "":
        return ""
    hours = float(hours)
    if hours < 1:
        return gettext("%(n)s min") % {"n": max(1, round(hours * 60))}
    return gettext("%(n)s h") % {"n": number_format(round(hours, 1), decimal_pos=1)}
