#!/usr/bin/env bash
# The whole test suite, as CI runs it (README: "Run the tests").
#   - format and lints
#   - unit and integration tests of every crate, on SQLite and, when CITYMIRROR_TEST_PG
#     names a database, the same store suite on PostgreSQL
#   - interoperability: a served twin checked by ogctests, OWSLib and GDAL
#   - the README's tour, every command, against a fresh demo
#   - the browser twin in real headless Chromium (web/tests), screenshots kept
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

if [ -n "${CITYMIRROR_TEST_PG:-}" ]; then
  echo "== PostgreSQL tests enabled: $CITYMIRROR_TEST_PG"
else
  echo "== CITYMIRROR_TEST_PG is unset: PostgreSQL tests will report themselves skipped"
fi

echo "== cargo test"
cargo test --workspace

if [ -n "${CITYMIRROR_TEST_PG:-}" ]; then
  echo "== the HTTP API suite again, on PostgreSQL"
  CITYMIRROR_HTTP_TEST_BACKEND=postgres cargo test -p citymirror-http --test api
fi

echo "== interoperability (ogctests, OWSLib, GDAL)"
tests/interop/run.sh

echo "== the README tour, pasted into a shell against a fresh demo"
tests/readme/tour.sh

echo "== browser tests (Debian chromium via playwright-core)"
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && command -v npm >/dev/null; then
  CITYMIRROR_SCREENSHOTS="${CITYMIRROR_SCREENSHOTS:-$PWD/web/tests/screenshots}" web/tests/run.sh
elif [ -n "${CITYMIRROR_BROWSER_REQUIRED:-}" ]; then
  echo "FATAL: chromium or npm is missing and CITYMIRROR_BROWSER_REQUIRED is set"; exit 1
else
  echo "SKIPPED: no chromium (apt-get install chromium) or npm; the browser tests did not run"
fi
