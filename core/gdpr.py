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


def export_moderation(user) -> dict:
    """What the account reported, and, for the team, what it did that the audit log recorded."""
    from .models import AuditLog, Report

    return {
        "reports": [
            {
                "content": f"{r.content_type.app_label}.{r.content_type.model}",
                "content_id": r.object_id,
                "reason": r.reason,
                "created_at": r.created_at.isoformat(),
                "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
            }
            for r in Report.objects.filter(reporter=user).select_related("content_type").order_by("created_at")
        ],
        "audited_actions": [
            {"action": a.action, "target": a.target_repr, "reason": a.reason, "at": a.created_at.isoformat()}
            for a in AuditLog.objects.filter(actor=user).order_by("created_at")
        ],
    }


# Reports and audit records stay after an erasure (moderation evidence), with the account removed (SET_NULL).
register("moderation", exporter=export_moderation)
