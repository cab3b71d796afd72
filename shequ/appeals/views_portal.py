"""The resident portal's appeal pages: submit in three steps (works without JavaScript), my appeals, rating.

The draft lives in the session between steps; photos wait in storage under drafts/<draft id>/, already cleaned
(shequ.core.uploads) and under random names, and are attached at confirm through the same intake as the API's.
The confirm step creates the appeal once: a second press of the button (or a reload) finds the draft already
submitted and shows the result.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from shequ.accounts.models import User
from shequ.core.errors import ShequError
from shequ.geo.coords import distance_m
from shequ.geo.models import Area

from . import nearby, selectors, services, timeline
from .choices import OPEN_STATUSES, Rating, Urgency
from .emergency import call_for
from .models import Appeal, Category
from .photos import MAX_PHOTOS, photo_clean
from .schemas import appeal_detail_out
from .suggest import suggest_categories

DRAFT = "shequ_appeal_draft"


def _draft(request: HttpRequest) -> dict:
    return request.session.get(DRAFT) or {}


def _save(request: HttpRequest, draft: dict) -> None:
    request.session[DRAFT] = draft
    request.session.modified = True


def _categories() -> list[Category]:
    return list(
        Category.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("parent__sort", "sort")
    )


@login_required(login_url="/accounts/resident/")
@require_http_methods(["GET", "POST"])
def new_describe(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    if draft.get("submitted_id"):
        draft = {}
    error = ""
    if request.method == "POST":
        text = (request.POST.get("text") or "").strip()
        category = _chosen_category(request)
        if len(text) < 5:
            error = _("Describe the problem in at least 5 characters.")
        elif category and not Category.objects.filter(code=category, is_active=True).exists():
            error = _("Choose a category from the list.")
        else:
            draft.update(text=text[:2000], category=category, id=draft.get("id") or uuid.uuid4().hex)
            _save(request, draft)
            return redirect("appeals:new_location")
        draft.update(text=text, category=category)
    suggestions = suggest_categories(draft.get("text", ""))
    return render(
        request,
        "appeals/portal_new.html",
        {
            "step": 1,
            "draft": draft,
            "error": error,
            "categories": _categories(),
            "suggestions": suggestions,
            "suggested_codes": {s["code"] for s in suggestions},
        },
    )


def _chosen_category(request: HttpRequest) -> str:
    """The category the resident chose: from the list ("或选择类别", field category_list) or a suggestion (radios
    named category).

    The list and the radios once shared the name `category`, and the list's empty "I am not sure" came last in
    the form and won: a picked suggestion was thrown away (issue 21). Now the list has its own name; a choice made
    in it is the deliberate one and wins, else the first non-empty suggestion (a form from an older page that
    still posts both under `category` keeps its suggestion too). The page's script clears the other control when
    one is used, so with JavaScript only one is ever sent.
    """
    listed = request.POST.get("category_list") or ""
    suggested = next((c for c in request.POST.getlist("category") if c), "")
    return listed or suggested


@login_required(login_url="/accounts/resident/")
def suggest_fragment(request: HttpRequest) -> HttpResponse:
    """The htmx fragment under the text box: the categories suggested for what has been typed so far."""
    return render(
        request,
        "appeals/portal_new.html#suggestions",
        {
            "suggestions": suggest_categories(request.GET.get("text", "")[:2000]),
            "draft": {"category": request.GET.get("category", "")},
        },
    )


@login_required(login_url="/accounts/resident/")
def area_options(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("street") or request.GET.get("district") or request.GET.get("parent") or ""
    parent = Area.objects.filter(code=code).first()
    children = (
        list(
            Area.objects.filter(parent=parent, level__in=["street", "community"])
            .order_by("code")
            .only("code", "name")
        )
        if parent
        else []
    )
    return render(request, "appeals/portal_new.html#area-options", {"options": children})


@login_required(login_url="/accounts/resident/")
@require_http_methods(["GET", "POST"])
def new_location(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    if not draft.get("text"):
        return redirect("appeals:new_describe")
    error = ""
    far_question: int | None = None
    picked = {k: request.POST.get(k) or draft.get(k) or "" for k in ("district", "street", "community")}
    if request.method == "POST":
        draft.update(picked, address=(request.POST.get("address") or "").strip()[:200])
        lat, lng = request.POST.get("lat") or "", request.POST.get("lng") or ""
        try:
            draft["lat"], draft["lng"] = (float(lat), float(lng)) if lat and lng else (None, None)
        except ValueError:
            error = _("The map position is not valid.")
        photos = draft.get("photos", [])
        for upload in request.FILES.getlist("photos"):
            if len(photos) >= MAX_PHOTOS:
                error = _("At most %(n)d photos.") % {"n": MAX_PHOTOS}
                break
            try:
                image = photo_clean(upload)
            except ShequError as exc:
                error = exc.message
                break
            # Kept already cleaned, under its random name: nothing the resident sent is stored as sent.
            name = default_storage.save(f"{_draft_folder(draft)}{image.name}", ContentFile(image.content))
            photos.append({"name": name, "type": image.content_type})
        draft["photos"] = photos
        far = None if error else _pin_far_from_area(draft)
        if far is None:
            draft.pop("pin_far_m", None)
        elif request.POST.get("confirm_far") == "1":
            draft["pin_far_m"] = far  # confirmed by the resident: staff see it flagged on the appeal
        elif request.POST.get("go") == "next":
            error, far_question = _("The position is far from the chosen community. Is it right?"), far
        _save(request, draft)
        if not error and (request.POST.get("go") == "next" or request.POST.get("confirm_far") == "1"):
            if not (
                draft.get("community") or draft.get("street") or draft.get("district") or draft.get("lat")
            ):
                error = _("Choose where it is: a community, or a point on the map.")
            else:
                return redirect("appeals:new_confirm")
    districts = Area.objects.filter(level="district").order_by("code").only("code", "name")
    streets = (
        Area.objects.filter(parent__code=picked["district"]).order_by("code") if picked["district"] else []
    )
    communities = (
        Area.objects.filter(parent__code=picked["street"]).order_by("code") if picked["street"] else []
    )
    return render(
        request,
        "appeals/portal_new.html",
        {
            "step": 2,
            "draft": draft,
            "error": error,
            "districts": districts,
            "streets": streets,
            "communities": communities,
            "picked": picked,
            "map_conf": settings.SHEQU_MAP,
            "far_question": far_question,
            "far_km": f"{far_question / 1000:.1f}" if far_question else "",
        },
    )


@login_required(login_url="/accounts/resident/")
@require_http_methods(["GET", "POST"])
def new_confirm(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    if draft.get("submitted_id"):
        return redirect("appeals:my_detail", pk=draft["submitted_id"])
    if not draft.get("text"):
        return redirect("appeals:new_describe")
    user = cast(User, request.user)
    area_code = draft.get("community") or draft.get("street") or draft.get("district") or None
    error, fields = "", {}
    category = Category.objects.filter(code=draft.get("category") or "").first()
    questions = _questions(category)
    if request.method == "POST":
        anonymous = request.POST.get("anonymous") == "1"
        draft["attributes"] = _answers(request, questions)
        _save(request, draft)
        data = services.IntakeData(
            text=draft["text"],
            channel="portal",
            category=draft.get("category") or None,
            lat=draft.get("lat"),
            lng=draft.get("lng"),
            address=draft.get("address", ""),
            area=area_code,
            contact_phone=user.phone or "",
            contact_name=user.display_name or "",
            anonymous=anonymous,
            # A pin the resident confirmed far from the chosen community: staff see it flagged (console).
            attributes={
                **draft["attributes"],
                **({"pin_far_m": draft["pin_far_m"]} if draft.get("pin_far_m") else {}),
            },
        )
        files, lost = _draft_files(draft)
        if lost:
            # Submitting without them would drop what the resident meant to send: say so, and let him choose.
            draft["photos"] = [p for p in draft.get("photos", []) if p not in lost]
            _save(request, draft)
            error = ngettext(
                "%(n)d photo could no longer be read and was removed: add it again, or submit without it.",
                "%(n)d photos could no longer be read and were removed: add them again, or submit without them.",
                len(lost),
            ) % {"n": len(lost)}
        else:
            try:
                appeal = services.appeal_submit(actor=user, data=data, requester=user, photos=files)
            except ShequError as exc:
                error, fields = exc.message, exc.fields
                missing = {k for k in fields if k.startswith("attribute[")}
                if missing and len(missing) == len(fields):
                    # The category's own questions (Open311 attributes): asked on this page, answered here.
                    error, fields = _("Please answer the questions about this kind of problem."), {}
                    for q in questions:
                        q["missing"] = f"attribute[{q['code']}]" in missing
                if exc.code == "invalid_photo":
                    # Let the photos go: kept, they would fail every retry the same way (issue 21).
                    _drop_draft_photos(draft)
                    _save(request, draft)
                    error, fields = (
                        _("%(reason)s The photos were removed: add them again.") % {"reason": exc.message},
                        {},
                    )
            else:
                _drop_draft_photos(draft)
                draft["submitted_id"] = appeal.pk
                _save(request, draft)
                messages.success(
                    request, _("Your appeal %(number)s was received.") % {"number": appeal.number}
                )
                return redirect("appeals:my_detail", pk=appeal.pk)
    area = Area.objects.filter(code=area_code).first() if area_code else None
    answers = draft.get("attributes") or {}
    for q in questions:
        q["answer"] = str(answers.get(q["code"], ""))
    return render(
        request,
        "appeals/portal_new.html",
        {
            "step": 3,
            "draft": draft,
            "error": error,
            "fields": fields,
            "area": area,
            "category": category,
            "questions": questions,
            "has_phone": bool(user.phone),
            # 附近已有相同问题？ (issue 21): the same category's open appeals near here, public-safe.
            "nearby": nearby.appeal_nearby_for(
                user=user,
                category=category or _likely_category(draft),
                area=area,
                lat=draft.get("lat"),
                lng=draft.get("lng"),
            ),
            "nearby_days": nearby.NEARBY_DAYS,
        },
    )


def _likely_category(draft: dict) -> Category | None:
    """The category the resident left to the dispatcher, as the suggestions guess it: only to look for the same
    problem nearby, never stored."""
    suggestions = suggest_categories(draft.get("text", ""), k=1)
    if not suggestions:
        return None
    return Category.objects.filter(code=suggestions[0]["code"], is_active=True).first()


@login_required(login_url="/accounts/resident/")
@require_POST
def new_support(request: HttpRequest, pk: int) -> HttpResponse:
    """我也遇到了: instead of submitting her draft, the resident supports and follows the open appeal nearby. Any
    open appeal may be supported (its shown fields are public); a closed or missing one is refused in words."""
    user = cast(User, request.user)
    appeal = Appeal.objects.filter(pk=pk).first()
    if appeal is None:
        raise Http404
    try:
        _supporter, created = nearby.appeal_support(actor=user, appeal=appeal)
    except ShequError as exc:
        messages.error(request, exc.message)
        return redirect("appeals:new_confirm")
    draft = _draft(request)
    if draft.get("id"):
        _drop_draft_photos(draft)
    request.session.pop(DRAFT, None)  # she reported nothing new: the draft is done with
    messages.success(
        request,
        _("Noted: you met this problem too. Its progress is on your page, and you need not report it again.")
        if created
        else _("You had already said you met this problem."),
    )
    return redirect(f"{reverse('appeals:my_list')}#supported")


# A pin this far from the chosen area's point is asked about (位置与所选社区相距较远). Shenzhen's communities are one
# to three kilometres across and their points approximate: 2 km flags a pin in another community, not one at the
# community's edge.
FAR_METRES = 2000


def _pin_far_from_area(draft: dict) -> int | None:
    """Metres between the map pin and the chosen community's (or street's) point, when more than FAR_METRES."""
    code = draft.get("community") or draft.get("street")
    if not code or draft.get("lat") is None or draft.get("lng") is None:
        return None
    area = Area.objects.filter(code=code).only("centroid_lat", "centroid_lng").first()
    if area is None or area.centroid_lat is None or area.centroid_lng is None:
        return None
    metres = distance_m(draft["lng"], draft["lat"], area.centroid_lng, area.centroid_lat)
    return int(metres) if metres > FAR_METRES else None


def _questions(category: Category | None) -> list[dict]:
    """The category's questions for the resident (its Open311 attributes that take an answer): without the
    required ones the intake refuses the appeal, so the page must ask them once the category is kept."""
    questions = []
    for attr in (category.attributes if category else None) or []:
        if not attr.get("variable", True) or attr.get("datatype") not in (
            "singlevaluelist",
            "number",
            "string",
        ):
            continue
        questions.append(
            {
                "code": str(attr["code"]),
                "label": attr.get("description") or attr["code"],
                "datatype": attr["datatype"],
                "required": bool(attr.get("required")),
                "values": [
                    {"key": str(v["key"]), "name": v.get("name") or v["key"]} for v in attr.get("values", [])
                ],
            }
        )
    return questions


def _answers(request: HttpRequest, questions: list[dict]) -> dict:
    answers: dict = {}
    for q in questions:
        value = (request.POST.get(f"attr_{q['code']}") or "").strip()[:200]
        if not value:
            continue
        if q["datatype"] == "singlevaluelist" and value not in {v["key"] for v in q["values"]}:
            continue
        if q["datatype"] == "number":
            try:
                answers[q["code"]] = int(value)
            except ValueError:
                continue
        else:
            answers[q["code"]] = value
    return answers


def _draft_folder(draft: dict) -> str:
    return f"drafts/{draft['id']}/"


def _draft_files(draft: dict) -> tuple[list[ContentFile], list[dict]]:
    """The draft's photos read back through the storage API (never by path: a file opened by its absolute path and
    handed to a FileField was the SuspiciousFileOperation of issue 21), and those that could not be read."""
    files: list[ContentFile] = []
    lost: list[dict] = []
    folder = _draft_folder(draft)
    for p in draft.get("photos", []):
        name = str(p.get("name", ""))
        try:
            if not name.startswith(folder):
                raise OSError("not in the draft's folder")
            with default_storage.open(name, "rb") as f:
                files.append(ContentFile(f.read(), name=name.rsplit("/", 1)[-1]))
        except OSError:
            lost.append(p)
    return files, lost


def _drop_draft_photos(draft: dict) -> None:
    folder = _draft_folder(draft)
    for p in draft.get("photos", []):
        name = str(p.get("name", ""))
        if name.startswith(folder):
            default_storage.delete(name)
    draft["photos"] = []


@login_required(login_url="/accounts/resident/")
def my_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.appeal_list_for(user=request.user, mine=True)
    page = Paginator(qs, 10).get_page(request.GET.get("page"))
    for a in page:
        a.resident_status = timeline.resident_status_label(a)  # type: ignore[attr-defined]  # her words
    # The problems she said she also met (我也遇到了), public-safe: she follows them here.
    supported = nearby.appeal_supported_by(user=cast(User, request.user))
    return render(request, "appeals/portal_my_list.html", {"page": page, "supported": supported})


@login_required(login_url="/accounts/resident/")
def my_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get_for(user=request.user, pk=pk)
    if appeal.requester_id != request.user.pk:
        from django.http import Http404

        raise Http404
    relations = services.actor_relations(cast(User, request.user), appeal)
    detail = appeal_detail_out(appeal, now=timezone.now(), relations=relations, staff=False)
    return render(
        request,
        "appeals/portal_my_detail.html",
        {
            "appeal": appeal,
            "detail": detail,
            # In the resident's words, and only what is his to read (appeals.timeline).
            "status_label": timeline.resident_status_label(appeal),
            "reopened": timeline.reopened_and_open(appeal),
            "events": timeline.resident_timeline(appeal),
            "ratings": Rating.choices,
            "can_rate": "evaluate" in detail["actions"],
            "photos": appeal.photos.order_by("created_at", "id"),
            # Issue 23: an open emergency tells the resident so, and whom to call now (110 / 119 / 120).
            "urgent": appeal.urgency == Urgency.EMERGENCY and appeal.status in OPEN_STATUSES,
            "emergency_call": call_for(appeal),
        },
    )


@login_required(login_url="/accounts/resident/")
@require_POST
def my_rate(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get_for(user=request.user, pk=pk)
    try:
        rating = int(request.POST.get("rating", "0"))
        services.appeal_evaluate(
            actor=cast(User, request.user),
            appeal=appeal,
            rating=rating,
            comment=request.POST.get("comment", ""),
            resolved={"yes": True, "no": False}.get(request.POST.get("resolved", "")),
        )
    except (ValueError, ShequError) as exc:
        messages.error(request, getattr(exc, "message", _("Choose a rating.")))
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("appeals:my_detail", pk=pk)
