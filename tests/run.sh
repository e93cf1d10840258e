#!/usr/bin/env bash
# The test command (README, and exactly what .ci/run calls): install, run the whole suite on
# SQLite, then again on PostgreSQL — a throwaway server from Debian's packages on loopback,
# installed with apt when missing (.ci/postgres), stopped and removed at the end. Before
# the tests, lint-imports checks the layer contracts of pyproject.toml; the browser tests
# (tests/web/) drive Debian's chromium, installed with apt when missing (.ci/chromium).
# KETNAP_SKIP_PG=1 runs the SQLite pass only, and says so.
# pytest's exit code 5 (no tests ran) fails like any other non-zero code.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 .venv/bin/pip install -q -e '.[test]'
.ci/minisign  # the inspector's standard tool, checking our signatures (docs/inspection.md)
.ci/chromium  # the browser tests' chromium, from Debian's packages, when missing
echo "== các tầng (lint-imports) ==" >&2
.venv/bin/lint-imports --no-cache
echo "== SQLite ==" >&2
.venv/bin/pytest
if [ "${KETNAP_SKIP_PG:-}" = 1 ]; then
  echo "== PostgreSQL: bỏ qua (KETNAP_SKIP_PG=1) ==" >&2
  exit 0
fi
dir=$(mktemp -d /tmp/ketnap-pg.XXXXXX)
trap '.ci/postgres stop "$dir"' EXIT
eval "$(.ci/postgres start "$dir")"
echo "== PostgreSQL ($KETNAP_TEST_PG) ==" >&2
KETNAP_TEST_PG="$KETNAP_TEST_PG" .venv/bin/pytest
