"""The console's forms: Bootstrap's classes on Django's own widgets, and a service's refusal placed next to the
fields it names. Rendered by templates/partials/console_fields.html."""

from __future__ import annotations

import re

from django import forms
from django.utils.functional import Promise

from shequ.core.errors import ShequError
from shequ.core.masking import personal_data_in


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and `is-invalid` on a field as soon as it has an error (the form's own
    or a service's). Django itself adds aria-invalid and points aria-describedby at `<id>_error`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            # A browser's date and datetime-local inputs read only ISO values, whatever the page's language.
            if isinstance(w, forms.DateTimeInput) and w.input_type == "datetime-local":
                w.format = "%Y-%m-%dT%H:%M"
            elif isinstance(w, forms.DateInput) and w.input_type == "date":
                w.format = "%Y-%m-%d"
            if isinstance(w, forms.CheckboxInput):
                w.attrs["class"] = "form-check-input"
            else:
                w.attrs["class"] = "form-select" if isinstance(w, forms.Select) else "form-control"

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        names = [field] if isinstance(field, str) else list(getattr(error, "error_dict", {}) or [])
        for name in names:
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] = f"{w.attrs.get('class', '')} is-invalid".strip()

    def add_service_errors(self, e: ShequError) -> None:
        """A service's refusal, next to each field it names: the field's own text when the service wrote one for
        people ("至少 4 个字"), else the refusal's message (the field holds a code for API clients: "required",
        "not allowed"); above the form when it names none of this form's fields."""
        named = [name for name in e.fields if name in self.fields]
        for name in named:
            text = e.fields[name]
            self.add_error(name, e.message if _is_code(text) else str(text))
        if not named:
            self.add_error(None, e.message)


_CODE = re.compile(r"[a-z_ ]+")


def _is_code(text: object) -> bool:
    """A machine code of the error shape ("required", "not allowed"), not a sentence written for people."""
    return not isinstance(text, Promise) and (not isinstance(text, str) or bool(_CODE.fullmatch(text)))


class UnechoedTelInput(forms.TextInput):
    """A phone field that never puts a person's number back into the page: personal data is shown only masked, so
    a refused form asks for a real number again. What is not a number of a person ("12345", a typo) is shown back
    to be corrected."""

    input_type = "tel"

    def get_context(self, name, value, attrs):
        return super().get_context(name, None if personal_data_in(value or "") else value, attrs)
