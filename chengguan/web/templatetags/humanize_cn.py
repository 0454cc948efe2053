"""Small display filters."""

from django import template

register = template.Library()


@register.filter
def thousands(value):
    """12600574 → 12,600,574 (Chinese official statistics use the same grouping)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value
