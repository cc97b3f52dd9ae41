"""A mission's dates as an iCalendar file (RFC 5545), written by hand: one VEVENT, no dependency needed."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Mission

ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def escape_text(value: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines of at most 75 octets (§3.1), continued with CRLF and one space; never splits a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # The first line holds 75 octets; the following ones 74 plus the leading space.
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _first_weekday_on_or_after(start: datetime.date, weekdays) -> datetime.date:
    for offset in range(7):
        day = start + datetime.timedelta(days=offset)
        if day.weekday() in weekdays:
            return day
    return start


def _when(mission: Mission) -> list[str]:
    """All-day dates: the mission gives days (and loose time slots), not hours. DTEND is exclusive (§3.6.1)."""
    one_day = datetime.timedelta(days=1)
    if mission.schedule == Mission.Schedule.RECURRING and mission.weekdays:
        first = _first_weekday_on_or_after(mission.start_date, set(mission.weekdays))
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(ICAL_DAYS[d] for d in sorted(set(mission.weekdays)))
        if mission.end_date:
            rule += f";UNTIL={_date(mission.end_date)}"
        return [f"DTSTART;VALUE=DATE:{_date(first)}", f"DTEND;VALUE=DATE:{_date(first + one_day)}", f"RRULE:{rule}"]
    end = mission.end_date
    if end is None and mission.is_internship and mission.duration_weeks:
        # An internship given by its length only: its last day, duration_weeks after its first.
        end = mission.start_date + datetime.timedelta(weeks=mission.duration_weeks) - one_day
    end = end if mission.schedule != Mission.Schedule.ONE_OFF and end else mission.start_date
    return [f"DTSTART;VALUE=DATE:{_date(mission.start_date)}", f"DTEND;VALUE=DATE:{_date(end + one_day)}"]


def _description(mission: Mission, url: str) -> str:
    parts = [mission.organization.name]
    if mission.is_internship:  # what the intern needs in the calendar; never the tutor (private)
        parts.append(
            _("Internship: %(trade)s, %(hours)s hours a week")
            % {"trade": mission.trade, "hours": mission.weekly_hours or "—"}
        )
        parts.append(mission.tasks.strip())
    if mission.time_slots:
        parts.append(_("Time of day: %(slots)s") % {"slots": ", ".join(str(s) for s in mission.time_slot_labels())})
    parts += [mission.description.strip(), url]
    return "\n\n".join(p for p in parts if p)


def mission_calendar(mission: Mission, now=None) -> str:
    now = now or timezone.now()
    url = settings.SITE_URL + mission.get_absolute_url()
    host = urlsplit(settings.SITE_URL).hostname or "participe"
    location = mission.address or (_("Remotely") if mission.remote else "")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ville de Paris//Participe//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:mission-{mission.pk}@{host}",
        f"DTSTAMP:{now.astimezone(datetime.UTC).strftime('%Y%m%dT%H%M%SZ')}",
        *_when(mission),
        f"SUMMARY:{escape_text(mission.title)}",
        f"LOCATION:{escape_text(location)}" if location else "",
        f"DESCRIPTION:{escape_text(_description(mission, url))}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines if line)
