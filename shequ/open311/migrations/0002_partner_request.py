import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def from_the_audit_trail(apps, schema_editor):
    """Requests filed before this table: each `appeal.partner_submit` audit entry names the key and the appeal."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ApiKey = apps.get_model("open311", "ApiKey")
    Appeal = apps.get_model("appeals", "Appeal")
    PartnerRequest = apps.get_model("open311", "PartnerRequest")
    keys = {k.prefix: k.pk for k in ApiKey.objects.all()}
    if not keys:
        return
    entries = AuditEntry.objects.filter(
        action="appeal.partner_submit", object_type="appeals.appeal"
    ).values_list("actor_username", "object_id", "at")
    rows, seen = [], set()
    for username, object_id, at in entries.iterator():
        key = keys.get(username.removeprefix("open311:"))
        if key is None or not object_id.isdigit() or int(object_id) in seen:
            continue
        seen.add(int(object_id))
        rows.append((int(object_id), key, at))
    existing = set(Appeal.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", flat=True))
    PartnerRequest.objects.bulk_create(
        [PartnerRequest(appeal_id=a, key_id=k, created_at=at) for a, k, at in rows if a in existing],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0012_list_partial_indexes"),
        ("audit", "0005_append_function"),
        ("open311", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PartnerRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
                ),
                (
                    "appeal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="open311_request",
                        to="appeals.appeal",
                        verbose_name="appeal",
                    ),
                ),
                (
                    "key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requests",
                        to="open311.apikey",
                        verbose_name="partner key",
                    ),
                ),
            ],
            options={
                "verbose_name": "partner's service request",
                "verbose_name_plural": "partners' service requests",
            },
        ),
        migrations.RunPython(from_the_audit_trail, migrations.RunPython.noop),
    ]
