"""The home page's four spaces: each app registers a card (title, text, link, a few recent items)."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Space:
    key: str
    title: str
    description: str
    url_name: str
    position: int = 0
    recent: Callable[[], list] = field(default=lambda: [])  # [(title, url), ...]
    figures: Callable[[], list] = field(default=lambda: [])  # [(label, number), ...]


_spaces: dict[str, Space] = {}


def register(space: Space) -> None:
    _spaces[space.key] = space


def spaces() -> list[Space]:
    return sorted(_spaces.values(), key=lambda s: s.position)
