#!/usr/bin/env bash
# Schemathesis against the host's own OpenAPI document: every phase
# (examples, coverage, fuzzing, stateful) and every check (Schemathesis runs
# all by default; .ci/schemathesis.toml names the few exceptions and why), once
# as staff and once as a customer, against a real `ecolaura serve`. Any
# finding fails.
#
#   .ci/schemathesis.sh <ecolaura binary> <schemathesis executable>
#
# ECOLAURA_SCHEMATHESIS_EXAMPLES sets the examples per operation (default 60).
set -euo pipefail
binary="$1"
schemathesis="$2"
examples="${ECOLAURA_SCHEMATHESIS_EXAMPLES:-60}"
config="$(cd "$(dirname "$0")" && pwd)/schemathesis.toml"

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

export ECOLAURA_JWT_SECRET="schemathesis secret that is long enough for HS256"
export ECOLAURA_LOG=warn
export ECOLAURA_BIND=127.0.0.1:0
export ECOLAURA_WORKER_METRICS_BIND=127.0.0.1:0
cd "$work"
"$binary" serve >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 100); do
    base=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -n 1 || true)
    [ -n "$base" ] && break
    sleep 0.1
done
if [ -z "${base:-}" ]; then
    echo "error: ecolaura serve did not start" >&2
    cat "$work/serve.err" >&2
    exit 1
fi
echo "host at $base"

password="schemathesis password"
"$binary" users add --email staff@example.com --password "$password" --staff >/dev/null
curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d "{\"email\":\"customer@example.com\",\"password\":\"$password\",\"name\":\"Customer\"}" \
    "$base/api/v1/auth/register"
token() {
    curl -fsS -H 'content-type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/auth/token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access"])'
}
# Some data to find: a category and a product.
staff_token=$(token staff@example.com)
curl -fsS -o /dev/null -H "authorization: Bearer $staff_token" -H 'content-type: application/json' \
    -d '{"slug":"bottles","name":"Bottles"}' "$base/api/v1/categories"
curl -fsS -o /dev/null -H "authorization: Bearer $staff_token" -H 'content-type: application/json' \
    -d '{"name":"Eco Bottle","price":"19.99","stock":1000000,"category":"bottles"}' "$base/api/v1/products"

status=0
for who in staff customer; do
    echo
    echo "==> schemathesis as $who"
    # A fresh token per run: the runs log out and change passwords.
    bearer=$(token "$who@example.com")
    # logout-all ends the session the run uses: it runs last, on its own.
    for selection in "--exclude-operation-id logout_all" "--include-operation-id logout_all"; do
        # shellcheck disable=SC2086
        if ! "$schemathesis" --config-file "$config" run "$base/api/v1/openapi.json" \
            --phases examples,coverage,fuzzing,stateful \
            --max-examples "$examples" \
            --workers 2 \
            --seed 20261202 \
            $selection \
            -H "Authorization: Bearer $bearer" \
            --suppress-health-check all \
            --no-color; then
            status=1
        fi
    done
done
exit $status
