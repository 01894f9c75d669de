"""The app as gunicorn serves it in the throughput benchmark, plus a bare baseline route.

`/bench/hello` goes through the same app, middleware and after-request hooks as every
page but does no work of its own: the passport page's throughput is reported against it.
It lives only here, never in the app itself. Serve with `gunicorn bench.wsgi:app` from
the repository root.
"""

from __future__ import annotations

from passport import create_app
from passport.access import public

app = create_app()


@public
def hello() -> str:
    return "Hello"


app.add_url_rule("/bench/hello", "bench_hello", hello)
