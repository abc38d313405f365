#!/usr/bin/env bash
# Runs every test suite, each in its own folder (each service has its own tests package), and
# prints one summary line. SQLite by default; PostgreSQL when TEST_DATABASE_URL is set.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="$root/.venv/bin/python"
reports="$root/var/test-reports"
rm -rf "$reports" && mkdir -p "$reports"
db="SQLite"; [ -n "${TEST_DATABASE_URL:-}" ] && db="PostgreSQL"
failed_suites=()
run_suite() {
  local name="$1" dir="$2"; shift 2
  echo "=== $name ($db) ==="
  if ! (cd "$root/$dir" && "$py" -m pytest -q -p no:cacheprovider --junitxml="$reports/$name.xml" "$@"); then
    failed_suites+=("$name")
  fi
}
# The packages' own suites run on every core (pytest-xdist: each worker has its own database); the
# platform suite starts real processes of its own and runs one test at a time.
run_suite service-kit libs/service-kit -n auto
run_suite facilities-api services/facilities-api -n auto
run_suite operators-api services/operators-api -n auto
run_suite feedback-api services/feedback-api -n auto
run_suite gateway gateway -n auto
run_suite platform tests
if [ -f "$root/frontend/package.json" ] && command -v npm >/dev/null; then
  echo "=== frontend ==="
  (cd "$root/frontend" && VITEST_JUNIT="$reports/frontend.xml" npm test --silent) || failed_suites+=("frontend")
fi
"$py" "$root/scripts/summarize_tests.py" "$reports" "$db"
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "failed suites: ${failed_suites[*]}"
  exit 1
fi
