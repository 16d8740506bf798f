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


def test_a_worker_without_single_sign_on_or_scim_does_not_load_their_libraries(tmp_path):
    # Authlib, joserfc, cryptography, requests, scim2-models and pydantic took about 20 MB of
    # each worker (worker memory over the 150 MB target at city scale) whether or not the
    # pool uses them; they load on the first sign-in or SCIM request instead.
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "SECRET_KEY": "heap-test-secret-key-0123456789",
        "LAHTI_POOL_ENV": "development",
    }
    for name in ("OIDC_ISSUER", "SCIM_TOKEN"):
        env.pop(name, None)
    probe = (
        "import sys, wsgi\n"
        "heavy = {'authlib', 'joserfc', 'cryptography', 'requests', 'scim2_models', 'pydantic'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
