"""The inbox (站内消息) on the portal: thin views over services and selectors."""

from __future__ import annotations

from typing import cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.models import User

from . import selectors, services

LOGIN = "/accounts/resident/"


@login_required(login_url=LOGIN)
def inbox(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    page = Paginator(selectors.message_list_for(user=user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "messages/inbox.html",
        {"page": page, "wants_sms": services.wants_sms(user), "has_phone": bool(user.phone)},
    )


@login_required(login_url=LOGIN)
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    message = selectors.message_get_for(user=user, pk=pk)
    services.message_mark_read(person=user, pk=message.pk)
    link = message.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("shequ_messages:inbox")


@login_required(login_url=LOGIN)
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.message_mark_read(person=cast(User, request.user))
    return redirect("shequ_messages:inbox")


@login_required(login_url=LOGIN)
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    services.preference_set(person=cast(User, request.user), sms=request.POST.get("sms") == "1")
    flash.success(request, _("Your choice is saved."))
    return redirect("shequ_messages:inbox")
