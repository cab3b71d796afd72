from django.contrib import admin
from django.urls import include, path

from shequ.api.api import api
from shequ.core import health
from shequ.web import errors

# Error pages in Chinese in the site's frame (shequ/web/errors.py; issue 21).
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("shequ.accounts.urls")),
    path("console/residents/", include("shequ.residents.urls")),
    path("console/audit/", include("shequ.web.audit_urls")),
    path("console/warnings/", include("shequ.earlywarning.urls")),
    path("console/dispatch/", include("shequ.dispatch.urls")),
    path("dashboard/plan/", include("shequ.indicators.urls")),  # 规划监测 and the task ledger
    path("dashboard/", include("shequ.dashboards.urls")),
    path("me/messages/", include("shequ.messages.urls")),
    path("admin/", admin.site.urls),
    path("open311/v2/", include("shequ.open311.urls")),
    path("", include("shequ.appeals.urls")),
    path("", include("shequ.facilities.urls")),
    path("", include("shequ.registries.urls")),
    path("", include("shequ.notices.urls")),
    path("", include("shequ.owners.urls")),
    path("", include("shequ.surveys.urls")),
    path("", include("shequ.credit.urls")),
    path("", include("shequ.volunteers.urls")),
    path("", include("shequ.emergency.urls")),
    path("", include("shequ.timebank.urls")),
    path("", include("shequ.care.urls")),
    path("", include("shequ.venues.urls")),
    path("", include("shequ.participation.urls")),
    path("", include("shequ.microprojects.urls")),
    path("", include("shequ.web.urls")),
]

# MEDIA_URL is served by nothing, not even in development: uploaded files are reached only through views that check
# the viewer's scope and answer with safe headers (appeals' photos: shequ.appeals.views_photos; issue 19). In
# production the storage is a private bucket.
