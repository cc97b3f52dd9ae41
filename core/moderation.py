"""Reports and moderation for any content that uses the `Moderated` mixin (map proposals, comments, ideas)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditLog, Report

# What the audit log page (core.views.audit_log) shows for each recorded action; unknown ones show their code.
ACTION_LABELS = {
    "hide": _("Content hidden"),
    "restore": _("Content restored"),
    "verify_organization": _("Organisation verified"),
    "unverify_organization": _("Organisation verification withdrawn"),
    "accounts.team_granted": _("Made a member of the mission team"),
    "accounts.team_revoked": _("Removed from the mission team"),
    "accounts.admin_access_granted": _("Admin site access given"),
    "accounts.admin_access_revoked": _("Admin site access withdrawn"),
    "accounts.superuser_granted": _("Made a superuser"),
    "accounts.superuser_revoked": _("Superuser status withdrawn"),
    "accounts.verified": _("Account marked verified"),
    "accounts.unverified": _("Account marked not verified"),
    "accounts.deactivated": _("Account deactivated"),
    "accounts.reactivated": _("Account reactivated"),
    "accounts.referent_assigned": _("Theme referent named"),
    "accounts.referent_removed": _("Theme referent removed"),
    "accounts.member_added": _("Member added to an organisation"),
    "accounts.member_role_changed": _("Role of an organisation member changed"),
    "accounts.member_removed": _("Member removed from an organisation"),
    "mapvotes.status": _("Proposal status changed"),
    "mapvotes.merge": _("Proposals merged"),
    "ideas.publish": _("Idea published"),
    "ideas.draft": _("Idea back to draft"),
    "ideas.partner_created": _("Partner profile created"),
    "ideas.connection_accepted": _("Partnership accepted"),
    "ideas.connection_declined": _("Partnership declined"),
    "strategy.edit_section": _("Strategy section edited"),
    "strategy.publish_version": _("Strategy version published"),
    "strategy.triage": _("Contribution triaged"),
    "strategy.merge": _("Contributions merged"),
    "strategy.offline_contribution": _("Offline contribution entered"),
}


def register_action_labels(labels: dict) -> None:
    """An app names its own audited actions (from its AppConfig.ready(), labels translated in its own catalog)."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def record(actor, action: str, target=None, reason: str = "", **data) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        reason=reason,
        data=data,
    )


def report(target, reporter, reason: str) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Please say why you are reporting this content.")]})
    if len(reason) > 1000:
        raise ValidationError({"reason": [_("The reason must be at most 1000 characters.")]})
    return Report.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        reason=reason,
    )


@transaction.atomic
def set_hidden(target, actor, hidden: bool, reason: str) -> AuditLog:
    """Hide or restore `target`; the reason is public (shown in place of the content) and audited."""
    reason = (reason or "").strip()
    if hidden and not reason:
        raise ValidationError({"reason": [_("A public reason is required to hide content.")]})
    target.is_hidden = hidden
    target.hidden_reason = reason if hidden else ""
    target.save(update_fields=["is_hidden", "hidden_reason"])
    Report.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())
    return record(actor, "hide" if hidden else "restore", target, reason)


def open_reports(model=None):
    qs = Report.objects.filter(resolved_at__isnull=True).select_related("content_type", "reporter")
    if model is not None:
        qs = qs.filter(content_type=ContentType.objects.get_for_model(model))
    return qs
