"""Template filters for Vietnamese dates, numbers and shares."""

from django import template

from dangbo.core import formats

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
