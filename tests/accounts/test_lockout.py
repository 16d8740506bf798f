"""An attacker cannot keep a known account locked out (issue 22, item 6): failures from
elsewhere count apart from the addresses the person has signed in from."""

import pytest
from tests_support import PASSWORD

HOME = "10.20.30.40"  # where the person signs in every day
ATTACKER = "203.0.113.66"
NEW_PLACE = "10.99.0.7"


@pytest.fixture
def throttled(app):
    from lahti_pool.config import Config
    from lahti_pool.extensions import limiter

    saved = {k: app.config[k] for k in ("LOGIN_LIMIT_PER_ADDRESS", "LOGIN_LIMIT_PER_ACCOUNT")}
    app.config.update({k: getattr(Config, k) for k in saved})  # the production limits
    limiter.reset()
    yield
    limiter.reset()
    app.config.update(saved)


def _login(app, email: str, password: str, address: str) -> int:
    client = app.test_client()  # a browser of its own (IsolatedClient: see ``client``)
    response = client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_the_person_at_their_usual_address_gets_in_while_an_attacker_is_throttled(
    ctx, client, staff, throttled
):
    assert _login(ctx, staff.email, PASSWORD, HOME) == 302  # an earlier, ordinary login
    attempts = [_login(ctx, staff.email, "wrong guess 123", ATTACKER) for _ in range(7)]
    assert attempts == [200] * 5 + [429] * 2
    assert _login(ctx, staff.email, PASSWORD, ATTACKER) == 429  # only slows himself down
    assert _login(ctx, staff.email, PASSWORD, NEW_PLACE) == 429  # elsewhere shares it
    assert _login(ctx, staff.email, PASSWORD, HOME) == 302


def test_the_usual_address_is_throttled_on_its_own(ctx, client, staff, throttled):
    assert _login(ctx, staff.email, PASSWORD, HOME) == 302
    attempts = [_login(ctx, staff.email, "wrong guess 123", HOME) for _ in range(6)]
    assert attempts == [200] * 5 + [429]


def test_an_address_that_never_signed_in_to_this_account_is_not_known(
    ctx, client, staff, other_staff, throttled
):
    assert _login(ctx, other_staff.email, PASSWORD, ATTACKER) == 302  # the attacker's own
    attempts = [_login(ctx, staff.email, "wrong guess 123", ATTACKER) for _ in range(6)]
    assert attempts == [200] * 5 + [429]
    assert _login(ctx, staff.email, PASSWORD, ATTACKER) == 429
