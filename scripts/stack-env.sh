# Source after lib.sh: exports the settings of the local stack, as the functions, pai-admin and the
# integration tests see them. Order: the environment, then .env, then the defaults below.

export PAI_API_PORT=${PAI_API_PORT:-8000}
export PAI_EMULATOR_PORT=${PAI_EMULATOR_PORT:-5000}

if [[ -f $ROOT/.env ]]; then
    eval "$("$VENV/bin/python" "$ROOT/scripts/dotenv_exports.py" "$ROOT/.env")" ||
        die "cannot read $ROOT/.env"
fi

# Secrets generated once per state folder (git-ignored), unless the environment sets them.
mkdir -p "$STATE_DIR"
if [[ ! -f $STATE_DIR/secrets.env ]]; then
    (
        umask 077
        echo "JWT_SECRET=$(head -c 48 /dev/urandom | base64 -w0)"
        echo "TOKENIZATION_KEY=$(head -c 32 /dev/urandom | base64 -w0)"
    ) >"$STATE_DIR/secrets.env"
fi
while IFS='=' read -r key value; do
    [[ -n ${!key:-} ]] || export "$key=$value"
done <"$STATE_DIR/secrets.env"

export TABLE_NAME=${TABLE_NAME:-pai-local}
export RUST_LOG=${RUST_LOG:-info}
export ALLOW_UNPROTECTED_MODE=${ALLOW_UNPROTECTED_MODE:-false}

# Always the emulator: real AWS credentials from the caller's shell must never reach it.
export AWS_ENDPOINT_URL=http://127.0.0.1:$PAI_EMULATOR_PORT
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_SESSION_TOKEN AWS_PROFILE
export CHAT_TURN_STATE_MACHINE_ARN=arn:aws:states:us-east-1:123456789012:stateMachine:chat-turn
