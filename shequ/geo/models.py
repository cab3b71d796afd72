"""The area tree: city → district → street → community → grid → estate → building (plan 6.1 社区服务块数据库)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import LEVEL_DEPTH, AreaLevel

PATH_SEPARATOR = "/"
PATH_CHARS = re.compile(r"^[0-9A-Za-z/]*$")


class PathField(models.CharField):
    """A materialised ancestor path; supports `__prefix`, the indexed "everything under" lookup."""


@PathField.register_lookup
class PathPrefix(models.Lookup):
    """`path__prefix="/440300/440304/"`: one range scan on the path index, on both databases.

    SQLite's LIKE is case-insensitive and only uses a NOCASE index, which SQLite's table rebuilds drop; GLOB is
    case-sensitive and uses the plain index. PostgreSQL's LIKE uses the varchar_pattern_ops index (Meta).
    Paths hold only digits, letters and slashes, so neither pattern needs escaping (checked here anyway).
    """

    lookup_name = "prefix"

    def _sql(self, compiler, connection, operator: str, wildcard: str):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if not PATH_CHARS.match(prefix):
            raise ValueError(f"not an area path: {prefix!r}")
        return f"{lhs} {operator} %s", [*lhs_params, prefix + wildcard]

    def as_sqlite(self, compiler, connection):
        return self._sql(compiler, connection, "GLOB", "*")

    def as_sql(self, compiler, connection):
        return self._sql(compiler, connection, "LIKE", "%")


class AreaQuerySet(models.QuerySet["Area"]):
    def under(self, area: Area, *, include_self: bool = True) -> AreaQuerySet:
        """Everything under an area: one prefix query on the indexed materialised path."""
        qs = self.filter(path__prefix=area.path)
        return qs if include_self else qs.exclude(pk=area.pk)

    def at_level(self, level: str) -> AreaQuerySet:
        return self.filter(level=level)


class Area(models.Model):
    """A node of the city's area tree (市/区/街道/社区/网格/小区/楼栋) with its official code.

    `path` is the materialised ancestor path ("/440300/440304/440304001/"): "everything under 福田区" is
    `path__prefix`, one range scan of the path index (GLOB on SQLite, LIKE with varchar_pattern_ops on
    PostgreSQL; see PathPrefix). Geometry is optional: districts have a boundary, finer levels only an approximate
    point, and the product must say so (`centroid_approximate`).
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    official_name = models.CharField(_("official name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = PathField(_("ancestor path"), max_length=400, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False)

    code_official = models.BooleanField(_("official code"), default=True)
    codes = models.JSONField(_("other codes"), default=dict, blank=True)

    centroid_lng = models.FloatField(_("centroid longitude"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_source = models.CharField(_("centroid source"), max_length=200, blank=True)
    centroid_approximate = models.BooleanField(_("centroid approximate"), default=True)
    bbox = models.JSONField(_("bounding box"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry, WGS84)"), null=True, blank=True)

    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=300, blank=True)
    population_synthetic = models.BooleanField(_("population is synthetic"), default=False)
    population_approximate = models.BooleanField(_("population is approximate"), default=False)

    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("City pack or generator"))
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated for demos, not a fact")
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL's LIKE 'prefix%' use the index under any collation; other
            # databases ignore the operator class and get a plain index, which SQLite's GLOB uses.
            models.Index(fields=["path"], name="geo_area_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=AreaLevel.values), name="geo_area_level_valid"
            ),
            # Only the root city may be parentless: an orphan below it would vanish from every prefix query.
            models.CheckConstraint(
                condition=models.Q(level=AreaLevel.CITY) | models.Q(parent__isnull=False),
                name="geo_area_only_city_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.path = self.compute_path()
        self.depth = self.path.count(PATH_SEPARATOR) - 2
        super().save(*args, **kwargs)

    # The path is derived from the parent; computing it here keeps it true for every save path.
    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else PATH_SEPARATOR
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def clean(self) -> None:
        if self.parent is not None:
            if LEVEL_DEPTH[self.level] != LEVEL_DEPTH[self.parent.level] + 1:
                raise ValidationError(
                    {
                        "level": _("A %(child)s cannot sit directly under a %(parent)s.")
                        % {"child": self.get_level_display(), "parent": self.parent.get_level_display()}
                    }
                )
        elif self.level != AreaLevel.CITY:
            raise ValidationError({"parent": _("Only a city has no parent.")})

    @property
    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split(PATH_SEPARATOR) if c][:-1]

    def ancestors(self) -> models.QuerySet[Area]:
        return Area.objects.filter(code__in=self.ancestor_codes).order_by("depth")

    @property
    def centroid(self) -> tuple[float, float] | None:
        if self.centroid_lng is None or self.centroid_lat is None:
            return None
        return (self.centroid_lng, self.centroid_lat)
