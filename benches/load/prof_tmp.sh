#!/usr/bin/env bash
# HTTP load scenarios for the `ecolaura` host, measured with wrk (Debian's
# package). Starts the release binary on a fresh embedded SQLite file (or on
# $ECOLAURA_DATABASE_URL), seeds a catalog through the API, then measures:
#   1. the product list (cached), 2. a filtered list, 3. a product's detail,
#   4. order placement, and 5. the same list bytes from a bare poem handler
#   (the ceiling; benches/src/bin/http_ceiling.rs).
# Usage: benches/load/http.sh [seconds per scenario, default 10] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
THREADS=2
HOST_PORT=18080
CEILING_PORT=18081
BASE="http://127.0.0.1:$HOST_PORT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ecolaura-http -p ecolaura-benches --bin ecolaura --bin http-ceiling
BIN=target/release

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

export ECOLAURA_JWT_SECRET="load test secret, at least thirty-two bytes"
export ECOLAURA_LOG=warn
export ECOLAURA_BIND="127.0.0.1:$HOST_PORT"
(cd "$WORK" && exec "$OLDPWD/$BIN/ecolaura" serve) > "$WORK/host.out" &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
(cd "$WORK" && "$OLDPWD/$BIN/ecolaura" users add --email staff@load.test --password 'staff password' --staff >/dev/null)
STAFF=$(curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"staff@load.test","password":"staff password"}' | json "['access']")
for c in 0 1 2 3 4; do
    curl -sf "$BASE/api/v1/categories" -H "authorization: Bearer $STAFF" -H 'content-type: application/json' \
        -d "{\"slug\":\"category-$c\",\"name\":\"Category $c\"}" >/dev/null
done
for i in $(seq 1 200); do
    curl -sf "$BASE/api/v1/products" -H "authorization: Bearer $STAFF" -H 'content-type: application/json' \
        -d "{\"name\":\"Product $i\",\"description\":\"A sturdy thing number $i\",\"price\":\"$((i % 50 + 1)).99\",\"stock\":1000000000,\"category\":\"category-$((i % 5))\",\"sustainability\":{\"carbon_footprint_kg\":$((i % 9)).5,\"recyclable\":true,\"biodegradable\":$([ $((i % 2)) = 0 ] && echo true || echo false)}}" \
        > "$WORK/last-product.json"
done
PRODUCT=$(json "['id']" < "$WORK/last-product.json")
curl -sf "$BASE/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email":"buyer@load.test","password":"buyer password","name":"Buyer"}' >/dev/null
BUYER=$(curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"buyer@load.test","password":"buyer password"}' | json "['access']")

curl -sf "$BASE/api/v1/products" > "$WORK/list.json"
"$BIN/http-ceiling" "127.0.0.1:$CEILING_PORT" "$WORK/list.json" &
PIDS+=($!)
sleep 0.5

run() {
    local name="$1"; shift
    echo "== $name"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" | \
        grep -E "Requests/sec|Latency  |  50%|  99%|Non-2xx|status|requests in"
}

echo "machine: $(nproc) cores, $(uname -srm); wrk $(wrk --version 2>&1 | head -1 | cut -d' ' -f2); $(date -u +%F)"
echo "catalog: 200 products in 5 categories; list page 20 items, $(wc -c < "$WORK/list.json") bytes"
HP=$(pgrep -f "release/ecolaura serve" | head -1); perf record -F 1999 -g -o /tmp/perf.data -p $HP -- sleep 8 & run "1" "$BASE/api/v1/products"; wait




