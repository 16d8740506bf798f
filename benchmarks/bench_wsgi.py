"""The WSGI app ``web_bench.py`` serves: the real app plus one bare route, the ceiling.

The hello-world route lives only here, so the production app (``wsgi.py``) never has it,
yet the ceiling is measured in the very same gunicorn workers, config, hooks and
middleware as the pages it is compared with. Configuration comes from the environment
as in production (``DATABASE_URL``, ``LAHTI_POOL_ENV``, ``SECRET_KEY``; see
``lahti_pool/config.py``).
"""

from web_bench import HELLO_PATH  # gunicorn runs with --pythonpath benchmarks

from lahti_pool import create_app

app = create_app()


@app.get(HELLO_PATH)
def bench_hello() -> str:
    return "hello"
