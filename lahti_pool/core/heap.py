"""Keep Python's cyclic garbage collector off the objects a worker keeps for its life.

A worker holds some 180,000 long-lived objects (the app, SQLAlchemy's mappers and
statement cache, compiled templates, Babel's locale data, cached aggregates). Every full
(generation 2) collection walks all of them: about 110 ms on this machine, once in every
hundred requests or so, which was the p99 of the web benchmark. ``gc.freeze()`` moves the
objects alive at that moment into a permanent generation the collector skips; garbage
made later is still collected as before. The app freezes after its 1st, 10th, 100th and
1,000th request, when the caches of the pages in use have filled (`benchmarks/README.md`
has the figures). ``GC_FREEZE = False`` turns it off; the tests do, since a test run makes
hundreds of apps and would keep each one's garbage cycles.
"""

import gc

from flask import Flask

FREEZE_AFTER_REQUESTS = frozenset({1, 10, 100, 1000})


def init_app(app: Flask) -> None:
    if not app.config.get("GC_FREEZE", True):
        return
    served = 0

    @app.teardown_request
    def freeze_long_lived_objects(_error=None) -> None:
        nonlocal served
        served += 1
        if served in FREEZE_AFTER_REQUESTS:
            gc.freeze()
