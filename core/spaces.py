"""The home page's four spaces: each app registers a card (title, text, link, a few recent items)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def figure(text: str, number: int) -> SafeString:
    """A home-page figure as one phrase that says what it counts ("version 2 en vigueur", "12 propositions"),
    translated with its plural by the caller (`ngettext`), the number in bold: `text` holds "%(n)s"."""
    return mark_safe(escape(text) % {"n": format_html("<strong>{}</strong>", number)})  # noqa: S308 - escaped


@dataclass(frozen=True)
class Space:
    key: str
    title: str
    description: str
    url_name: str
    position: int = 0
    recent: Callable[[], list] = field(default=lambda: [])  # [(title, url), ...]
    figures: Callable[[], list] = field(default=lambda: [])  # [figure(...), ...]: what each number counts


_spaces: dict[str, Space] = {}


def register(space: Space) -> None:
    _spaces[space.key] = space


def spaces() -> list[Space]:
    return sorted(_spaces.values(), key=lambda s: s.position)
