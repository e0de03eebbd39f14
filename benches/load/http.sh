#!/usr/bin/env bash
# HTTP load scenarios for the `ecolaura` host, measured with wrk (Debian's
# package). Starts the release binary on a fresh embedded SQLite file (or on
# $ECOLAURA_DATABASE_URL), seeds a catalog through the API, then measures:
#   1. the product list (cached), 2. a filtered list, 3. a product's detail,
#   4. order placement, 5. the same list bytes from a bare poem handler
#   (the ceiling; benches/src/bin/http_ceiling.rs), and 6. the list while
#   orders are being placed.
#
# The servers run pinned to CPU 0 and wrk to CPU 1 (taskset), so the figures
# measure the server's cost per request rather than a fight over two cores.
# Each scenario runs ROUNDS times, alternating with the ceiling, and the
# median round is reported.
# With ECOLAURA_DATABASE_URL set (an empty database), the host runs on it.
# Usage: benches/load/http.sh [seconds per round, default 10] [connections, default 32] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
ROUNDS="${3:-3}"
SERVER_CPU=0
LOAD_CPU=1
HOST_PORT=18080
CEILING_PORT=18081
BASE="http://127.0.0.1:$HOST_PORT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ecolaura-http -p ecolaura-benches --bin ecolaura --bin http-ceiling
BIN=target/release
# shellcheck source=benches/load/wrk.sh
source benches/load/wrk.sh

start_host
for c in 0 1 2 3 4; do
    curl -sf "$BASE/api/v1/categories" -H "authorization: Bearer $STAFF" -H 'content-type: application/json' \
        -d "{\"slug\":\"category-$c\",\"name\":\"Category $c\"}" >/dev/null
done
for i in $(seq 1 200); do
    curl -sf "$BASE/api/v1/products" -H "authorization: Bearer $STAFF" -H 'content-type: application/json' \
        -d "{\"name\":\"Product $i\",\"description\":\"A sturdy thing number $i\",\"price\":\"$((i % 50 + 1)).99\",\"stock\":1000000000,\"category\":\"category-$((i % 5))\",\"sustainability\":{\"carbon_footprint_kg\":$((i % 9)).5,\"recyclable\":true,\"biodegradable\":$([ $((i % 2)) = 0 ] && echo true || echo false)}}" \
        > "$WORK/last-product.json"
    # Every product carries a green claim with evidence, as a shop's would.
    curl -sf "$BASE/api/v1/products/$(json "['id']" < "$WORK/last-product.json")/claims" \
        -H "authorization: Bearer $STAFF" -H 'content-type: application/json' \
        -d '{"type":"recyclable","statement":"Recyclable in household collection","markets":["EU"],"evidence":{"scheme":"RecyClass","issuer":"RecyClass","valid_from":"2026-01-01","valid_until":"2030-12-31","ecolabel_type_i":false}}' \
        >/dev/null
done
PRODUCT=$(json "['id']" < "$WORK/last-product.json")
curl -sf "$BASE/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email":"buyer@load.test","password":"buyer password","name":"Buyer"}' >/dev/null
BUYER=$(curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"buyer@load.test","password":"buyer password"}' | json "['access']")

curl -sf "$BASE/api/v1/products" > "$WORK/list.json"
taskset -c "$SERVER_CPU" "$BIN/http-ceiling" "127.0.0.1:$CEILING_PORT" "$WORK/list.json" &
PIDS+=($!)
sleep 0.5

declare -A RESULT
scenario() {
    local name="$1"; shift
    local rounds=""
    for _ in $(seq 1 "$ROUNDS"); do rounds+="$(round "$@")"$'\n'; done
    RESULT[$name]=$(printf '%s' "$rounds" | median)
}

LIST="$BASE/api/v1/products"
FILTERED="$BASE/api/v1/products?category=category-2&min_price=10&in_stock=true&ordering=-sustainability_score"
CEILING="http://127.0.0.1:$CEILING_PORT/api/v1/products"
RESULT_LIST=""
RESULT_CEILING=""
for _ in $(seq 1 "$ROUNDS"); do
    # Alternate the list and its ceiling round by round, so drift hits both.
    RESULT_LIST+="$(round "$LIST")"$'\n'
    RESULT_CEILING+="$(round "$CEILING")"$'\n'
done
RESULT[list]=$(printf '%s' "$RESULT_LIST" | median)
RESULT[ceiling]=$(printf '%s' "$RESULT_CEILING" | median)
scenario filtered "$FILTERED"
scenario detail "$BASE/api/v1/products/$PRODUCT"
export ORDER_TOKEN="$BUYER" ORDER_PRODUCT="$PRODUCT"
scenario order -s benches/load/place_order.lua "$BASE/api/v1/orders"
# 6. The list while orders are placed at the same time: every order changes
# stock, so it invalidates the cache and the next list read renders afresh.
MIXED_ROUNDS=""
for _ in $(seq 1 "$ROUNDS"); do
    taskset -c "$LOAD_CPU" wrk -t1 -c8 -d"${DURATION}s" -s benches/load/place_order.lua "$BASE/api/v1/orders" \
        > "$WORK/mixed-orders.txt" &
    MIXED_ROUNDS+="$(round "$LIST")"$'\n'
    wait $!
    ORDERS_DURING=$(awk '/Requests\/sec/ { print int($2) }' "$WORK/mixed-orders.txt")
done
RESULT[mixed]=$(printf '%s' "$MIXED_ROUNDS" | median)

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -sr); $(date -u +%F)"
echo "wrk 4.1, 1 thread, $CONNECTIONS connections, ${DURATION}s x $ROUNDS rounds (median); server on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU"
echo "catalog: 200 products in 5 categories, one green claim each; list page: 20 items, $(wc -c < "$WORK/list.json") bytes"
printf '%-42s %10s %8s %8s %8s\n' scenario "req/s" "p50 ms" "p99 ms" "non-2xx"
for name in list filtered detail order mixed ceiling; do
    read -r rps p50 p99 bad <<< "${RESULT[$name]}"
    printf '%-42s %10s %8s %8s %8s\n' "$name" "$rps" "$p50" "$p99" "$bad"
done
read -r list_rps _ <<< "${RESULT[list]}"
read -r ceiling_rps _ <<< "${RESULT[ceiling]}"
awk -v a="$list_rps" -v b="$ceiling_rps" 'BEGIN { printf "cached list / ceiling: %.1f%%\n", 100 * a / b }'
echo "mixed: the list read while 8 other connections placed orders (last round: $ORDERS_DURING orders/s)"
