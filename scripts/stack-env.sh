# shellcheck shell=bash
# Source after lib.sh: exports the settings of the local stack, as the functions, pai-admin and the
# integration tests see them. Order: the environment, then the env file, then the defaults below.
# The env file is PAI_ENV_FILE, by default .env; `make test` sets it empty, so tests never pick up
# a developer's provider keys.

env_file=${PAI_ENV_FILE-$ROOT/.env}
if [[ -n $env_file && -f $env_file ]]; then
    exports=$("$VENV/bin/python" "$ROOT/scripts/dotenv_exports.py" "$env_file") ||
        die "cannot read $env_file"
    eval "$exports"
fi

export PAI_API_PORT=${PAI_API_PORT:-8000}
export PAI_EMULATOR_PORT=${PAI_EMULATOR_PORT:-5000}
export PAI_SFN_PORT=${PAI_SFN_PORT:-$((PAI_EMULATOR_PORT + 1))}

# Secrets generated once per state folder (git-ignored), unless the environment sets them.
mkdir -p "$STATE_DIR"
if [[ ! -f $STATE_DIR/secrets.env ]]; then
    (
        umask 077
        {
            echo "JWT_SECRET=$(head -c 48 /dev/urandom | base64 -w0)"
            echo "TOKENIZATION_KEY=$(head -c 32 /dev/urandom | base64 -w0)"
        } >"$STATE_DIR/secrets.env"
    )
fi
while read -r line; do
    key=${line%%=*}
    [[ -n ${!key:-} ]] || export "$key=${line#*=}"
done <"$STATE_DIR/secrets.env"

export TABLE_NAME=${TABLE_NAME:-pai-local}
export RUST_LOG=${RUST_LOG:-info}
export ALLOW_UNPROTECTED_MODE=${ALLOW_UNPROTECTED_MODE:-false}
export CORS_ALLOWED_ORIGINS=${CORS_ALLOWED_ORIGINS:-http://localhost:5173,http://127.0.0.1:5173}
export CHAT_INLINE_WAIT_SECONDS=${CHAT_INLINE_WAIT_SECONDS:-25}
export PAI_WATCH_CONCURRENCY=${PAI_WATCH_CONCURRENCY:-8}

# Always the emulator: real AWS credentials from the caller's shell must never reach it. DynamoDB
# and Step Functions have their own ports; any other service goes to the DynamoDB port and fails
# there instead of reaching AWS.
export AWS_ENDPOINT_URL=http://127.0.0.1:$PAI_EMULATOR_PORT
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$PAI_EMULATOR_PORT
export AWS_ENDPOINT_URL_SFN=http://127.0.0.1:$PAI_SFN_PORT
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_SESSION_TOKEN AWS_PROFILE
export CHAT_TURN_STATE_MACHINE_ARN=arn:aws:states:us-east-1:123456789012:stateMachine:chat-turn
export CONVERSATION_PURGE_STATE_MACHINE_ARN=arn:aws:states:us-east-1:123456789012:stateMachine:conversation-purge
export RETENTION_DAYS=${RETENTION_DAYS:-30}
