#!/usr/bin/env bash
# The one test command (`npm test`): unit + integration tests on the embedded database, again on
# the PostgreSQL server when TEST_DATABASE_URL is set, then the browser stories in chromium (on
# the embedded database, and again on the PostgreSQL server when TEST_DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
echo "== unit + integration tests on embedded PGlite =="
env -u TEST_DATABASE_URL npx vitest run || status=1

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
  echo "== integration tests on PostgreSQL (${TEST_DATABASE_URL%%@*}@…) =="
  npx vitest run || status=1
fi

if [[ -d test/e2e ]] && ls test/e2e/*.test.ts >/dev/null 2>&1; then
  bash scripts/ensure-browser.sh
  echo "== browser stories (chromium) on embedded PGlite =="
  env -u TEST_DATABASE_URL npx vitest run --config test/e2e/vitest.config.ts || status=1
  if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    echo "== browser stories (chromium) on PostgreSQL =="
    npx vitest run --config test/e2e/vitest.config.ts || status=1
  fi
fi
exit $status
