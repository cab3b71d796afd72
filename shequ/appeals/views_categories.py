"""Categories and their attributes in the console (issue 21). Thin: shequ.appeals.categories does the work."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shequ.access.decorators import require_action
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError

from . import categories
from .choices import Urgency

EXTRA_ROWS = 2


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # require_action has let only a signed-in user through


@require_action(Action.APPEALS_RULES)
def category_list(request: HttpRequest) -> HttpResponse:
    rows = list(categories.category_list_for(user=_me(request)))
    return render(
        request,
        "appeals/categories.html",
        {"rows": rows, "may_change": categories.may_change_categories(_me(request))},
    )


def _attribute_rows(post) -> list[dict]:
    rows = []
    for i in range(1, int(post.get("attr-count", "0") or 0) + 1):
        rows.append(
            {
                "code": post.get(f"attr-{i}-code", ""),
                "description": post.get(f"attr-{i}-description", ""),
                "datatype": post.get(f"attr-{i}-datatype", "string"),
                "required": post.get(f"attr-{i}-required") == "1",
                "values": post.get(f"attr-{i}-values", ""),
            }
        )
    return rows


def _posted_values(post) -> dict:
    """The values of the form that creating and editing share (validated by the service)."""
    try:
        hours = int(post.get("contact_hours", ""))
    except ValueError:
        hours = -1
    return {
        "name": post.get("name", ""),
        "description": post.get("description", "").strip()[:300],
        "keywords": post.get("keywords", "").strip()[:300],
        "default_urgency": post.get("default_urgency", ""),
        "contact_hours": hours,
        "is_active": post.get("is_active") == "1",
        "attributes": categories.clean_attributes(_attribute_rows(post)),
    }


def _blank_rows() -> list[dict]:
    return [
        {"code": "", "description": "", "datatype": "string", "required": False, "values": ""}
    ] * EXTRA_ROWS


@require_action(Action.APPEALS_RULES)
@require_http_methods(["GET", "POST"])
def category_new(request: HttpRequest) -> HttpResponse:
    """A new category under a group (or a new group): the city's dispatchers only, like every change of the list."""
    groups = list(categories.category_list_for(user=_me(request)).filter(parent__isnull=True))
    status, rows = 200, _blank_rows()
    if request.method == "POST":
        rows = _attribute_rows(request.POST) + _blank_rows()
        parent_code = request.POST.get("parent", "")
        parent = next((g for g in groups if g.code == parent_code), None)
        try:
            category = categories.category_create(
                actor=_me(request),
                code=request.POST.get("code", ""),
                parent=parent,
                **_posted_values(request.POST),
            )
        except ShequError as e:
            messages.error(request, e.message)
            for text in e.fields.values():
                messages.error(request, str(text))
            status = 400
        else:
            messages.success(request, _("The category is created."))
            return redirect("appeals:category_edit", pk=category.pk)
    return render(
        request,
        "appeals/category_form.html",
        {
            "category": None,
            "groups": groups,
            "rows": rows,
            "datatypes": list(categories.DATATYPE_LABELS.items()),
            "urgencies": Urgency.choices,
            "may_change": categories.may_change_categories(_me(request)),
            "posted": request.POST if request.method == "POST" else None,
        },
        status=status,
    )


@require_action(Action.APPEALS_RULES)
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(categories.category_list_for(user=_me(request)), pk=pk)
    status = 200
    rows = [
        {**a, "values": "; ".join(f"{v['key']}={v.get('name', v['key'])}" for v in a.get("values", []))}
        for a in category.attributes
    ]
    if request.method == "POST":
        rows = _attribute_rows(request.POST)
        try:
            categories.category_update(actor=_me(request), category=category, **_posted_values(request.POST))
        except ShequError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, _("The category is saved."))
            return redirect("appeals:category_edit", pk=category.pk)
    rows += _blank_rows()
    return render(
        request,
        "appeals/category_form.html",
        {
            "category": category,
            "rows": rows,
            "datatypes": list(categories.DATATYPE_LABELS.items()),
            "urgencies": Urgency.choices,
            "may_change": categories.may_change_categories(_me(request)),
            "posted": request.POST if request.method == "POST" else None,
        },
        status=status,
    )
