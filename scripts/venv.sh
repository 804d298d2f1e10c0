#!/usr/bin/env bash
# Creates the project venv (.venv) with the pinned tools, or brings it up to date when their files
# changed. A no-op (milliseconds) when it is current.
#
#   scripts/venv.sh          what `make dev` needs: cargo-lambda, python-dotenv (seconds)
#   scripts/venv.sh checks   also the deployment checks of `make test`: SAM CLI, cfn-lint (~1 min)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
constraints="$root/infra/local/constraints.txt"
requirements=("$root/infra/local/requirements.txt")
what="cargo-lambda, python-dotenv"
if [[ ${1:-} == checks ]]; then
    requirements+=("$root/infra/local/requirements-checks.txt")
    what="$what, aws-sam-cli, cfn-lint"
fi
stamp="$venv/.installed-${1:-dev}"

wanted=$(cat "${requirements[@]}" "$constraints" | sha256sum | cut -d' ' -f1)
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
echo "venv: installing pinned tools ($what)"
started=$SECONDS
args=()
for file in "${requirements[@]}"; do args+=(-r "$file"); done
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}" -c "$constraints"
echo "$wanted" >"$stamp"
echo "venv: ready in $((SECONDS - started)) s"
