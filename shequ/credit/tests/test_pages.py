"""The console's credit lists: the permission matrix, the lists with their evidence, computing, export."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.credit.models import ListEntry
from shequ.credit.services import credit_lists_compute, inspection_record

from .factories import property_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(cast):
    year = timezone.localdate().year
    _, company, _ = property_company(cast["wangqiang"], year)
    inspection_record(
        actor=cast["wangqiang"],
        subject=company,
        inspected_on=timezone.localdate(),
        score=40,
        finding="垃圾清运不及时",
    )
    return year


class TestCreditPages(PermissionMatrixMixin):
    def test_lists_permission_matrix(self, client, cast, year):
        self.assert_permission_matrix(
            client,
            url=f"/console/credit/?year={year}",
            in_scope=cast["wangqiang"],
            no_role=cast["lina"],
            page=True,
        )

    def test_compute_permission_matrix(self, client, cast, year):
        self.assert_permission_matrix(
            client,
            url="/console/credit/compute/",
            method="post",
            multipart=True,
            data={"year": str(year)},
            in_scope=cast["wangqiang"],
            no_role=cast["lina"],
            ok=(302,),
            page=True,
        )
        # The company has its inspection; its manager, with no evaluation, appeal or inspection, is not listed.
        assert list(ListEntry.objects.filter(year=year).values_list("subject__name", flat=True)) == [
            "深圳市安居物业服务有限公司"
        ]

    def test_the_officer_reads_the_risk_list_with_its_evidence(self, client, cast, year):
        credit_lists_compute(actor=cast["wangqiang"], year=year)
        sign_in(client, cast["wangqiang"])
        text = client.get(f"/console/credit/?year={year}").content.decode()
        risk = text[text.index('id="list-risk"') : text.index('id="list-normal"')]
        assert "深圳市安居物业服务有限公司" in risk and "40.0" in risk and "C：重点监管" in risk
        assert "垃圾清运不及时" in risk and "得分低于 60" in risk
        csv = client.get(f"/console/credit/?year={year}&export=csv").content.decode("utf-8-sig")
        assert "风险名单" in csv and "深圳市安居物业服务有限公司" in csv and "刘经理" not in csv
