"""The registries the plan counts and nobody records yet (plan 专栏2, 第7章; issue 29 item 3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area

from .choices import Register, kind_label


class Entry(models.Model):
    """One row of a community register: a sub-committee of the residents' committee (人民调解, 治安保卫, 公共卫生,
    环境和物业管理, 社会服务), a 法律明白人 or legal adviser, a community social organisation on file (备案), a
    community foundation or donation point, a 社区学校, or the community's green-community status.

    Names here are of organisations and of the people who serve publicly in these roles (the plan publishes them
    on the community's notice board); no ID number or phone is kept. Scoped by the community's path."""

    scope_path_field = "community__path"

    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    kind = models.CharField(_("kind"), max_length=30)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=120)
    reference = models.CharField(_("reference number"), max_length=60, blank=True)
    contact = models.CharField(_("responsible unit or convener"), max_length=120, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    members = models.PositiveIntegerField(_("members"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated for demos, not a fact")
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["register", "community__path", "kind", "name"]
        verbose_name = _("registry entry")
        verbose_name_plural = _("registry entries")
        indexes = [models.Index(fields=["register", "kind"], name="registries_entry_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(register__in=Register.values), name="registries_register_ok"
            ),
            models.UniqueConstraint(
                fields=["register", "community", "kind"],
                condition=models.Q(register="committee"),
                name="registries_one_committee_of_a_kind",
            ),
            models.UniqueConstraint(
                fields=["register", "community"],
                condition=models.Q(register="green"),
                name="registries_one_green_status",
            ),
            models.UniqueConstraint(
                fields=["register", "community", "name"],
                condition=~models.Q(register__in=["committee", "green"]),
                name="registries_name_once_in_community",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind_label})"

    @property
    def kind_label(self) -> str:
        return kind_label(self.register, self.kind)


class Activity(models.Model):
    """An activity a community social organisation held (the plan counts organisations *with* activities)."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="activities", verbose_name=_("organisation")
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=120)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title
