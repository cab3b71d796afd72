import io

import pytest
from openpyxl import load_workbook

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.residents.services import resident_reveal

pytestmark = pytest.mark.django_db


class TestAuditPages(PermissionMatrixMixin):
    def test_only_the_audit_admin_reads_the_trail(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/audit/", in_scope=cast["zhaomin"], no_role=cast["zhouyu"], page=True
        )

    def test_the_security_admin_cannot_read_it_either(self, client, cast):
        sign_in(client, cast["wujun"])
        assert client.get("/console/audit/").status_code == 403
        assert client.get("/console/audit/export/").status_code == 403


def test_the_trail_page_filters_by_action_and_actor(client, cast, make_resident):
    r = make_resident(phone="13912345678")
    resident_reveal(actor=cast["lina"], resident=r, fields=["phone"], purpose="home visit")
    sign_in(client, cast["zhaomin"])
    page = client.get("/console/audit/", {"action": "resident.reveal", "actor": "lina"}).content.decode()
    assert "resident.reveal" in page and "home visit" in page
    assert "grant.bootstrap" not in page


def test_the_export_is_an_xlsx_with_masked_values_and_is_itself_audited(client, cast, make_resident):
    make_resident(phone="13912345678")
    sign_in(client, cast["zhaomin"])
    response = client.get("/console/audit/export/", {"format": "xlsx", "action": "resident."})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "seq" and len(rows) > 1
    assert "139****5678" in str(rows)
    assert AuditEntry.objects.filter(action="audit.export", actor_username="zhaomin").exists()


def test_paging_goes_by_sequence_number(client, cast):
    sign_in(client, cast["zhaomin"])
    newest = AuditEntry.objects.order_by("-seq").first()
    page = client.get("/console/audit/", {"before": newest.seq}).content.decode()
    assert f"<td>{newest.seq}</td>" not in page
