#!/usr/bin/env bash
# Creates the project venv (.venv) with the pinned tools of infra/local/requirements.txt, or brings it
# up to date when those files changed. A no-op (milliseconds) when it is current.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
requirements="$root/infra/local/requirements.txt"
constraints="$root/infra/local/constraints.txt"
stamp="$venv/.installed-requirements"

wanted=$(cat "$requirements" "$constraints" | sha256sum | cut -d' ' -f1)
if [[ -x $venv/bin/python && -f $stamp && $(<"$stamp") == "$wanted" ]]; then
    exit 0
fi

python=${PYTHON:-python3}
if [[ ! -x $venv/bin/python ]]; then
    echo "venv: creating $venv with $("$python" --version 2>&1)"
    if ! "$python" -m venv "$venv"; then
        rm -rf "$venv"
        echo "venv: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    fi
fi
echo "venv: installing pinned tools (cargo-lambda, moto, aws-sam-cli, cfn-lint); takes about a minute"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$requirements" -c "$constraints"
echo "$wanted" >"$stamp"
