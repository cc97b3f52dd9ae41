"""Everything that changes state in the ideas marketplace."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.apps import apps as django_apps
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Membership, Organization
from accounts.rules import refusal_reason
from core import comments, follows, images, moderation
from core.contributions import contribution_changed, support_changed
from core.markdown import BASE_TAGS, MarkdownRenderer
from core.models import District, Theme
from core.notifications import Message as Text
from core.notifications import notify, notify_reply
from core.search import CONFIG
from serving.realtime import publish_on_commit

from .models import (
    MAX_IMAGES,
    PITCH_MAX,
    Comment,
    Connection,
    Idea,
    IdeaImage,
    Message,
    Need,
    NeedKind,
    NewsPost,
    Offer,
    PartnerProfile,
    Support,
    TimelineEvent,
)

MAX_NEEDS = 12
_markdown = MarkdownRenderer(BASE_TAGS | {"pre"}, link_rel="nofollow noopener")


def render_markdown(text: str) -> str:
    """User Markdown → safe HTML (a few harmless tags; links marked nofollow)."""
    return _markdown.render(text)


def _require(user, perm: str, obj=None, message=None):
    """Raise PermissionDenied with a sentence saying why (unverified accounts get the reason first)."""
    if user.has_perm(perm, obj):
        return
    if not (user.is_authenticated and user.is_active and user.email_verified):
        raise PermissionDenied(refusal_reason(user))
    raise PermissionDenied(str(message or _("You are not allowed to do this.")))


def connection_group(connection_id) -> str:
    return f"ideas-connection-{connection_id}"


# --- validation helpers ---------------------------------------------------------------------------------------


def _themes(slugs):
    slugs = [s for s in (slugs or []) if s]
    if not slugs:
        return []
    found = list(Theme.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {t.slug for t in found})
    if unknown:
        raise ValidationError({"themes": [_("Unknown theme: %(slug)s.") % {"slug": ", ".join(unknown)}]})
    return found


def _districts(numbers):
    try:
        numbers = sorted({int(n) for n in (numbers or [])})
    except (TypeError, ValueError):
        raise ValidationError({"districts": [_("Arrondissements are numbers from 1 to 20.")]}) from None
    if any(n < 1 or n > 20 for n in numbers):
        raise ValidationError({"districts": [_("Arrondissements are numbers from 1 to 20.")]})
    return list(District.objects.filter(number__in=numbers))


def clean_needs(needs) -> list[dict]:
    """Check every need; raise one ValidationError listing all problems, so nothing is saved."""
    if needs is None:
        return []
    if not isinstance(needs, list | tuple):
        raise ValidationError({"needs": [_("Needs must be a list.")]})
    if len(needs) > MAX_NEEDS:
        raise ValidationError({"needs": [_("An idea can list at most %(n)s needs.") % {"n": MAX_NEEDS}]})
    errors, cleaned = [], []
    for index, raw in enumerate(needs, start=1):
        if not isinstance(raw, dict):
            errors.append(_("Need %(n)s: invalid data.") % {"n": index})
            continue
        kind = raw.get("kind")
        if not kind:
            errors.append(_("Need %(n)s: choose the kind of need.") % {"n": index})
            continue
        if kind not in NeedKind.values:
            errors.append(_("Need %(n)s: unknown kind of need “%(kind)s”.") % {"n": index, "kind": kind})
            continue
        description = str(raw.get("description") or "").strip()
        if len(description) > 500:
            errors.append(_("Need %(n)s: the description must be at most 500 characters.") % {"n": index})
            continue
        amount = raw.get("amount")
        if amount in ("", None):
            amount = None
        else:
            try:
                amount = Decimal(str(amount))
                if not amount.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.append(_("Need %(n)s: the amount must be a number.") % {"n": index})
                continue
            if amount <= 0:
                errors.append(_("Need %(n)s: the amount must be greater than zero.") % {"n": index})
                continue
            if amount >= Decimal("100000000"):
                errors.append(_("Need %(n)s: the amount is too large.") % {"n": index})
                continue
            amount = amount.quantize(Decimal("0.01"))
        if kind == NeedKind.FUNDING and amount is None:
            errors.append(_("Need %(n)s: a funding need must give an amount greater than zero.") % {"n": index})
            continue
        cleaned.append({"id": raw.get("id"), "kind": kind, "description": description, "amount": amount})
    if errors:
        raise ValidationError({"needs": errors})
    return cleaned


def _clean_idea_fields(title, pitch, stage):
    errors = {}
    title = (title or "").strip()
    pitch = (pitch or "").strip()
    if not title:
        errors["title"] = [_("Give your idea a title.")]
    elif len(title) > 150:
        errors["title"] = [_("The title must be at most 150 characters.")]
    if not pitch:
        errors["pitch"] = [_("Sum up your idea in a short pitch.")]
    elif len(pitch) > PITCH_MAX:
        errors["pitch"] = [
            _("The pitch must be at most %(max)s characters (it has %(n)s).") % {"max": PITCH_MAX, "n": len(pitch)}
        ]
    if stage not in Idea.Stage.values:
        errors["stage"] = [_("Choose a stage: idea, building, prototype or running.")]
    if errors:
        raise ValidationError(errors)
    return title, pitch


def _refresh_idea_search(idea):
    Idea.objects.filter(pk=idea.pk).update(
        search=SearchVector(Value(idea.title), config=CONFIG, weight="A")
        + SearchVector(Value(idea.pitch), config=CONFIG, weight="B")
        + SearchVector(Value(idea.description), config=CONFIG, weight="C")
    )


def sync_match_fields(idea_ids=(), partner_ids=()):
    """Refresh the matching copies (open need kinds, theme ids, arrondissements) after a write."""
    from django.db import connection

    from .sql import IDEA_MATCH_FIELDS, PARTNER_MATCH_FIELDS

    with connection.cursor() as cursor:
        if idea_ids:
            cursor.execute(IDEA_MATCH_FIELDS + " WHERE i.id = ANY(%s)", [list(idea_ids)])
        if partner_ids:
            cursor.execute(PARTNER_MATCH_FIELDS + " WHERE p.id = ANY(%s)", [list(partner_ids)])


def _event(idea, kind, text):
    TimelineEvent.objects.create(idea=idea, kind=kind, text=str(text)[:300])


# --- ideas ---------------------------------------------------------------------------------------------------


@transaction.atomic
def create_idea(
    holder,
    *,
    title,
    pitch,
    description="",
    themes=(),
    districts=(),
    stage=Idea.Stage.IDEA,
    needs=(),
    organization=None,
    team="",
    publish=True,
    images=(),
) -> Idea:
    """Create an idea and its needs in one transaction: any bad need and nothing is saved."""
    _require(holder, "ideas.add_idea")
    title, pitch = _clean_idea_fields(title, pitch, stage)
    theme_objs, district_objs = _themes(themes), _districts(districts)
    cleaned_needs = clean_needs(list(needs or []))
    if organization is not None and not Membership.objects.filter(user=holder, organization=organization).exists():
        raise ValidationError({"organization": [_("You can only carry an idea for an organisation you belong to.")]})
    now = timezone.now()
    idea = Idea.objects.create(
        holder=holder,
        organization=organization,
        title=title,
        pitch=pitch,
        description=description or "",
        description_html=render_markdown(description),
        stage=stage,
        team=team or "",
        status=Idea.Status.PUBLISHED if publish else Idea.Status.DRAFT,
        published_at=now if publish else None,
    )
    idea.themes.set(theme_objs)
    idea.districts.set(district_objs)
    for upload, alt in images or ():
        add_image(holder, idea, upload, alt)
    Need.objects.bulk_create(
        [
            Need(idea=idea, kind=n["kind"], description=n["description"], amount=n["amount"], position=i)
            for i, n in enumerate(cleaned_needs)
        ]
    )
    _refresh_idea_search(idea)
    sync_match_fields(idea_ids=[idea.pk])
    if publish:
        _event(idea, TimelineEvent.Kind.PUBLISHED, _("The idea was published."))
    moderation.record(holder, "ideas.publish" if publish else "ideas.draft", idea)
    return idea


def _clean_alt(alt) -> str:
    alt = " ".join(str(alt or "").split())
    if not alt:
        raise ValidationError({"alt": [_("Describe the image in a few words, for people who cannot see it.")]})
    if len(alt) > 200:
        raise ValidationError({"alt": [_("The description of the image must be at most 200 characters.")]})
    return alt


@transaction.atomic
def add_image(user, idea, upload, alt) -> IdeaImage:
    """A picture of the project, re-encoded without metadata (core.images), with its text alternative."""
    _require(user, "ideas.change_idea", idea)
    if upload is None:
        raise ValidationError({"image": [_("Choose an image to upload.")]})
    alt = _clean_alt(alt)
    Idea.objects.select_for_update().filter(pk=idea.pk).first()  # two uploads at once can't pass the limit
    position = idea.images.count()
    if position >= MAX_IMAGES:
        raise ValidationError({"image": [_("An idea can show at most %(max)d images.") % {"max": MAX_IMAGES}]})
    clean = images.reencode(upload, field="image")
    return IdeaImage.objects.create(idea=idea, image=clean, alt=alt, position=position)


@transaction.atomic
def remove_image(user, image: IdeaImage) -> None:
    _require(user, "ideas.change_idea", image.idea)
    storage, name = image.image.storage, image.image.name
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def update_idea(user, idea, *, title, pitch, description="", themes=(), districts=(), stage, needs=None, team=""):
    """Edit an idea; `needs` (if given) replaces the uncovered needs: ids kept are updated, others removed."""
    _require(user, "ideas.change_idea", idea)
    title, pitch = _clean_idea_fields(title, pitch, stage)
    theme_objs, district_objs = _themes(themes), _districts(districts)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    idea.title, idea.pitch, idea.stage, idea.team = title, pitch, stage, team or ""
    idea.description = description or ""
    idea.description_html = render_markdown(idea.description)
    idea.save()
    idea.themes.set(theme_objs)
    idea.districts.set(district_objs)
    if needs is not None:
        cleaned = clean_needs(list(needs))
        existing = {n.pk: n for n in idea.needs.all()}
        kept = set()
        for position, data in enumerate(cleaned):
            need_id = data.get("id")
            try:
                need_id = int(need_id) if need_id not in (None, "") else None
            except (TypeError, ValueError):
                need_id = None
            need = existing.get(need_id)
            if need is None:
                Need.objects.create(
                    idea=idea, position=position, **{k: data[k] for k in ("kind", "description", "amount")}
                )
                continue
            kept.add(need.pk)
            if not need.covered:
                need.kind, need.description, need.amount = data["kind"], data["description"], data["amount"]
            need.position = position
            need.save()
        removable = [pk for pk, n in existing.items() if pk not in kept and not n.covered]
        Need.objects.filter(pk__in=removable, connections__isnull=True).delete()
    _refresh_idea_search(idea)
    sync_match_fields(idea_ids=[idea.pk])
    return idea


@transaction.atomic
def publish_idea(user, idea) -> Idea:
    _require(user, "ideas.change_idea", idea)
    updated = Idea.objects.filter(pk=idea.pk, status=Idea.Status.DRAFT).update(
        status=Idea.Status.PUBLISHED, published_at=timezone.now()
    )
    idea.refresh_from_db()
    if updated:
        _event(idea, TimelineEvent.Kind.PUBLISHED, _("The idea was published."))
        moderation.record(user, "ideas.publish", idea)
        contribution_changed("idea", idea.pk)  # .update() fires no post_save: the strategy inbox must hear of it
    return idea


@transaction.atomic
def set_status(user, idea, status) -> Idea:
    """Holder moves the idea to realised/archived (or back to published)."""
    _require(user, "ideas.change_idea", idea)
    allowed = {Idea.Status.PUBLISHED, Idea.Status.REALISED, Idea.Status.ARCHIVED}
    if status not in allowed:
        raise ValidationError({"status": [_("Choose published, realised or archived.")]})
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.status != status:
        idea.status = status
        idea.published_at = idea.published_at or timezone.now()
        idea.save(update_fields=["status", "published_at", "updated_at"])
        _event(idea, TimelineEvent.Kind.STATUS, _("New status: %(status)s.") % {"status": idea.get_status_display()})
    return idea


# --- support, comments, news, moderation --------------------------------------------------------------------


def support(user, idea) -> int:
    """Support (follow) an idea; supporting twice keeps one support. Returns the new count."""
    _require(user, "ideas.support_idea", idea)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Support.objects.create(user=user, idea=idea)
        except IntegrityError:
            pass
        else:
            Idea.objects.filter(pk=idea.pk).update(supporters_count=F("supporters_count") + 1)
            support_changed("idea", idea.pk)
    return Idea.objects.values_list("supporters_count", flat=True).get(pk=idea.pk)


def unsupport(user, idea) -> int:
    if not user.is_authenticated:
        raise PermissionDenied(refusal_reason(user))
    with transaction.atomic():
        deleted, _detail = Support.objects.filter(user=user, idea=idea).delete()
        if deleted:
            Idea.objects.filter(pk=idea.pk, supporters_count__gt=0).update(supporters_count=F("supporters_count") - 1)
            support_changed("idea", idea.pk)
    return Idea.objects.values_list("supporters_count", flat=True).get(pk=idea.pk)


COMMENT_MAX = 3000


def _comment_body(body) -> str:
    if body is not None and not isinstance(body, str):
        raise ValidationError({"body": [_("This field must be text.")]})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a comment first.")]})
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": [_("A comment must be at most 3000 characters.")]})
    return body


@transaction.atomic
def add_comment(user, idea, body, parent=None) -> Comment:
    """A comment, or a reply when `parent` (a comment id) is given: a reply to a reply joins its top-level comment,
    so that threads stay one level deep. The author of the comment answered is told."""
    _require(user, "ideas.comment_idea", idea)
    body = _comment_body(body)
    parent = _reply_target(idea, parent)
    comment = Comment.objects.create(idea=idea, author=user, body=body, parent=parent)
    title = Text(gettext_noop("New comment on “%(title)s”"), title=idea.title)
    replied_to = parent.author_id if parent is not None and parent.author_id != user.pk else None
    follows.notify_followers(idea, "follow.comment", title, body[:300], exclude=[user.pk, idea.holder_id, replied_to])
    if idea.holder and idea.holder != user and idea.holder_id != replied_to:
        notify(idea.holder, "ideas.comment", title, body[:300], idea.get_absolute_url(), email=False)
    if replied_to:
        notify_reply(parent.author, user, idea.title, body, f"{idea.get_absolute_url()}#commentaire-{comment.pk}")
    return comment


def _reply_target(idea, parent) -> Comment | None:
    return comments.reply_target(idea.comments.all(), parent, _("This comment does not exist on this idea."))


def edit_comment(user, comment: Comment, body) -> Comment:
    """The author rewrites their comment; it is marked as edited."""
    with transaction.atomic():
        comment = comments.locked_own_comment(user, comment, "ideas.change_comment")
        body = _comment_body(body)
        if body != comment.body:
            comment.body = body
            comment.edited_at = timezone.now()
            comment.save(update_fields=["body", "edited_at"])
    return comment


def delete_comment(user, comment: Comment) -> Comment:
    """The text goes; the row stays ("deleted by its author") so that the replies keep their place."""
    with transaction.atomic():
        comment = comments.locked_own_comment(user, comment, "ideas.delete_comment")
        comment.body = ""
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["body", "deleted_at"])
    return comment


@transaction.atomic
def post_news(user, idea, title, body) -> NewsPost:
    """A holder's news, sent to every supporter (notification + e-mail)."""
    _require(user, "ideas.post_news", idea)
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title or len(title) > 150:
        errors["title"] = [_("Give the news a title of at most 150 characters.")]
    if not body or len(body) > 5000:
        errors["body"] = [_("Write the news (at most 5000 characters).")]
    if errors:
        raise ValidationError(errors)
    post = NewsPost.objects.create(idea=idea, author=user, title=title, body=body)
    _event(idea, TimelineEvent.Kind.NEWS, title)
    follows.notify_followers(
        idea,
        "follow.news",
        Text(gettext_noop("News from “%(idea)s”: %(title)s"), idea=idea.title, title=title),
        body,
        exclude=[user.pk],
        exclude_query=supporters(idea).values("pk"),
    )
    for supporter in supporters(idea):
        if supporter.pk == user.pk:
            continue
        notify(
            supporter,
            "ideas.news",
            Text(gettext_noop("News from “%(idea)s”: %(title)s"), idea=idea.title, title=title),
            body,
            idea.get_absolute_url(),
        )
    return post


def supporters(idea):
    from accounts.models import User

    return User.objects.filter(idea_supports__idea=idea, is_active=True)


def report(user, target, reason):
    if not user.is_authenticated:
        raise PermissionDenied(refusal_reason(user))
    return moderation.report(target, user, reason)


def set_hidden(user, target, hidden, reason):
    _require(user, "ideas.moderate_idea")
    return moderation.set_hidden(target, user, hidden, reason)


# --- partners ------------------------------------------------------------------------------------------------


def _clean_offers(offers):
    if not isinstance(offers, list | tuple):
        raise ValidationError({"offers": [_("Offers must be a list.")]})
    errors, cleaned, seen = [], [], set()
    for index, raw in enumerate(offers, start=1):
        kind = raw.get("kind") if isinstance(raw, dict) else None
        if not kind:
            errors.append(_("Offer %(n)s: choose what you offer.") % {"n": index})
        elif kind not in NeedKind.values:
            errors.append(_("Offer %(n)s: unknown kind “%(kind)s”.") % {"n": index, "kind": kind})
        elif kind in seen:
            errors.append(_("Offer %(n)s: this kind is already listed.") % {"n": index})
        else:
            seen.add(kind)
            description = str(raw.get("description") or "").strip()
            if len(description) > 500:
                errors.append(_("Offer %(n)s: the details must be at most 500 characters.") % {"n": index})
            cleaned.append(Offer(kind=kind, description=description[:500]))
    if not cleaned and not errors:
        errors.append(_("List at least one thing you can offer."))
    if errors:
        raise ValidationError({"offers": errors})
    return cleaned


def _partner_org(user, organization):
    if organization is None:
        # "admin" sorts first ("admin" < "correspondent" < "member"): the organisation one administers, the oldest.
        membership = user.memberships.select_related("organization").order_by("role", "joined_at").first()
        if membership is None:
            raise PermissionDenied(str(_("Only members of an organisation can become partners.")))
        return membership.organization
    if not isinstance(organization, Organization):
        organization = Organization.objects.filter(pk=organization).first()
    if organization is None or not Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError(
            {"organization": [_("You can only create the profile of an organisation you belong to.")]}
        )
    return organization


def _refresh_partner_search(partner):
    sync_match_fields(partner_ids=[partner.pk])
    PartnerProfile.objects.filter(pk=partner.pk).update(
        search=SearchVector(Value(partner.organization.name), config=CONFIG, weight="A")
        + SearchVector(Value(partner.description), config=CONFIG, weight="B")
        + SearchVector(Value(" ".join(o.description for o in partner.offers.all())), config=CONFIG, weight="C")
    )


@transaction.atomic
def create_partner(user, *, description="", themes=(), districts=(), offers=(), capacity=None, organization=None):
    from serving.rest import Conflict

    _require(user, "ideas.add_partner", message=_("Only members of an organisation can become partners."))
    organization = _partner_org(user, organization)
    theme_objs, district_objs = _themes(themes), _districts(districts)
    offer_objs = _clean_offers(offers or [])
    capacity = _clean_capacity(capacity)
    try:
        with transaction.atomic():
            partner = PartnerProfile.objects.create(
                organization=organization, description=(description or "").strip(), capacity=capacity
            )
    except IntegrityError:
        raise Conflict(_("%(org)s already has a partner profile.") % {"org": organization.name}) from None
    partner.themes.set(theme_objs)
    partner.districts.set(district_objs)
    for offer in offer_objs:
        offer.partner = partner
    Offer.objects.bulk_create(offer_objs)
    _refresh_partner_search(partner)
    moderation.record(user, "ideas.partner_created", partner)
    return partner


def _clean_capacity(capacity):
    if capacity in (None, ""):
        return None
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise ValidationError({"capacity": [_("Capacity is a whole number.")]}) from None
    if capacity < 0 or capacity > 1000:
        raise ValidationError({"capacity": [_("Capacity is a whole number between 0 and 1000.")]})
    return capacity


@transaction.atomic
def update_partner(user, partner, *, description="", themes=(), districts=(), offers=(), capacity=None):
    _require(user, "ideas.change_partner", partner)
    theme_objs, district_objs = _themes(themes), _districts(districts)
    offer_objs = _clean_offers(offers or [])
    partner.description = (description or "").strip()
    partner.capacity = _clean_capacity(capacity)
    partner.save()
    partner.themes.set(theme_objs)
    partner.districts.set(district_objs)
    partner.offers.all().delete()
    for offer in offer_objs:
        offer.partner = partner
    Offer.objects.bulk_create(offer_objs)
    _refresh_partner_search(partner)
    return partner


# --- connections and messages --------------------------------------------------------------------------------


def holder_side_users(idea):
    from accounts.models import User

    users = {idea.holder} if idea.holder_id else set()
    if idea.organization_id:
        users.update(User.objects.filter(memberships__organization_id=idea.organization_id, is_active=True))
    return [u for u in users if u is not None]


def partner_side_users(partner):
    from accounts.models import User

    return list(User.objects.filter(memberships__organization_id=partner.organization_id, is_active=True))


def _notify_other_side(actor, connection, kind, title, body=""):
    recipients = set(holder_side_users(connection.idea)) | set(partner_side_users(connection.partner))
    for user in recipients:
        if user.pk != actor.pk:
            notify(user, kind, title, body, connection.get_absolute_url())


def propose_connection(user, idea, *, partner, need, message="") -> Connection:
    """A partner proposes support on a need, or the holder asks a partner: opens a private thread."""
    from serving.rest import Conflict

    _require(user, "ideas.connect")
    if not isinstance(partner, PartnerProfile):
        partner = PartnerProfile.objects.select_related("organization").filter(pk=_int_or_none(partner)).first()
        if partner is None:
            raise ValidationError({"partner": [_("This partner does not exist.")]})
    if not isinstance(need, Need):
        need = Need.objects.filter(pk=_int_or_none(need), idea=idea).first()
        if need is None:
            raise ValidationError({"need": [_("This need does not belong to this idea.")]})
    if need.idea_id != idea.pk:
        raise ValidationError({"need": [_("This need does not belong to this idea.")]})
    if idea.status not in Idea.OPEN_STATUSES or idea.is_hidden:
        raise ValidationError({"idea": [_("This idea is not open to partnerships.")]})
    message = (message or "").strip()
    if len(message) > 5000:
        raise ValidationError({"message": [_("A message must be at most 5000 characters.")]})
    holder_side = idea.holder_id == user.pk or (
        idea.organization_id and Membership.objects.filter(user=user, organization_id=idea.organization_id).exists()
    )
    partner_side = Membership.objects.filter(user=user, organization_id=partner.organization_id).exists()
    if partner.organization_id == idea.organization_id or (holder_side and partner_side):
        raise ValidationError({"partner": [_("You cannot propose support to your own idea.")]})
    if holder_side:
        side = Connection.Side.HOLDER
    elif partner_side:
        side = Connection.Side.PARTNER
    else:
        raise PermissionDenied(str(_("Only a member of the partner organisation or the idea's holder can do this.")))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.covered:
            raise ValidationError({"need": [_("This need is already covered.")]})
        try:
            with transaction.atomic():
                connection = Connection.objects.create(
                    idea=idea, need=need, partner=partner, initiated_by=side, created_by=user
                )
        except IntegrityError:
            raise Conflict(_("A connection between this partner and this need is already open.")) from None
        if message:
            Message.objects.create(connection=connection, author=user, body=message)
        connection.idea = idea
        connection.partner = partner
        if side == Connection.Side.PARTNER:
            title = Text(
                gettext_noop("%(org)s offers support to “%(idea)s”"), org=partner.organization.name, idea=idea.title
            )
        else:
            title = Text(
                gettext_noop("“%(idea)s” asks %(org)s for support"), org=partner.organization.name, idea=idea.title
            )
        _notify_other_side(user, connection, "ideas.connection", title, message[:500])
    return connection


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def post_message(user, connection, body) -> Message:
    _require(user, "ideas.message_connection", connection)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message first.")]})
    if len(body) > 5000:
        raise ValidationError({"body": [_("A message must be at most 5000 characters.")]})
    message = Message.objects.create(connection=connection, author=user, body=body)
    Connection.objects.filter(pk=connection.pk).update(updated_at=timezone.now())
    _notify_other_side(
        user,
        connection,
        "ideas.message",
        Text(
            gettext_noop("New message from %(name)s about “%(idea)s”"),
            name=user.public_name,
            idea=connection.idea.title,
        ),
        body[:500],
    )
    publish_on_commit(
        connection_group(connection.pk),
        {
            "type": "message",
            "id": message.pk,
            "author": user.public_name,
            "author_id": user.pk,
            "body": body,
            "created_at": message.created_at.isoformat(),
        },
    )
    return message


def decide_connection(user, connection, status) -> Connection:
    """Accept (the side that did not initiate) or decline (either side) a pending connection."""
    from serving.rest import Conflict

    _require(user, "ideas.decide_connection", connection)
    if status not in (Connection.Status.ACCEPTED, Connection.Status.DECLINED):
        raise ValidationError({"status": [_("Choose accepted or declined.")]})
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update().select_related("idea", "partner__organization").get(pk=connection.pk)
        )
        if connection.status != Connection.Status.PENDING:
            raise Conflict(_("This connection has already been answered."))
        user_is_holder = (
            connection.idea.holder_id == user.pk
            or Membership.objects.filter(user=user, organization_id=connection.idea.organization_id).exists()
        )
        user_side = Connection.Side.HOLDER if user_is_holder else Connection.Side.PARTNER
        if status == Connection.Status.ACCEPTED and user_side == connection.initiated_by:
            raise PermissionDenied(str(_("Only the other side can accept this proposal.")))
        need = Need.objects.select_for_update().get(pk=connection.need_id)
        if status == Connection.Status.ACCEPTED and need.covered:
            raise Conflict(_("This need is already covered."))
        connection.status = status
        connection.decided_by = user
        connection.decided_at = timezone.now()
        connection.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        idea = connection.idea
        org_name = connection.partner.organization.name
        if status == Connection.Status.ACCEPTED:
            need.covered = True
            need.save(update_fields=["covered"])
            sync_match_fields(idea_ids=[idea.pk])
            if idea.status == Idea.Status.PUBLISHED:
                Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.IN_PARTNERSHIP)
                idea.status = Idea.Status.IN_PARTNERSHIP
            _event(
                idea,
                TimelineEvent.Kind.PARTNERSHIP,
                _("%(org)s now covers the need: %(need)s.") % {"org": org_name, "need": need.get_kind_display()},
            )
            title = Text(gettext_noop("Partnership accepted: %(org)s and “%(idea)s”"), org=org_name, idea=idea.title)
        else:
            title = Text(gettext_noop("Proposal declined: %(org)s and “%(idea)s”"), org=org_name, idea=idea.title)
        moderation.record(user, f"ideas.connection_{status}", connection)
        _notify_other_side(user, connection, "ideas.connection_decided", title)
        publish_on_commit(connection_group(connection.pk), {"type": "status", "status": status})
    return connection


# --- volunteering mission from a "volunteers" need -----------------------------------------------------------


def mission_prefill_url(need) -> str:
    """Where the volunteering app creates a mission, prefilled from the idea (no import of volunteering)."""
    idea = need.idea
    district = idea.districts.order_by("number").first()
    params = {
        "from_idea": idea.pk,
        "from_need": need.pk,
        "title": idea.title[:150],
        "description": f"{idea.pitch}\n\n{need.description}".strip(),
        "theme": next(iter(t.slug for t in idea.themes.all()), ""),
        "district": district.number if district else "",
        "organization": idea.organization_id or "",
        "return_url": reverse("ideas:detail", args=[idea.pk]),
    }
    return "/benevolat/missions/nouvelle/?" + urlencode({k: v for k, v in params.items() if v != ""})


@transaction.atomic
def link_need_to_mission(user, need, mission_id) -> Need:
    """Store the mission created from a volunteers need (link back from volunteering)."""
    idea = need.idea
    _require(user, "ideas.link_mission", idea)
    if need.kind != NeedKind.VOLUNTEERS:
        raise ValidationError({"need": [_("Only a volunteers need can become a volunteering mission.")]})
    if idea.organization_id is None:
        raise ValidationError(
            {"need": [_("Only an idea carried by an organisation can create a volunteering mission.")]}
        )
    mission_id = _int_or_none(mission_id)
    if mission_id is None or mission_id <= 0:
        raise ValidationError({"mission_id": [_("Give the id of the volunteering mission.")]})
    # volunteering imports ideas, not the reverse: its Mission is read through the app registry.
    mission_model = django_apps.get_model("volunteering", "Mission")
    if not mission_model.objects.filter(pk=mission_id, organization_id=idea.organization_id).exists():
        raise ValidationError(
            {"mission_id": [_("This mission does not exist or does not belong to the organisation of the idea.")]}
        )
    need.mission_id = mission_id
    need.save(update_fields=["mission_id"])
    _event(idea, TimelineEvent.Kind.MISSION, _("A volunteering mission was opened for this idea."))
    return need
