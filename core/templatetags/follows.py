from django import template

from core import follows

register = template.Library()


@register.inclusion_tag("core/includes/follow_button.html", takes_context=True)
def follow_button(context, obj):
    """`{% load follows %}{% follow_button proposal %}`: follow or unfollow a proposal, an idea, a mission, a section."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "kind": follows.kind_of(obj),
        "obj": obj,
        "user": user,
        "following": bool(user) and follows.is_following(user, obj),
        "csrf_token": context.get("csrf_token"),
    }
