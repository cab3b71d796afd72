"""Owners' decisions (plan 4.2 业主共同决定; Civil Code Art. 278): the unit register of an estate, its votes, the
roll fixed at the notice, ballots (one per exclusive part) and their hash chain.

Estates are areas of level `estate` (shequ/geo). Every row is scoped by the estate's path. A register and its votes
belong to their estate and go with it (only synthetic demo estates are ever deleted); within them a part, an owner
or a document still counted by a ballot cannot be deleted on its own (RESTRICT).
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.chain import GENESIS_HASH, chain_hash
from shequ.geo.models import Area
from shequ.residents.models import Resident

from .choices import AreaSource, Channel, Convener, DocumentKind, Item, VoteStatus

DEVELOPER = "dev"  # the person every unsold or undelivered part counts for (SPC Art. 9)


class EstateSettings(models.Model):
    """An estate's own choices under local rules: whether silent votes follow the majority (off by default)."""

    estate = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="owners_settings")
    silent_follow_majority = models.BooleanField(_("silent votes follow the majority"), default=False)
    developer_name = models.CharField(_("developer"), max_length=100, blank=True)

    scope_path_field = "estate__path"

    def __str__(self) -> str:
        return f"{self.estate.name}"


class Owner(models.Model):
    """业主: a person recorded in an estate's register, linked to a resident (verified by the community) or to a
    user account; the link is what lets him vote online."""

    estate = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="owners")
    name = models.CharField(_("name"), max_length=50)
    resident = models.ForeignKey(Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    scope_path_field = "estate__path"

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "resident"],
                condition=Q(resident__isnull=False),
                name="owners_owner_resident",
            ),
            models.UniqueConstraint(
                fields=["estate", "user"], condition=Q(user__isnull=False), name="owners_owner_user"
            ),
        ]

    def __str__(self) -> str:
        return f"owner #{self.pk}"


class Part(models.Model):
    """专有部分: an exclusive part of an estate with its area from each source it is known by. The counted area is
    the registered one, else the surveyed one, else the contract's (SPC Art. 8). `developer_unsold`: not yet sold
    or not yet delivered, held by the developer (all such parts together count as one person)."""

    estate = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="owner_parts")
    number = models.CharField(_("number"), max_length=40)
    area_registered = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    area_surveyed = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    area_contract = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    developer_unsold = models.BooleanField(_("developer's unsold part"), default=False)
    owners: models.ManyToManyField[Owner, Ownership] = models.ManyToManyField(
        Owner, through="Ownership", related_name="parts"
    )
    synthetic = models.BooleanField(default=False)

    scope_path_field = "estate__path"

    class Meta:
        ordering = ["estate", "number"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "number"], name="owners_part_number"),
            models.CheckConstraint(
                condition=Q(area_registered__isnull=False)
                | Q(area_surveyed__isnull=False)
                | Q(area_contract__isnull=False),
                name="owners_part_has_an_area",
            ),
            models.CheckConstraint(
                condition=(Q(area_registered__isnull=True) | Q(area_registered__gt=0))
                & (Q(area_surveyed__isnull=True) | Q(area_surveyed__gt=0))
                & (Q(area_contract__isnull=True) | Q(area_contract__gt=0)),
                name="owners_part_area_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def area_and_source(self) -> tuple[Decimal, str]:
        for value, source in (
            (self.area_registered, AreaSource.REGISTERED),
            (self.area_surveyed, AreaSource.SURVEYED),
            (self.area_contract, AreaSource.CONTRACT),
        ):
            if value is not None:
                return value, source
        raise ValueError(f"part {self.pk} has no area")

    @property
    def counted_area(self) -> Decimal:
        return self.area_and_source[0]

    @property
    def area_source_label(self) -> str:
        return str(AreaSource(self.area_and_source[1]).label)


class Ownership(models.Model):
    """An owner of a part; several owners of one part are co-owners and cast one vote for it."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="ownerships")
    owner = models.ForeignKey(Owner, on_delete=models.RESTRICT, related_name="ownerships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["part", "owner"], name="owners_ownership_unique")]

    def __str__(self) -> str:
        return f"{self.part_id}/{self.owner_id}"


class Vote(models.Model):
    """业主共同决定: one vote of an estate's owners on one or more matters, from notice to final result.

    The roll (RollEntry) is fixed when the notice is published, with the rules then in force (`rules_code`,
    `local_code`): the tally can be recomputed later exactly as it was decided. `chain_seq`/`chain_hash` are the
    head of the vote's ballot chain (BallotRecord); the row is locked for every ballot."""

    estate = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="owner_votes")
    title = models.CharField(_("title"), max_length=120)
    convener = models.CharField(_("convener"), max_length=24, choices=Convener.choices)
    convener_name = models.CharField(_("convener's name"), max_length=100)
    status = models.CharField(max_length=16, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    notice_at = models.DateTimeField(_("notice"), null=True, blank=True)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    extended_to = models.DateTimeField(_("extended to"), null=True, blank=True)
    objection_until = models.DateTimeField(_("objections until"), null=True, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    rules_code = models.CharField(max_length=40, blank=True)
    local_code = models.CharField(max_length=40, blank=True)
    silent_follow_majority = models.BooleanField(default=False)
    committee_consent = models.BooleanField(default=False)
    preliminary = models.JSONField(null=True, blank=True)
    final = models.JSONField(null=True, blank=True)
    chain_seq = models.PositiveIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "estate__path"

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="owners_vote_window"
            ),
            models.CheckConstraint(
                condition=Q(extended_to__isnull=True) | Q(extended_to__gt=models.F("closes_at")),
                name="owners_vote_extension_later",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def close_at(self):
        return self.extended_to or self.closes_at


class Matter(models.Model):
    """One matter of a vote, tagged with its Art. 278 item (which decides its approval threshold)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="matters")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("matter"), max_length=200)
    item = models.PositiveSmallIntegerField(_("Art. 278 item"), choices=Item.choices)

    class Meta:
        ordering = ["vote", "position"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "position"], name="owners_matter_position"),
            models.CheckConstraint(condition=Q(item__gte=1, item__lte=9), name="owners_matter_item_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class RollEntry(models.Model):
    """业主名册 as fixed at the notice: each part, its counted area (hundredths of m²) and the person it counts
    for ("dev" for the developer, "o:3-7" for owners 3 and 7 together, "p:12" for a part with no owner on
    record)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll")
    part = models.ForeignKey(Part, on_delete=models.RESTRICT, related_name="+")
    person = models.CharField(max_length=200)
    area = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "part"], name="owners_roll_part"),
            models.CheckConstraint(condition=Q(area__gt=0), name="owners_roll_area_positive"),
        ]
        indexes = [models.Index(fields=["vote", "person"], name="owners_roll_person")]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.part_id}"


class Document(models.Model):
    """A scan of a paper ballot or a proxy's written authorisation: an image checked and re-encoded by
    shequ.core.uploads, served only by a scoped view."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    file = models.FileField(upload_to="owners/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file.name


class Ballot(models.Model):
    """选票: the current choices cast for one part (one per part: the database refuses a second). A person with
    several parts casts for all of them at once; a ballot may be changed until the close, each change a new link
    of the vote's chain (BallotRecord)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    part = models.ForeignKey(Part, on_delete=models.RESTRICT, related_name="+")
    person = models.CharField(max_length=200)
    choices = models.JSONField()  # {"1": "yes", "2": "abstain"}: by matter position
    channel = models.CharField(max_length=8, choices=Channel.choices)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proxy_name = models.CharField(max_length=50, blank=True)
    document = models.ForeignKey(Document, on_delete=models.RESTRICT, null=True, blank=True, related_name="+")
    receipt = models.CharField(max_length=64)
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "part"], name="owners_one_ballot_per_part")]
        indexes = [models.Index(fields=["vote", "person"], name="owners_ballot_person")]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.part_id}"


class BallotRecord(models.Model):
    """One link of a vote's ballot chain: every cast and every change, in order. `hash` = sha256(`prev_hash` +
    canonical JSON of the record), so an edit, an insertion or a deletion is found by `verify_owner_ballots`; the
    hash of a person's latest record is his receipt."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="records")
    seq = models.PositiveIntegerField()
    part = models.ForeignKey(Part, on_delete=models.RESTRICT, related_name="+")
    person = models.CharField(max_length=200)
    choices = models.JSONField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["vote", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "seq"], name="owners_record_seq"),
            models.UniqueConstraint(fields=["hash"], name="owners_record_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}#{self.seq}"

    def payload(self) -> dict[str, Any]:
        return record_payload(
            vote_id=self.vote_id,
            seq=self.seq,
            part_id=self.part_id,
            person=self.person,
            choices=self.choices,
            channel=self.channel,
            at=self.at,
        )

    def computed_hash(self) -> str:
        return chain_hash(self.prev_hash, self.payload())


def record_payload(*, vote_id, seq, part_id, person, choices, channel, at) -> dict[str, Any]:
    return {
        "vote": vote_id,
        "seq": seq,
        "part": part_id,
        "person": person,
        "choices": choices,
        "channel": channel,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


class PaperEntry(models.Model):
    """The first entry of a paper ballot, waiting for a second member of staff to enter the same sheet: only
    matching entries become a counted ballot (STYLE.md §12; CONSUL's paper ballots)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="paper_entries")
    part = models.ForeignKey(Part, on_delete=models.RESTRICT, related_name="+")
    person = models.CharField(max_length=200)
    choices = models.JSONField()
    scan = models.ForeignKey(Document, on_delete=models.RESTRICT, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "person"], name="owners_one_paper_entry")]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.person}"
