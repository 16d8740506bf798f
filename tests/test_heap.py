"""Workers move their long-lived objects out of the garbage collector's full passes."""

import gc

from lahti_pool import config, create_app


def _requests_and_frozen(config) -> list[int]:
    app = create_app(config)
    client = app.test_client()
    frozen = []
    try:
        for _ in range(10):
            client.get("/login")
            frozen.append(gc.get_freeze_count())
    finally:
        gc.unfreeze()  # give the test process's objects back to the collector
    return frozen


def test_a_worker_freezes_what_is_alive_after_its_first_and_tenth_request():
    class Production(config.TestConfig):
        GC_FREEZE = True

    gc.unfreeze()
    frozen = _requests_and_frozen(Production)
    assert frozen[0] > 0  # the app, its mappers and the compiled login page
    assert frozen[1:9] == [frozen[0]] * 8  # not on every request
    assert frozen[9] > frozen[0]


def test_the_test_configuration_does_not_freeze():
    gc.unfreeze()
    assert set(_requests_and_frozen(config.TestConfig)) == {0}
