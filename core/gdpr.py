"""GDPR registry: each app says what personal data it holds for an account (export) and how to erase it.

`GET /api/v1/me/export/` merges every exporter; `DELETE /api/v1/me/` runs every eraser, then deletes the
account. Public contributions keep existing with their author set to NULL ("compte supprimé").
"""

from collections.abc import Callable

_exporters: dict[str, Callable] = {}
_erasers: dict[str, Callable] = {}


def register(section: str, exporter: Callable | None = None, eraser: Callable | None = None) -> None:
    if exporter:
        _exporters[section] = exporter
    if eraser:
        _erasers[section] = eraser


def export(user) -> dict:
    return {section: exporter(user) for section, exporter in sorted(_exporters.items())}


def erase(user) -> None:
    for eraser in _erasers.values():
        eraser(user)
