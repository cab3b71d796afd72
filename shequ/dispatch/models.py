"""Smart dispatch (智能分拨, plan 6.2): the models that suggest an appeal's category and lead unit, what they were
trained on, and what they suggested.

The model files themselves live in Django's default storage (var/media locally, object storage in production);
the database holds which version is active for each kind and the file's sha256, checked on every load.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelKind(models.TextChoices):
    CATEGORY = "category", _("Category")
    UNIT = "unit", _("Lead unit")


class ExampleSource(models.TextChoices):
    DISPATCHER = "dispatcher", _("Dispatched by a dispatcher")
    IMPORT = "import", _("Imported labelled file")
    CORRECTION = "correction", _("Dispatcher's correction of a suggestion")


class ModelVersion(models.Model):
    """One trained dispatch model (分拨模型版本): its file, what it was trained on and how well it did.

    At most one version per kind is active; suggestions use the active one. Older versions stay, so that an
    operator can go back to one.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ModelKind.choices)
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # {"source": "examples" | file name, "rows": n, "classes": {label: n}, "sources": {source: n}}
    trained_on = models.JSONField(_("trained on"), default=dict)
    # {"cv_macro_f1": .., "cv_accuracy": .., "folds": .., "per_class": {...}, "pipeline": "..."}
    metrics = models.JSONField(_("metrics"), default=dict)
    file = models.FileField(_("file"), upload_to="dispatch_models/")
    sha256 = models.CharField(_("sha256 of the file"), max_length=64)
    size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("dispatch model version")
        verbose_name_plural = _("dispatch model versions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="dispatch_model_kind_version"),
            # One active model per kind, enforced by the database: two retrains finishing together cannot both win.
            models.UniqueConstraint(
                fields=["kind"], condition=Q(active=True), name="dispatch_one_active_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}{' (active)' if self.active else ''}"


class TrainingExample(models.Model):
    """A labelled text the models learn from (训练样本): an appeal a dispatcher dispatched, a dispatcher's
    correction of a suggestion, or a row of an imported labelled file.

    An appeal contributes at most one example per kind, holding its latest confirmed label: a correction replaces
    the label instead of adding a contradicting row. Texts are stored with phone and ID numbers masked.
    """

    text = models.TextField(_("text"))
    label_kind = models.CharField(_("kind of label"), max_length=16, choices=ModelKind.choices)
    label = models.CharField(_("label"), max_length=60)  # a Category code or a Unit code
    source = models.CharField(_("source"), max_length=16, choices=ExampleSource.choices)
    # What the unit model reads beside the text: {"area_path": "/440300/440304/…/", "category": "sanitation"}
    context = models.JSONField(_("context"), default=dict, blank=True)
    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # sha256 of kind + text: importing the same file twice adds nothing.
    digest = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training example")
        verbose_name_plural = _("training examples")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "label_kind"],
                condition=Q(appeal__isnull=False),
                name="dispatch_one_example_per_appeal_kind",
            ),
        ]
        # Training reads every example of one kind.
        indexes = [models.Index(fields=["label_kind", "created_at"], name="dispatch_example_kind")]

    def __str__(self) -> str:
        return f"{self.label_kind}={self.label} ({self.source})"


class Suggestion(models.Model):
    """What the models suggested for an appeal at intake, and whether it was dispatched on that suggestion.

    A dispatcher's later dispatch or reassignment is compared with it: a different category or unit is a
    correction, and becomes training data of its own kind.
    """

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("suggested category"), max_length=60, blank=True)
    category_probability = models.FloatField(null=True, blank=True)
    unit = models.CharField(_("suggested unit"), max_length=60, blank=True)
    unit_source = models.CharField(max_length=8, blank=True)  # "model" or "rules"
    model_versions = models.JSONField(default=dict, blank=True)  # {"category": 3, "unit": 1}
    auto_dispatched = models.BooleanField(_("dispatched automatically"), default=False)
    payload = models.JSONField(default=dict, blank=True)  # the suggestion as the API returns it
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dispatch suggestion")
        verbose_name_plural = _("dispatch suggestions")
        indexes = [models.Index(fields=["appeal", "created_at"], name="dispatch_suggestion_appeal")]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.category} → {self.unit}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a decision")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not a duplicate")


class DuplicateCandidate(models.Model):
    """A possible duplicate (疑似重复诉求, offered for 并单): an open appeal that a newer appeal of the same or a
    related category, near it in place and time, resembles in text.

    `appeal` is the newer one, `candidate` the older one it may duplicate; merging merges `appeal` into
    `candidate` (the older appeal is usually already being handled). The scores are kept as they were at intake,
    so that the threshold can be judged later against what dispatchers decided.
    """

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    text_score = models.FloatField(_("text similarity"))
    distance_m = models.FloatField(
        _("distance (m)"), null=True, blank=True
    )  # None: same community, no points
    hours_apart = models.FloatField(_("hours apart"))
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "-id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "candidate"], name="dispatch_duplicate_once_per_pair"),
            models.CheckConstraint(
                condition=~Q(appeal=models.F("candidate")), name="dispatch_duplicate_not_itself"
            ),
        ]
        # The appeal's page reads the pairs on either side of it.
        indexes = [models.Index(fields=["candidate", "status"], name="dispatch_duplicate_candidate")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ~ {self.candidate_id} ({self.score:.2f}, {self.status})"


class IntakeQueue(models.Model):
    """The after-intake work still to do (a transactional outbox): one row per new appeal, written in the intake's
    own transaction, so that the row exists exactly when the appeal does, whatever the broker is doing.
    `services.after_intake_drain` takes rows in order, runs `services.after_intake` on each and deletes it.

    `claimed_until` is a lease: a drain that takes a row sets it, and a row whose lease ran out (its worker died)
    is taken again. Rows are few at any time: the drain runs every few seconds (settings.CELERY_BEAT_SCHEDULE)
    and, in the embedded setup, right after each intake commits.
    """

    appeal = models.OneToOneField(
        "appeals.Appeal",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("appeal"),
    )
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)

    class Meta:
        ordering = ["appeal"]
        verbose_name = _("after-intake work")
        verbose_name_plural = _("after-intake work")

    def __str__(self) -> str:
        return f"after-intake {self.appeal_id}"
