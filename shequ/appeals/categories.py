"""Appeal categories and their attributes (the Open311 service definitions), changed in the console (issue 21).

Categories are city-wide: one list for every district, so only a holder of `appeals.rules` over the whole city
changes them (a district's dispatcher reads them). Every change is audited with its before and after."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy

from shequ.access.scoping import can, can_at
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .choices import Urgency
from .models import Category

DATATYPE_LABELS = {
    "string": gettext_lazy("Short text"),
    "text": gettext_lazy("Long text"),
    "number": gettext_lazy("Number"),
    "datetime": gettext_lazy("Date and time"),
    "singlevaluelist": gettext_lazy("One choice from a list"),
    "multivaluelist": gettext_lazy("Several choices from a list"),
}
DATATYPES = tuple(DATATYPE_LABELS)
EDITABLE = ("name", "description", "keywords", "default_urgency", "contact_hours", "is_active", "attributes")


def category_list_for(*, user: User) -> QuerySet[Category]:
    if not can(user, Action.APPEALS_RULES):
        raise PermissionDenied(gettext("Your role may not change the responsibility list."))
    return Category.objects.select_related("parent").order_by("sort", "code")


def may_change_categories(user: User) -> bool:
    city = Area.objects.filter(level=AreaLevel.CITY).only("path").first()
    return city is not None and can_at(user, Action.APPEALS_RULES, city.path)


def clean_attributes(rows: list[dict]) -> list[dict]:
    """Open311 attribute definitions from the form's rows; raises ShequError naming the row."""
    out, seen = [], set()
    for order, row in enumerate(rows, start=1):
        code = str(row.get("code") or "").strip()
        if not code:
            continue
        if not all(c.isascii() and (c.isalnum() or c == "_") for c in code) or len(code) > 40 or code in seen:
            raise ShequError(
                gettext("Attribute %(n)d: use a unique code of letters, digits and underscores.")
                % {"n": order},
                fields={f"attr-{order}-code": code},
            )
        seen.add(code)
        datatype = row.get("datatype") or "string"
        if datatype not in DATATYPES:
            raise ShequError(gettext("Attribute %(n)d: choose a type from the list.") % {"n": order})
        attr: dict = {
            "code": code,
            "datatype": datatype,
            "required": bool(row.get("required")),
            "variable": True,
            "order": order,
            "description": str(row.get("description") or "").strip()[:200] or code,
        }
        if datatype.endswith("valuelist"):
            values = []
            for part in str(row.get("values") or "").replace("；", ";").split(";"):
                key, _sep, name = part.partition("=")
                if key.strip():
                    values.append({"key": key.strip(), "name": (name or key).strip()})
            if not values:
                raise ShequError(
                    gettext("Attribute %(n)d: a list needs its values, as key=名称; key=名称.") % {"n": order}
                )
            attr["values"] = values
        out.append(attr)
    return out


def _value_errors(values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = str(values.get("name") or "").strip()
    if not name or len(name) > 60:
        errors["name"] = gettext("Give the category a name of 1 to 60 characters.")
    if values.get("default_urgency") not in Urgency.values:
        errors["default_urgency"] = gettext("Choose from the list.")
    hours = values.get("contact_hours")
    if not isinstance(hours, int) or not 1 <= hours <= 240:
        errors["contact_hours"] = gettext("Between 1 and 240 hours.")
    return errors


def category_create(*, actor: User, code: str, parent: Category | None, **values) -> Category:
    """A new category (an Open311 service) under a top-level group, or a new group when parent is None.

    City-wide like every change of the list; the code is the Open311 service_code, so it is fixed once created
    (editing never offers it). Refused with a message and nothing written when a value is bad."""
    code = (code or "").strip().lower()
    if not may_change_categories(actor):
        audit_record(action="category.refused", actor=actor, object_repr=f"create {code}"[:200])
        raise PermissionDenied(gettext("Categories are city-wide: only the city's dispatchers change them."))
    errors = _value_errors(values)
    if not code or len(code) > 40 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in code):
        errors["code"] = gettext("Use 1 to 40 lowercase letters, digits, hyphens or underscores.")
    elif Category.objects.filter(code=code).exists():
        errors["code"] = gettext("This code is taken.")
    if parent is not None and parent.parent_id is not None:
        errors["parent"] = gettext("Choose a group from the list.")
    if errors:
        raise ShequError(gettext("Some values are not valid."), fields=errors)
    with transaction.atomic():
        siblings = Category.objects.filter(parent=parent).order_by("-sort").values_list("sort", flat=True)
        category = Category.objects.create(
            code=code,
            parent=parent,
            sort=(siblings.first() or 0) + 10,
            name=str(values["name"]).strip(),
            **{f: values[f] for f in EDITABLE if f in values and f != "name"},
        )
        audit_record(
            action="category.create",
            actor=actor,
            obj=category,
            object_repr=category.code,
            changes={
                "parent": {"after": parent.code if parent else None},
                **{f: {"after": getattr(category, f)} for f in EDITABLE if f in values},
            },
        )
    return category


def category_update(*, actor: User, category: Category, **values) -> Category:
    if not may_change_categories(actor):
        audit_record(action="category.refused", actor=actor, obj=category, object_repr=category.code)
        raise PermissionDenied(gettext("Categories are city-wide: only the city's dispatchers change them."))
    errors = _value_errors(values)
    if errors:
        raise ShequError(gettext("Some values are not valid."), fields=errors)
    values["name"] = str(values.get("name") or "").strip()
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        changes = {}
        for field in EDITABLE:
            if field in values and getattr(category, field) != values[field]:
                changes[field] = {"before": getattr(category, field), "after": values[field]}
                setattr(category, field, values[field])
        if changes:
            category.save(update_fields=list(changes))
            audit_record(
                action="category.update",
                actor=actor,
                obj=category,
                object_repr=category.code,
                changes=changes,
            )
    return category
