#!/usr/bin/env bash
# Run Kerma's test suite: bash scripts/test.sh [pytest arguments]
# SQLite by default; set KERMA_TEST_DATABASE_URL=postgresql://user@host:5432/db for PostgreSQL.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/_venv.sh
. "$REPO/scripts/_venv.sh"
cd "$REPO"

ensure_venv
install_requirements "$REPO/requirements-dev.txt"

if [ -n "${KERMA_TEST_DATABASE_URL:-}" ]; then
    # Only host and database: the URL may carry a password.
    echo "Database: PostgreSQL (${KERMA_TEST_DATABASE_URL##*@})"
else
    echo "Database: SQLite (set KERMA_TEST_DATABASE_URL for PostgreSQL)"
fi
exec "$VENV/bin/python" -m pytest -q "$@"
