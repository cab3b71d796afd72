"""/api/v1/credit-lists?year=: the permission matrix and what an entry carries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.credit.services import credit_lists_compute, inspection_record

from .factories import huafu_officer, property_company

pytestmark = pytest.mark.django_db


class TestCreditListEndpoint(PermissionMatrixMixin):
    def test_permission_matrix(self, client, cast):
        year = timezone.localdate().year
        _, company, _ = property_company(cast["wangqiang"], year)
        inspection_record(
            actor=cast["wangqiang"], subject=company, inspected_on=timezone.localdate(), score=50
        )
        credit_lists_compute(actor=cast["wangqiang"], year=year)
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/credit-lists?year={year}",
            in_scope=cast["wangqiang"],
            no_role=cast["zhangwei"],
        )
        sign_in(client, cast["wangqiang"])
        data = client.get(f"/api/v1/credit-lists?year={year}").json()
        assert [e["subject"]["name"] for e in data["risk"]] == ["深圳市安居物业服务有限公司"]
        assert data["risk"][0]["evidence"]["inspections"][0]["score"] == 50 and data["incentive"] == []
        sign_in(client, huafu_officer())
        other = client.get(f"/api/v1/credit-lists?year={year}").json()
        assert other["risk"] == other["incentive"] == other["normal"] == []
        assert client.get("/api/v1/credit-lists?year=1999").status_code == 400
