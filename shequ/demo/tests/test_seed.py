import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError, RestrictedError

from shequ.accounts.models import Unit, User
from shequ.demo.cast import CAST
from shequ.demo.seed import seed_demo
from shequ.geo.models import Area
from shequ.residents.models import Household, Resident

pytestmark = pytest.mark.django_db

# A few hundred appeals of the living year keep these tests quick; test_history.py checks the year itself.
SMALL = 300


def _snapshot():
    return (
        list(Area.objects.filter(synthetic=True).order_by("code").values_list("code", "name", "path")),
        list(Unit.objects.order_by("code").values_list("code", "name", "kind", "area__code")),
        list(Resident.objects.order_by("id_number_hash").values_list("id_number_hash", "name", "area__code")),
    )


def _delete_with_dependants(queryset):
    """Delete the rows, first deleting whatever protects them (care's cases, a venue's bookings …), recursively."""
    while True:
        try:
            queryset.delete()
            return
        except (ProtectedError, RestrictedError) as error:
            blockers: dict = {}
            for obj in error.args[1]:
                blockers.setdefault(type(obj), set()).add(obj.pk)
            for model, pks in blockers.items():
                _delete_with_dependants(model._base_manager.filter(pk__in=pks))


def test_small_demo_covers_the_casts_streets_and_flags_everything_synthetic():
    seed_demo(scale="small", seed=7, appeals=SMALL)
    streets = set(Unit.objects.filter(kind="street_office").values_list("area__name", flat=True))
    assert {"华富街道", "粤海街道"} <= streets
    assert len({u.area.parent.code for u in Unit.objects.filter(kind="street_office")}) >= 3
    assert Area.objects.filter(level="grid").exists() and Area.objects.filter(level="estate").exists()
    assert not Unit.objects.filter(synthetic=False).exists()
    assert not Area.objects.filter(level__in=["grid", "estate", "building"], synthetic=False).exists()
    assert set(User.objects.values_list("username", flat=True)) >= {c.username for c in CAST}


def test_running_again_duplicates_nothing():
    seed_demo(scale="small", seed=7, appeals=SMALL)
    first = _snapshot()
    report = seed_demo(scale="small", seed=7, appeals=SMALL)
    assert _snapshot() == first
    assert sum(report.counts.values()) == 0


def test_the_same_seed_gives_the_same_rows():
    seed_demo(scale="small", seed=3, appeals=SMALL)
    first = _snapshot()
    # Take away what the seed made (everything flagged synthetic but the cast's accounts, which the audit trail
    # keeps, and the people) with whatever hangs on it, then seed again.
    _delete_with_dependants(Resident.objects.all())
    _delete_with_dependants(Household.objects.all())
    for model in apps.get_models():
        if model is not User and any(f.name == "synthetic" for f in model._meta.get_fields()):
            _delete_with_dependants(model._base_manager.filter(synthetic=True))
    seed_demo(scale="small", seed=3, appeals=SMALL)
    assert _snapshot() == first


def test_grid_and_estate_codes_extend_their_parents_code():
    seed_demo(scale="small", seed=1, appeals=SMALL)
    assert not Area.objects.filter(level__in=["grid", "estate", "building"], parent__isnull=True).exists()
    estate = Area.objects.filter(level="estate").select_related("parent__parent").first()
    assert estate.code.startswith(estate.parent.code) and estate.parent.code.startswith(
        estate.parent.parent.code
    )
    assert estate.path == f"{estate.parent.path}{estate.code}/"


def test_residents_live_in_several_streets_of_several_districts_and_zhangwei_is_one():
    seed_demo(scale="small", seed=1, appeals=SMALL)
    districts = {path.split("/")[2] for path in Resident.objects.values_list("area__path", flat=True)}
    streets = {path.split("/")[3] for path in Resident.objects.values_list("area__path", flat=True)}
    assert len(districts) >= 3 and len(streets) >= 5
    assert Resident.objects.get(user__username="zhangwei").area.path.startswith(
        Area.objects.get(name="华富街道").path
    )
    assert not Resident.objects.filter(synthetic=False).exists()


def test_city_scale_covers_every_street():
    seed_demo(scale="city", seed=1, appeals=SMALL)
    offices = Unit.objects.filter(kind="street_office").count()
    assert offices == Area.objects.filter(level="street").count() == 78


def test_unknown_scale_is_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "galaxy")


def test_the_demo_shows_an_early_warning_on_synthetic_appeals():
    from shequ.earlywarning.models import EarlyWarning

    report = seed_demo(scale="small", seed=7, appeals=SMALL)
    assert report.counts["warnings"] >= 1
    warning = EarlyWarning.objects.get(kind="repeat_person")
    assert warning.synthetic and warning.observed == 3
    assert "13912340000" not in str(warning.evidence)  # the caller is shown masked


def test_the_demo_appeals_come_in_over_the_past_sixty_days_and_the_rollups_follow():
    from datetime import timedelta

    from django.db.models import Sum
    from django.utils import timezone

    from shequ.appeals.models import Appeal, Event, KpiDaily
    from shequ.core.crypto import hash_lookup
    from shequ.demo.appeals import REPEAT_CALLER
    from shequ.demo.history import SYNTHETIC_MARK

    seed_demo(scale="small", seed=7, appeals=SMALL)
    now = timezone.now()
    history = (
        Appeal.objects.filter(synthetic=True)
        .exclude(**hash_lookup(Appeal, "contact_phone", REPEAT_CALLER))
        .exclude(text__endswith=SYNTHETIC_MARK)  # the living year's (test_history.py)
    )
    days = {timezone.localdate(a.created_at) for a in history}
    assert len(days) >= 40  # one appeal every day or so, not all today
    oldest = min(a.created_at for a in history)
    assert timedelta(days=58) < now - oldest <= timedelta(days=61)
    for appeal in history:
        assert appeal.number[2:10] == f"{timezone.localtime(appeal.created_at):%Y%m%d}"
        times = list(Event.objects.filter(appeal=appeal).values_list("at", flat=True))
        assert all(appeal.created_at <= t <= now for t in times)
    # The rollups were rebuilt from the moved timeline: what came in on a day is counted on that day.
    for day in sorted(days)[:5]:
        received = KpiDaily.objects.filter(day=day).aggregate(n=Sum("received"))["n"]
        assert received == sum(1 for a in Appeal.objects.all() if timezone.localdate(a.created_at) == day)
