"""Template filters for personal data: `{% load masking %}` then `{{ appeal.text|redact|truncatechars:40 }}`.

Redact before truncating: a number cut in half by truncation is no longer found, yet half of it still shows.
"""

from django import template

from shequ.core.masking import mask_name, redact

register = template.Library()

register.filter("redact", redact)
register.filter("mask_name", mask_name)
