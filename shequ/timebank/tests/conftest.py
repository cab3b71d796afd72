import pytest


@pytest.fixture
def person(make_user):
    """A resident with a platform account and a resident record in 华富街道's first community."""
    from .helpers import resident_for

    def make(username: str, **kw):
        user = make_user(username, display_name=kw.pop("display_name", username), phone=kw.pop("phone", ""))
        resident_for(user, **kw)
        return user

    return make
