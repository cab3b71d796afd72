"""The inbox is the signed-in person's own: anonymous visitors sign in, another person's message is missing."""

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.messages.models import Message
from shequ.messages.services import message_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(cast):
    message_send(person=cast["zhangwei"], kind="appeal", title="您的诉求已受理", link="/me/appeals/")
    return Message.objects.get(person=cast["zhangwei"], title="您的诉求已受理")  # written without its id


class TestInbox(PermissionMatrixMixin):
    def test_inbox_permission_matrix(self, client, cast, mine):
        self.assert_permission_matrix(
            client,
            url="/me/messages/",
            in_scope=cast["zhangwei"],
            page=True,
            sign_in_url="/accounts/resident/",
        )
        sign_in(client, cast["zhangwei"])
        assert "您的诉求已受理" in client.get("/me/messages/").content.decode()
        sign_in(client, cast["lina"])  # someone else's inbox shows none of it
        assert "您的诉求已受理" not in client.get("/me/messages/").content.decode()

    def test_read_permission_matrix(self, client, cast, mine, make_user):
        self.assert_permission_matrix(
            client,
            url=f"/me/messages/{mine.pk}/read/",
            method="post",
            multipart=True,
            in_scope=cast["zhangwei"],
            out_of_scope=cast["lina"],
            no_role=make_user("nobody-inbox"),
            missing_url="/me/messages/999999/read/",
            ok=(302,),
            page=True,
            sign_in_url="/accounts/resident/",
        )

    def test_read_all_permission_matrix(self, client, cast, mine):
        message_send(person=cast["lina"], kind="appeal", title="李娜的消息")
        self.assert_permission_matrix(
            client,
            url="/me/messages/read-all/",
            method="post",
            multipart=True,
            in_scope=cast["zhangwei"],
            ok=(302,),
            page=True,
            sign_in_url="/accounts/resident/",
        )
        assert Message.objects.get(pk=mine.pk).read_at is not None
        assert Message.objects.get(title="李娜的消息").read_at is None  # only one's own

    def test_preferences_permission_matrix(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/me/messages/preferences/",
            method="post",
            multipart=True,
            data={"sms": "0"},
            in_scope=cast["zhangwei"],
            ok=(302,),
            page=True,
            sign_in_url="/accounts/resident/",
        )
