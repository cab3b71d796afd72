"""The permission matrix (DESIGN.md §8) on the audit trail's export: only the audit administrator (三员分立) takes it,
everyone else is refused, and a refused export leaves no trace of an export in the trail."""

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/console/audit/export/"


class TestAuditExport(PermissionMatrixMixin):
    def test_audit_export_permission_matrix(self, client, cast, make_user):
        self.assert_permission_matrix(
            client, url=f"{URL}?format=csv", in_scope=cast["zhaomin"], no_role=make_user("nobody"), page=True
        )
        for refused in ("zhouyu", "wujun", "chenjing", "sunli", "lina", "zhangwei"):
            sign_in(client, cast[refused])
            assert client.get(URL, {"format": "csv"}).status_code == 403, refused
        exports = AuditEntry.objects.filter(action="audit.export")
        assert list(exports.values_list("actor_username", flat=True)) == ["zhaomin"]
