from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from strategy import consultations

register = template.Library()


@register.simple_tag
def consultation_link(section):
    """A link to annotate the section when a consultation is open on it, else nothing."""
    if section is None or consultations.consultation_item(section) is None:
        return ""
    return format_html(
        '<p class="consultation-open"><a class="button" href="{}">{}</a></p>',
        reverse("strategy:consultation-section", args=[section.slug]),
        _("Consultation open: annotate this section"),
    )
