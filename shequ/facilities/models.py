"""The facility registry (plan 5.1 设施; 15分钟服务圈): what serves residents near home, where and when it opens."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area

from .choices import HolidayRule


class FacilityType(models.Model):
    """A kind of community facility (党群服务中心, 社康, 长者服务站, 托育, 儿童之家, 文体, 警务室, 志愿服务站, 避难场所 …).

    The defaults are data (migration 0002); a city adds its own kinds as rows.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    icon = models.CharField(_("icon"), max_length=40, blank=True, help_text=_("Bootstrap icon name"))
    colour = models.CharField(
        _("colour"), max_length=7, default="#495057", help_text=_("Badge colour, #rrggbb")
    )
    sort = models.PositiveSmallIntegerField(_("sort"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    in_circle = models.BooleanField(
        _("required in the 15-minute circle"),
        default=False,
        help_text=_("Counted by the 15-minute service circle: every resident should reach one on foot"),
    )

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("facility type")
        verbose_name_plural = _("facility types")

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    """A service facility residents can walk to: its place (WGS84), its public service phone and its hours.

    Facilities are public information: every read is public and none is scoped. `phone` is the facility's
    public service number (a landline or a hotline), never a person's mobile (services refuse mobiles).
    `hours` is the structure of shequ.facilities.hours; "open now" is computed in Asia/Shanghai with the
    platform's holiday calendar. lat/lng carry one composite index: "near me" first cuts a bounding box on it,
    then computes exact distances on the few rows inside.
    """

    name = models.CharField(_("name"), max_length=120)
    type = models.ForeignKey(
        FacilityType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="facilities"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Usually a community"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"))
    lng = models.FloatField(_("longitude (WGS84)"))
    phone = models.CharField(_("service phone"), max_length=30, blank=True)
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    holiday_rule = models.CharField(
        _("on public holidays"), max_length=16, choices=HolidayRule.choices, default=HolidayRule.AS_USUAL
    )
    holiday_note = models.CharField(_("holiday note"), max_length=200, blank=True)
    services = models.JSONField(_("services offered"), default=list, blank=True)
    accessible = models.BooleanField(_("barrier-free (无障碍)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated for demos, not a fact")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["type__sort", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [models.Index(fields=["lat", "lng"], name="facilities_lat_lng")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90), name="facilities_lat_range"
            ),
            models.CheckConstraint(
                condition=models.Q(lng__gte=-180, lng__lte=180), name="facilities_lng_range"
            ),
            models.CheckConstraint(
                condition=models.Q(holiday_rule__in=HolidayRule.values), name="facilities_holiday_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- the 15-minute service circle by population (issue 29) ----------------------------------------------------
# Computed by `manage.py circle_compute` (a nightly job) and stored: pages read these rows, never the raw tables.


class CircleRun(models.Model):
    """One computation of the 15-minute circle over the whole city: when, how long, by which measures."""

    started_at = models.DateTimeField(_("started at"))
    seconds = models.FloatField(_("seconds"), default=0)
    buildings = models.PositiveIntegerField(_("buildings"), default=0)
    buildings_unlocated = models.PositiveIntegerField(_("buildings without a point or population"), default=0)
    network_nodes = models.PositiveIntegerField(_("walking network nodes"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("15-minute circle computation")
        verbose_name_plural = _("15-minute circle computations")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.buildings})"


class BuildingReach(models.Model):
    """A building's walk to each required facility type: metres to the nearest within 15 minutes, by type code.

    `crow` / `network` map a type code to metres; a type missing from the map is out of reach (a gap). `network`
    is null when no walking network is loaded or the building is off it. Replaced as a whole by each run."""

    building = models.OneToOneField(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("building")
    )
    community = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    lat = models.FloatField(_("latitude (WGS84)"))
    lng = models.FloatField(_("longitude (WGS84)"))
    population = models.PositiveIntegerField(_("population"))
    population_synthetic = models.BooleanField(_("population is synthetic"), default=False)
    crow = models.JSONField(_("as the crow flies"), default=dict)
    network = models.JSONField(_("along the walking network"), null=True, blank=True)

    class Meta:
        verbose_name = _("building reach")
        verbose_name_plural = _("building reaches")

    def __str__(self) -> str:
        return f"{self.building_id}"


class CircleCoverage(models.Model):
    """For one community and one required facility type: how many of its residents reach one within 15 minutes.

    `population` counts the residents of its located buildings; `covered_network` is null where no walking
    network covers the community's buildings (then only the crow-flies figure exists)."""

    community = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    type = models.ForeignKey(FacilityType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type"))
    buildings = models.PositiveIntegerField(_("buildings"))
    population = models.PositiveIntegerField(_("population"))
    covered_crow = models.PositiveIntegerField(_("residents covered (as the crow flies)"))
    covered_network = models.PositiveIntegerField(_("residents covered (on foot)"), null=True, blank=True)
    network_population = models.PositiveIntegerField(_("population on the walking network"), default=0)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Built on synthetic populations")
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("15-minute circle coverage")
        verbose_name_plural = _("15-minute circle coverages")
        constraints = [
            models.UniqueConstraint(fields=["community", "type"], name="facilities_coverage_once"),
            models.CheckConstraint(
                condition=models.Q(covered_crow__lte=models.F("population")),
                name="facilities_coverage_le_pop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.type_id}: {self.covered_crow}/{self.population}"

    @property
    def share_crow(self) -> float | None:
        return self.covered_crow / self.population if self.population else None

    @property
    def share_network(self) -> float | None:
        if self.covered_network is None or not self.network_population:
            return None
        return self.covered_network / self.network_population


class CandidateSite(models.Model):
    """A space that could house a facility: idle premises (闲置房产) and the like, with where it is."""

    name = models.CharField(_("name"), max_length=120)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"))
    lng = models.FloatField(_("longitude (WGS84)"))
    floor_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=40, default="闲置房产")
    is_active = models.BooleanField(_("available"), default=True)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated for demos, not a fact")
    )
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["area__path", "name"]
        verbose_name = _("candidate site")
        verbose_name_plural = _("candidate sites")

    def __str__(self) -> str:
        return self.name


class SiteSuggestion(models.Model):
    """A suggested site for a facility type in a street, in the greedy order: what it adds and the coverage after."""

    street = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("street"))
    type = models.ForeignKey(FacilityType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    site = models.ForeignKey(
        CandidateSite, on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    adds = models.PositiveIntegerField(_("residents added"))
    covered_after = models.PositiveIntegerField(_("residents covered after"))
    population = models.PositiveIntegerField(_("population"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["street", "type", "rank"]
        verbose_name = _("site suggestion")
        verbose_name_plural = _("site suggestions")
        constraints = [
            models.UniqueConstraint(fields=["street", "type", "rank"], name="facilities_suggestion_rank_once")
        ]

    def __str__(self) -> str:
        return f"{self.street_id}/{self.type_id} #{self.rank}"


class WalkNode(models.Model):
    """A node of the loaded walking network (a crossing or a bend of a footway)."""

    lat = models.FloatField(_("latitude (WGS84)"))
    lng = models.FloatField(_("longitude (WGS84)"))

    class Meta:
        verbose_name = _("walking network node")
        verbose_name_plural = _("walking network nodes")

    def __str__(self) -> str:
        return f"{self.lat:.6f},{self.lng:.6f}"


class WalkEdge(models.Model):
    """A walkable segment between two nodes, both ways, with its length in metres."""

    a = models.ForeignKey(WalkNode, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(WalkNode, on_delete=models.CASCADE, related_name="+")
    metres = models.FloatField(_("metres"))

    class Meta:
        verbose_name = _("walking network edge")
        verbose_name_plural = _("walking network edges")
        constraints = [
            models.CheckConstraint(condition=models.Q(metres__gte=0), name="facilities_walk_edge_len")
        ]

    def __str__(self) -> str:
        return f"{self.a_id}-{self.b_id} ({self.metres:.0f} m)"
