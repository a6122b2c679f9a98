"""Template filters for Vietnamese dates, numbers and shares, and the tag that names an
organization in a list."""

from django import template
from django.utils.html import format_html

from dangbo.core import clock, formats

register = template.Library()


@register.filter
def vn_date(value):
    return formats.format_date(value)


@register.filter
def vn_number(value, decimals=0):
    return formats.format_number(value or 0, int(decimals))


@register.filter
def vn_percent(value, decimals=1):
    return formats.format_percent(value or 0, int(decimals))


@register.filter
def vn_amount_words(value):
    """An amount of đồng in words (receipts)."""
    return formats.amount_in_words(int(value or 0))


@register.simple_tag
def org_label(org, link=""):
    """An organization in a list (an ``Org``, or an ``orgs.labels.OrgLabel``): its name — a link
    to ``link`` when given — with its code on hover, then what it belongs to, muted: «Chi bộ Tổ
    dân phố số 1 · Đảng bộ phường Kim Tân». The view labels the whole list beforehand
    (``orgs.labels.org_labels_attach`` / ``org_labels``); unlabelled, the name shows alone."""
    if org is None:
        return ""
    title = f"Mã {org.code}"
    name = (
        format_html('<a href="{}" title="{}">{}</a>', link, title, org.name)
        if link
        else format_html('<span title="{}">{}</span>', title, org.name)
    )
    context = getattr(org, "label_context", None)
    if not context:
        return name
    return format_html('{}<span class="org-context"> · {}</span>', name, context)


@register.simple_tag
def today() -> str:
    """Today by the application's clock (``core.clock``), «dd/mm/yyyy»: what a printed page says
    it was printed on. ``{% now %}`` reads the machine's clock instead."""
    return f"{clock.today():%d/%m/%Y}"
