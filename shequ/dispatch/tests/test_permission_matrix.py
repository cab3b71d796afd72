"""The permission matrix (DESIGN.md §8) on the console's merge of a possible duplicate (并单), the write that the
duplicate tests walked for the API and for the console's dismiss only: a dispatcher of the city merges, one of
another district gets the 404 of a missing pair, staff without dispatch and the separated admins are refused, and
only the call in scope merged anything."""

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal
from shequ.dispatch.models import DuplicateCandidate, DuplicateStatus

from . import test_duplicates as duplicates

# The duplicate tests' fixtures, bound by assignment (a pair of near-identical appeals in 华富街道, the fixed clock,
# a dispatcher for 南山区 only); `clock` is autouse, as there.
clock = duplicates.clock
community = duplicates.community
intake = duplicates.intake
pair = duplicates.pair
nanshan_dispatcher = duplicates.nanshan_dispatcher

pytestmark = pytest.mark.django_db


class TestConsoleMerge(PermissionMatrixMixin):
    def test_console_merge_permission_matrix(self, client, cast, make_user, pair, nanshan_dispatcher):
        for refused in ("lina", "liuyang", "chenjing", "zhangwei", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, cast[refused])
            assert client.post(f"/console/dispatch/duplicates/{pair.pk}/merge/").status_code == 403, refused
        assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.OPEN
        self.assert_permission_matrix(
            client,
            url=f"/console/dispatch/duplicates/{pair.pk}/merge/",
            method="post",
            multipart=True,
            in_scope=cast["sunli"],
            out_of_scope=nanshan_dispatcher,
            no_role=make_user("nobody"),
            missing_url="/console/dispatch/duplicates/999999/merge/",
            ok=(302,),
            page=True,
        )
        assert DuplicateCandidate.objects.get(pk=pair.pk).status == DuplicateStatus.MERGED
        newer = Appeal.objects.get(pk=pair.appeal_id)
        assert newer.status == Status.MERGED and newer.events.filter(action="merge").count() == 1
