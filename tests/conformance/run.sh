#!/usr/bin/env bash
# tests/conformance/run.sh BASE_URL — the API document and the server that serves it, checked
# from outside by tools that know nothing of our code:
#
#   1. openapi-spec-validator: the document is valid OpenAPI 3.1.
#   2. schemathesis: requests generated from the document (valid and invalid) against the
#      running server, as the demo operator with a bearer token; it fails on any 5xx, any
#      answer whose status, content type, headers or body the document does not describe,
#      invalid input accepted, and a session-protected operation that answers without one.
#
# Installs both (pinned) from PyPI into a virtualenv under ~/.cache/farmgate-pyenv the first
# time. Called by tests/run.sh (step 6e) against the demo server of the browser tests.
#
# One check is left out: `positive_data_acceptance` (schemathesis' "schema-valid request
# rejected"). It asks the document to state every rule the server enforces; JSON Schema
# cannot state ours that depend on more than one field, on the stored data (stock, states,
# who owns what), on an image's pixels or on a signature. The document states what it can
# (ranges, lengths, patterns, the control-character rule of every query parameter); the
# rest are 422 answers with field errors, which the document declares.
set -euo pipefail
BASE="${1:?usage: tests/conformance/run.sh BASE_URL}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${FARMGATE_PYENV:-$HOME/.cache/farmgate-pyenv}"
SCHEMATHESIS_VERSION=4.32.5
VALIDATOR_VERSION=0.9.0
EXAMPLES="${FARMGATE_CONFORMANCE_EXAMPLES:-20}"

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION" ||
    ! "$VENV/bin/pip" show openapi-spec-validator 2>/dev/null | grep -q "Version: $VALIDATOR_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsS "$BASE/api/v1/openapi.json" -o "$work/openapi.json"
echo "== openapi-spec-validator"
"$VENV/bin/openapi-spec-validator" "$work/openapi.json"

FG_TOKEN="$(curl -fsS -H 'content-type: application/json' \
    -d '{"login":"13900000001","password":"farmgate123"}' "$BASE/api/v1/auth/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["session"]["token"])')"
export FG_TOKEN

echo "== schemathesis $SCHEMATHESIS_VERSION ($EXAMPLES examples an operation)"
# Left out: the operations that end the token's session or the account (log-out, password
# change, erasure, session revocation) — they would turn every later request into a 401.
cd "$work"
"$VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" run "$work/openapi.json" \
    --url "$BASE" \
    --checks all --exclude-checks positive_data_acceptance \
    --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" \
    --generation-database none \
    --exclude-path-regex '^/api/v1/(auth/(logout|password|sessions)|me/erase|me$)' \
    --no-color
