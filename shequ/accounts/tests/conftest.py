import pytest


@pytest.fixture
def sms(settings):
    """Text messages leave through a capturing channel that stands where a real gateway would."""
    from shequ.accounts import testing

    settings.SHEQU_SMS_CHANNEL = "shequ.accounts.testing.CapturingChannel"
    testing.SENT.clear()
    yield testing.SENT
    testing.SENT.clear()
