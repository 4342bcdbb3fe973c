# Shared by serve.sh and test.sh: find Python 3.11+, create .venv, install requirements once.
# Sourced, not run; expects REPO to be the repository root.

VENV="$REPO/.venv"

find_python() {
    # PYTHON may name an interpreter; otherwise take the first 3.11+ on PATH.
    local candidate
    for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "Kerma needs Python 3.11 or newer; none found on PATH (set PYTHON=/path/to/python3)." >&2
    return 1
}

ensure_venv() {
    # A venv whose interpreter is gone (Python upgraded, folder copied) is rebuilt.
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c '' 2>/dev/null; then
        return 0
    fi
    local python
    python="$(find_python)" || return 1
    echo "Creating virtual environment .venv with $("$python" --version 2>&1)"
    rm -rf "$VENV"
    if ! "$python" -m venv "$VENV"; then
        echo "Could not create .venv. On Debian/Ubuntu: apt-get install python3-venv" >&2
        return 1
    fi
}

install_requirements() {
    # Install a requirements file unless the same file contents were installed before.
    # The stamp covers requirements.txt too, which requirements-dev.txt includes.
    local file="$1" stamp digest
    stamp="$VENV/.installed-$(basename "$file").sha256"
    digest="$(cat "$file" "$REPO/requirements.txt" | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
        return 0
    fi
    echo "Installing $(basename "$file") into .venv"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$file"
    echo "$digest" >"$stamp"
}
