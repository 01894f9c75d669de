#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry. Not part of the build:
# the results are committed, so running the app needs no Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent htmx.org@2.0.11 govuk-frontend@5.14.0 >/dev/null)
tar -xzf "$work"/htmx.org-2.0.11.tgz -C "$work" && mv "$work/package" "$work/htmx"
tar -xzf "$work"/govuk-frontend-5.14.0.tgz -C "$work" && mv "$work/package" "$work/govuk"
mkdir -p passport/static/vendor
cp "$work/htmx/dist/htmx.min.js" passport/static/vendor/htmx.min.js
# The GDS Transport font and the crown are for GOV.UK only: drop the font faces and fall
# back to the system sans-serif stack the rest of the stylesheet already names.
python3 - "$work/govuk/dist/govuk/govuk-frontend.min.css" passport/static/vendor/govuk-frontend.min.css <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = re.sub(r"@font-face\{[^}]*\}", "", css)
css = css.replace("GDS Transport,arial,sans-serif", "arial,sans-serif")
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
printf "GOV.UK Frontend 5.14.0, MIT licence, (c) Crown copyright (Government Digital Service).\nhtmx 2.0.11, Zero-Clause BSD licence, (c) Big Sky Software.\n" > passport/static/vendor/LICENCES.txt
echo "Vendored htmx 2.0.11 and GOV.UK Frontend 5.14.0."
