"""The staff console for appeals: queues per role, detail with one-click actions, bulk dispatch, export.

Filters are the API's (selectors.appeal_list_for); every action goes through the same services as the API.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can, scope_for
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError
from shequ.core.exports import export_response
from shequ.core.masking import mask_phone, redact
from shequ.geo.models import Area

from . import calls, selectors, services, timeline
from .choices import DEADLINE_BADGE, DEADLINE_LABELS, STATUS_BADGE, Rating, Status
from .models import Category
from .panels import ListFlag, detail_panels, list_flags
from .schemas import appeal_detail_out, deadline_state
from .suggest import suggest_categories
from .urgency import KIND_LABELS
from .workflow import TRANSITIONS, event_label

QUEUE_LABELS = [
    ("to_dispatch", gettext_lazy("To dispatch")),
    ("to_sign", gettext_lazy("To sign for")),
    ("in_progress", gettext_lazy("In progress")),
    ("near_due", gettext_lazy("Near due")),
    ("overdue", gettext_lazy("Overdue")),
    ("returned", gettext_lazy("Returned")),
    ("supervised", gettext_lazy("Supervised")),
    ("replied", gettext_lazy("Awaiting rating")),
    ("extensions", gettext_lazy("Extension requests")),
]
FILTERS = ("queue", "status", "category", "area", "urgency", "q")
# The to-do queues on the console's home, by what the person does (his relations to appeals, workflow.py):
# a dispatcher's, a supervisor's, a handler's (for his units only: units=mine).
DISPATCHER_QUEUES = ("to_dispatch", "returned", "extensions", "near_due", "overdue", "replied")
SUPERVISOR_QUEUES = ("supervised", "overdue")
HANDLER_QUEUES = ("to_sign", "in_progress", "near_due", "overdue")


def _filters(request: HttpRequest) -> dict:
    f: dict = {k: (request.GET.get(k) or None) for k in FILTERS}
    f["my_units"] = request.GET.get("units") == "mine"
    return f


# The flag of a row whose unit asked for more time (the dispatcher's approval queue, "extensions").
EXTENSION_FLAG = ListFlag(gettext_lazy("Extension pending"), "info", lambda **kw: set())


def console_todo(user) -> list[dict]:
    """The console home's to-do counts for this person: per role a group of queues, each counted in one query
    (selectors.appeal_queue_counts), with the link to the list that shows exactly what was counted."""
    labels = dict(QUEUE_LABELS)
    groups: list[tuple[str, tuple[str, ...], bool]] = []
    if can(user, Action.APPEALS_DISPATCH):
        groups.append((_("Dispatching"), DISPATCHER_QUEUES, False))
    if can(user, Action.APPEALS_SUPERVISE) and not can(user, Action.APPEALS_DISPATCH):
        groups.append((_("Supervision"), SUPERVISOR_QUEUES, False))
    if can(user, Action.APPEALS_HANDLE):
        groups.append((_("My unit's appeals"), HANDLER_QUEUES, True))
    out = []
    for title, queues, mine in groups:
        counts = selectors.appeal_queue_counts(user=user, queues=list(queues), my_units=mine)
        suffix = "&units=mine" if mine else ""
        out.append(
            {
                "title": title,
                "queues": [
                    {"key": q, "label": labels[q], "count": counts[q], "query": f"queue={q}{suffix}"}
                    for q in queues
                ],
            }
        )
    return out


@require_action(Action.APPEALS_VIEW)
def console_list(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    areas = _area_choices(request)
    area_label = f["area"] or ""
    if f["area"]:
        f["area"] = _code_of(f["area"], areas)
    if f["queue"] is None and "queue" not in request.GET:
        dispatcher = can(request.user, Action.APPEALS_DISPATCH)
        f["queue"] = "to_dispatch" if dispatcher else "to_sign"
        f["my_units"] = f["my_units"] or (not dispatcher and can(request.user, Action.APPEALS_HANDLE))
    if f["queue"] and f["queue"] not in selectors.QUEUES:
        # A stale bookmark or a mistyped link: say so and show the default queue rather than an error page.
        messages.warning(request, _("There is no queue called “%(queue)s”: here is your default queue.") % f)
        return redirect("appeals:console_list")
    try:
        # Counted up to selectors.COUNT_CAP: beyond it the page says 超过 10,000 条 (issue 22).
        listing = selectors.appeal_listing_for(user=request.user, **f)
    except NotFound:
        messages.warning(
            request, _("Nothing matches this filter (an unknown category or area): all filters cleared.")
        )
        return redirect("appeals:console_list")
    page = Paginator(listing, 30).get_page(request.GET.get("page"))
    now = timezone.now()
    ids = [a.pk for a in page]
    flags = list_flags(user=request.user, ids=ids)
    for pk in selectors.appeal_ids_with_pending_extension(ids):
        flags.setdefault(pk, []).insert(0, EXTENSION_FLAG)
    rows = [
        {
            "a": a,
            "state": deadline_state(a, now),
            "due": due_in_words(a, now),
            "badge": STATUS_BADGE.get(Status(a.status), "secondary"),
            "flags": flags.get(a.pk, []),
        }
        for a in page
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "appeals/console_list.html",
        {
            "rows": rows,
            "page": page,
            "filters": f,
            "queues": QUEUE_LABELS,
            "query": params.urlencode(),
            "categories": Category.objects.filter(parent__isnull=True).order_by("sort"),
            "can_dispatch": can(request.user, Action.APPEALS_DISPATCH),
            "units": _dispatch_units(request) if can(request.user, Action.APPEALS_DISPATCH) else [],
            "areas": areas,
            "area_label": area_label,
        },
    )


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "—"


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes >= 24 * 60:
        n = minutes // (24 * 60)
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if minutes >= 60:
        n = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def due_in_words(a, now) -> tuple[str, str]:
    """The deadline a row waits against, in words and a badge colour (choices.DEADLINE_BADGE): the dispatch deadline
    of an appeal waiting for dispatch (an emergency's 20 minutes), else the reply deadline while it is handled."""
    if a.status == Status.SUBMITTED and a.dispatch_due is not None:
        left = (a.dispatch_due - now).total_seconds()
        if left <= 0:
            return _("Dispatch late by %(span)s") % {"span": _span(left)}, "danger"
        return _("Dispatch within %(span)s") % {"span": _span(left)}, "warning"
    state = deadline_state(a, now)
    if state == "none":
        return "", DEADLINE_BADGE["none"]
    left = (a.reply_due - now).total_seconds()
    if state == "red":
        return _("%(span)s overdue") % {"span": _span(left)}, DEADLINE_BADGE["red"]
    return _("%(span)s left") % {"span": _span(left)}, DEADLINE_BADGE[state]


def _labelled(rows: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(label, code) from (name, code, context): the name alone where it is unique, else with its context."""
    seen: dict[str, int] = {}
    for name, _code, _ctx in rows:
        seen[name] = seen.get(name, 0) + 1
    return [(name if seen[name] == 1 else f"{name}（{ctx or code}）", code) for name, code, ctx in rows]


def _dispatch_units(request: HttpRequest) -> list[tuple[str, str]]:
    """The units a dispatcher may hand appeals to, as (label, code): those placed under the areas where he
    dispatches, picked by name in a searchable list (one query)."""
    paths = sorted(scope_for(request.user, Action.APPEALS_DISPATCH).paths)
    if not paths:
        return []
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(area__path__prefix=path)
    rows = (
        Unit.objects.filter(under, is_active=True)
        .exclude(kind="health_centre")
        .order_by("code")
        .values_list("name", "code", "area__name")[:3000]
    )
    return _labelled(list(rows))


def _area_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """The districts, streets and communities under the user's areas, as (label, code), for the list's filter."""
    paths = sorted(scope_for(request.user, Action.APPEALS_VIEW).paths)
    if not paths:
        return []
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(path__prefix=path)
    rows = (
        Area.objects.filter(under, level__in=["district", "street", "community"])
        .order_by("path")
        .values_list("name", "code", "parent__name")[:3000]
    )
    return _labelled(list(rows))


def _code_of(value: str, choices: list[tuple[str, str]]) -> str:
    """The code behind a label picked from the list; a code typed as before is kept as it is."""
    value = (value or "").strip()
    return next((code for label, code in choices if label == value), value)


@require_action(Action.APPEALS_VIEW)
def console_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get_for(user=request.user, pk=pk)
    user = cast(User, request.user)
    relations = services.actor_relations(user, appeal)
    suggestions = suggest_categories(appeal.text) if "dispatcher" in relations else []
    detail = appeal_detail_out(appeal, now=timezone.now(), relations=relations, staff=True, with_events=False)
    # Each entry badged by its real audience, and its note by the note's own (appeals.timeline, issue 21).
    events = timeline.staff_timeline(appeal, label=event_label)
    return render(
        request,
        "appeals/console_detail.html",
        {
            "appeal": appeal,
            "detail": detail,
            "events": events,
            "relations": relations,
            "actions": detail["actions"],
            "suggestions": suggestions,
            "default_category": _default_category(appeal, suggestions),
            "units": _dispatch_units(request) if "dispatcher" in relations else [],
            "category_choices": _category_choices() if "categorize" in detail["actions"] else [],
            "photos": appeal.photos.all(),
            "extension": selectors.appeal_pending_extension(appeal),
            "can_call": calls.appeal_may_call(user, appeal, relations),
            "last_call": appeal.events.filter(action="call", actor=user).order_by("-at", "-id").first(),
            "ratings": Rating.choices,
            "labels": {a: t.label for a, t in TRANSITIONS.items()},
            "phone_masked": mask_phone(appeal.contact_phone),
            "panels": detail_panels(user=user, appeal=appeal),
            "can_reveal": services.appeal_may_reveal(user, appeal),
            "reveal_fields": services.REVEALABLE_FIELDS,
            "emergency_kind": KIND_LABELS.get(appeal.urgency_kind, ""),
            "emergency_kinds": list(KIND_LABELS.items()),
        },
    )


REVEAL_LABELS = {
    "text": gettext_lazy("Description"),
    "address": gettext_lazy("Address"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_phone": gettext_lazy("Contact phone"),
}


@never_cache
@require_POST
@require_action(Action.APPEALS_REVEAL)
def console_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The audited reveal of what the resident typed (an htmx fragment of the detail page), scoped like the page."""
    appeal = selectors.appeal_get_for(user=request.user, pk=pk)
    context: dict = {"appeal": appeal}
    status = 200
    try:
        values = services.appeal_reveal(
            actor=cast(User, request.user),
            appeal=appeal,
            fields=request.POST.getlist("fields") or list(services.REVEALABLE_FIELDS),
            purpose=request.POST.get("purpose", ""),
        )
    except ShequError as exc:
        context["error"], status = exc.message, 400
    except PermissionDenied:
        context["error"], status = _("Your role may not reveal what the resident typed."), 403
    else:
        context["revealed"] = [(REVEAL_LABELS[f], v) for f, v in values.items()]
    response = render(request, "appeals/console_detail.html#reveal-result", context, status=status)
    if status == 200:
        response["X-Shequ-Reveal"] = "audited"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
@require_action(Action.APPEALS_VIEW)
def console_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Call the requester through the privacy-number bridge (appeals.calls); scoped like the page."""
    appeal = selectors.appeal_get_for(user=request.user, pk=pk)
    try:
        call = calls.appeal_call_requester(actor=cast(User, request.user), appeal=appeal)
    except ShequError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(
            request, _("Only the lead unit's handler calls the requester, while handling the appeal.")
        )
    else:
        said = _("Dial %(number)s within %(minutes)d minutes: it connects you to the requester.") % {
            "number": call.virtual_number,
            "minutes": calls.BINDING_MINUTES,
        }
        if call.demo:
            said += _(" (Demo bridge: nobody is really called.)")
        messages.success(request, said + _(" Afterwards record the contact below."))
    return redirect("appeals:console_detail", pk=pk)


def _default_category(appeal, suggestions: list[dict]) -> str:
    """The category the 分类 list starts on: the model's (or the keywords') first suggestion, else the current one."""
    if suggestions:
        return suggestions[0]["code"]
    return appeal.category.code if appeal.category else ""


def _category_choices() -> list[tuple[str, str]]:
    """(code, "group · name") of the active second-level categories, in the order of the list."""
    rows = Category.objects.filter(is_active=True, parent__isnull=False).select_related("parent")
    rows = rows.order_by("parent__sort", "sort", "code")
    return [(c.code, f"{c.parent.name} · {c.name}") for c in rows if c.parent is not None]


@require_POST
@require_action(Action.APPEALS_VIEW)
def console_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    appeal = selectors.appeal_get_for(user=request.user, pk=pk)
    user = cast(User, request.user)
    post = request.POST.copy()
    if action in ("dispatch", "reassign") and "unit" in post:
        post["unit"] = _code_of(post.get("unit", ""), _dispatch_units(request))
    try:
        outcome = _act(user, appeal, action, post)
    except ShequError as exc:
        # The message says what is wrong in the reader's language; the fields are codes for programs (the API).
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, _("You may not take this action on this appeal."))
    else:
        label = TRANSITIONS[action].label if action in TRANSITIONS else action
        messages.success(request, outcome or _("Done: %(action)s.") % {"action": label})
    return redirect("appeals:console_detail", pk=pk)


def _categorize(user: User, appeal, post) -> str:
    """分类 alone, or 分类 and re-dispatch by the responsibility list: two explicit choices, and the message says
    what happened (the new category; where the list sent the appeal, or that it stays)."""
    redispatch = post.get("redispatch") == "1"
    before = appeal.lead_unit_id
    appeal = services.appeal_categorize(
        actor=user,
        appeal=appeal,
        category=post.get("category", ""),
        note=post.get("note", ""),
        resend=redispatch,
    )
    said = _("Categorised as %(category)s.") % {"category": appeal.category.name if appeal.category else ""}
    if not redispatch:
        return said
    if appeal.lead_unit_id and appeal.lead_unit_id != before:
        return said + _("Dispatched by the responsibility list to %(unit)s.") % {
            "unit": appeal.lead_unit.name
        }
    return said + _("The responsibility list names no other unit: the appeal stays where it was.")


def _act(user: User, appeal, action: str, post) -> str | None:
    """Take the action through its service; return what to tell the user, or None for "Done: <action>"."""
    note = post.get("note", "")
    if action == "categorize":
        return _categorize(user, appeal, post)
    elif action in ("dispatch", "reassign"):
        fn = services.appeal_dispatch if action == "dispatch" else services.appeal_reassign
        fn(actor=user, appeal=appeal, unit=post.get("unit", ""), co_units=post.getlist("co_units"), note=note)
    elif action in ("sign_for", "start", "contact", "close"):
        getattr(services, f"appeal_{action}")(actor=user, appeal=appeal, note=note)
    elif action == "reply":
        services.appeal_reply(actor=user, appeal=appeal, text=note)
    elif action == "co_reply":
        services.appeal_co_reply(actor=user, appeal=appeal, note=note)
    elif action in ("return", "reopen", "reject", "dispute_rating"):
        getattr(services, f"appeal_{action}")(actor=user, appeal=appeal, reason=note)
    elif action == "supervise":
        services.appeal_supervise(actor=user, appeal=appeal, comment=note)
    elif action == "request_extension":
        services.appeal_request_extension(
            actor=user, appeal=appeal, days=int(post.get("days") or 0), reason=note
        )
    elif action == "decide_extension":
        approve = post.get("approve") == "1"
        appeal = services.appeal_decide_extension(actor=user, appeal=appeal, approve=approve, note=note)
        if not approve:
            return _("Extension refused: the answer is still due %(due)s.") % {"due": _when(appeal.reply_due)}
        return _("Extension approved: the answer is now due %(due)s.") % {"due": _when(appeal.reply_due)}
    elif action == "decide_rating_dispute":
        services.appeal_decide_rating_dispute(
            actor=user, appeal=appeal, uphold=post.get("uphold") == "1", note=note
        )
    elif action == "evaluate":
        services.appeal_evaluate(actor=user, appeal=appeal, rating=int(post.get("rating") or 0), comment=note)
    elif action in ("raise_emergency", "lower_emergency"):
        from .emergency import appeal_lower_emergency, appeal_raise_emergency

        if action == "raise_emergency":
            appeal_raise_emergency(actor=user, appeal=appeal, reason=note, kind=post.get("kind", ""))
        else:
            appeal_lower_emergency(actor=user, appeal=appeal, reason=note)
    elif action == "merge":
        into = selectors.appeal_get_for(user=user, pk=int(post.get("into") or 0))
        services.appeal_merge(actor=user, appeal=appeal, into=into, note=note)
    else:
        raise ShequError(_("Unknown action."), fields={"action": action})
    return None


@require_POST
@require_action(Action.APPEALS_DISPATCH)
def console_bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch several appeals to one unit; each goes through the service, failures are reported one by one."""
    user = cast(User, request.user)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:200]
    unit = _code_of(request.POST.get("unit", ""), _dispatch_units(request))
    done, failed = 0, []
    for appeal in selectors.visible_appeals(user).filter(pk__in=ids).select_related("area"):
        try:
            services.appeal_dispatch(actor=user, appeal=appeal, unit=unit, note=_("Bulk dispatch"))
            done += 1
        except (ShequError, PermissionDenied) as exc:
            failed.append(f"{appeal.number}: {getattr(exc, 'message', str(exc))}")
    if done:
        messages.success(request, _("%(n)d appeals dispatched.") % {"n": done})
    for line in failed[:10]:
        messages.error(request, line)
    # Back to the list the dispatcher came from, and never to another site (an open redirect).
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/console/appeals/"
    return redirect(back)


@require_action(Action.APPEALS_VIEW)
def console_export(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    qs = selectors.appeal_list_for(user=request.user, **f)[:20000]
    audit_record(
        action="appeals.export",
        actor=cast(User, request.user),
        object_repr=f"appeals ({fmt})",
        changes={"filters": {"after": {k: v for k, v in f.items() if v}}},
    )
    now = timezone.now()
    headers = [
        "编号",
        "状态",
        "类别",
        "紧急程度",
        "渠道",
        "区域",
        "承办单位",
        "诉求内容",
        "联系电话",
        "受理时间",
        "答复期限",
        "期限状态",
        "评价",
    ]
    rows = (
        [
            a.number,
            a.get_status_display(),
            a.category.name if a.category else "",
            a.get_urgency_display(),
            a.get_channel_display(),
            a.area.name,
            a.lead_unit.name if a.lead_unit else "",
            redact(a.text),
            mask_phone(a.contact_phone),
            a.created_at,
            a.reply_due,
            str(DEADLINE_LABELS[deadline_state(a, now)]),
            a.rating or "",
        ]
        for a in qs
    )
    return export_response(fmt, filename="appeals", headers=headers, rows=rows)
