"""Workers move their long-lived objects out of the garbage collector's full passes."""

import gc

from lahti_pool import config, create_app
from lahti_pool.core import heap


def _freezes_by_request(monkeypatch, app_config) -> list[int]:
    """After which of 10 requests the app called ``gc.freeze()`` (1-based)."""
    calls = []
    served = []
    monkeypatch.setattr(heap.gc, "freeze", lambda: calls.append(len(served)))
    client = create_app(app_config).test_client()
    for _ in range(10):
        served.append(1)  # counts the request before its teardown runs
        client.get("/login")
    return calls


def test_a_worker_freezes_what_is_alive_after_its_first_and_tenth_request(monkeypatch):
    class Production(config.TestConfig):
        GC_FREEZE = True

    assert _freezes_by_request(monkeypatch, Production) == [1, 10]


def test_the_freeze_takes_the_apps_objects_out_of_the_collectors_reach():
    class Production(config.TestConfig):
        GC_FREEZE = True

    gc.unfreeze()
    try:
        create_app(Production).test_client().get("/login")
        assert gc.get_freeze_count() > 10_000  # the app, its mappers, the login page
    finally:
        gc.unfreeze()  # give the test process's objects back to the collector


def test_the_test_configuration_does_not_freeze(monkeypatch):
    assert _freezes_by_request(monkeypatch, config.TestConfig) == []
