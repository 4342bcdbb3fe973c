#!/usr/bin/env bash
# Set up Kerma on this machine and start the development server: bash scripts/serve.sh
# Safe to run again: it skips what is already done. FLASK_RUN_HOST and FLASK_RUN_PORT
# change where it listens (default 127.0.0.1:5000). For production see docs/installation.md.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/_venv.sh
. "$REPO/scripts/_venv.sh"
cd "$REPO"

flask() { "$VENV/bin/flask" --app wsgi "$@"; }

ensure_venv
install_requirements "$REPO/requirements.txt"

echo "Bringing the database schema up to date"
flask db upgrade

# Prints the number of users, or "unknown" when there is no user table to count.
count_users() {
    "$VENV/bin/python" - <<'PY'
from sqlalchemy import func, inspect, select

from app.extensions import db
from wsgi import app

with app.app_context():
    user = next((m.class_ for m in db.Model.registry.mappers if m.class_.__name__ == "User"), None)
    if user is None or not inspect(db.engine).has_table(user.__table__.name):
        print("unknown")
    else:
        print(db.session.scalar(select(func.count()).select_from(user)))
PY
}

users="$(count_users)"
if [ "$users" = "0" ]; then
    echo
    echo "No user exists yet. Create the first administrator with:"
    echo "    .venv/bin/flask --app wsgi users create NAME --role admin"
    if [ -t 0 ]; then
        read -r -p "Create one now? User name (leave empty to skip): " name
        if [ -n "$name" ]; then
            flask users create "$name" --role admin ||
                echo "Creating the user failed; run the command above once the problem is fixed." >&2
        fi
    fi
    echo
elif [ "$users" = "unknown" ]; then
    echo "This version has no user table yet; skipping the first-administrator step."
fi

host="${FLASK_RUN_HOST:-127.0.0.1}"
port="${FLASK_RUN_PORT:-5000}"
echo "Starting the development server on http://$host:$port/ (Ctrl+C stops it)"
exec "$VENV/bin/flask" --app wsgi run --host "$host" --port "$port"
