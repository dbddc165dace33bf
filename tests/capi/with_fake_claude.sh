#!/usr/bin/env bash
# Runs a command against a fresh fake Claude server: starts tests/fake_claude's program on a
# free port, points ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL and MCQGEN_CA_FILE at it, runs the
# command, stops the server, and exits with the command's exit code.
# usage: with_fake_claude.sh SERVER TLS_DIR LATENCY_MS COMMAND [ARGUMENTS...]
set -euo pipefail
server=$1 tls_dir=$2 latency_ms=$3
shift 3
key="test-example-key-0123456789"

coproc FAKE { exec "$server" --port 0 --tls-dir "$tls_dir" --api-key "$key" \
                   --latency-ms "$latency_ms"; }
server_pid=$FAKE_PID
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
read -r line <&"${FAKE[0]}"
if [[ "$line" != "listening on "* ]]; then
    echo "the fake Claude server did not start: $line" >&2
    exit 1
fi

export ANTHROPIC_API_KEY="$key" ANTHROPIC_BASE_URL="${line#listening on }"
export MCQGEN_CA_FILE="$tls_dir/ca.pem" MCQGEN_OFFLINE=
unset CLAUDE_API_KEY
"$@"
