from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area


def home(request: HttpRequest) -> HttpResponse:
    counts = dict(Area.objects.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    level_counts = [
        {"label": label, "count": counts.get(level, 0)}
        for level, label in AreaLevel.choices
        if level in (AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID)
    ]
    districts = Area.objects.filter(level=AreaLevel.DISTRICT).only("code", "name").order_by("code")
    return render(request, "web/home.html", {"level_counts": level_counts, "districts": districts})
