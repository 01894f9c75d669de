"""Pages are compressed (brotli or gzip, with Flask-Compress) only for requests the site
itself made or the person typed: see docs/adr/0011-compress-pages-only-for-our-own-requests.md.

Compressing a page that holds a secret (the CSRF token, someone's needs) next to text an
attacker chose (a search, the `next` field) lets someone who sees the encrypted traffic guess
the secret from the sizes of many answers: BREACH. The attacker has to make the browser send
those requests from their own site, and the browser says so: `Sec-Fetch-Site: cross-site`.
Those answers, and any from a client that does not say, go uncompressed.
"""

from __future__ import annotations

from flask import Flask, Response, request

from passport.extensions import compress

OUR_OWN = frozenset({"same-origin", "none"})  # a page of ours, or typed, bookmarked, opened


def init_app(app: Flask) -> None:
    app.config.update(
        COMPRESS_REGISTER=False,  # compress_pages below decides
        COMPRESS_MIMETYPES=["text/html", "text/javascript", "application/manifest+json"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=5,  # 10% smaller than the default 4 for about 0.4 ms more a page
        COMPRESS_STREAMS=False,
    )
    compress.init_app(app)

    # Registered before the other after-request hooks, so it runs after them, on the
    # finished page.
    @app.after_request
    def compress_pages(response: Response) -> Response:
        if response.mimetype not in app.config["COMPRESS_MIMETYPES"]:
            return response
        response.vary.add("Sec-Fetch-Site")
        if request.headers.get("Sec-Fetch-Site") not in OUR_OWN:
            response.vary.add("Accept-Encoding")
            return response
        return compress.after_request(response)
