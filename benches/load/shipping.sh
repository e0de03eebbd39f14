#!/usr/bin/env bash
# Load on shipping emissions (API-SUSTAINABILITY.md, section 5), measured
# with wrk. Starts the release binary on a fresh embedded SQLite file (or on
# $ECOLAURA_DATABASE_URL, an empty database), makes five shipping methods
# and a product with a weight and a footprint, then measures:
#   1. order placement without a shipping method, and
#   2. the same with one (`"shipping_method": "rail-eu"`), in alternating
#      rounds so that drift of the machine hits both alike;
#   3. a shipping quote for the product (every active method ranked).
# Server on CPU 0, wrk on CPU 1; each scenario's median round is reported,
# with the ratio of 2 to 1 (issue 13's target: within 10%).
# Usage: benches/load/shipping.sh [seconds per round, default 10] [connections, default 32] [rounds, default 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
ROUNDS="${3:-5}"
SERVER_CPU=0
LOAD_CPU=1
HOST_PORT=18083
BASE="http://127.0.0.1:$HOST_PORT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ecolaura-http --bin ecolaura
BIN=target/release
# shellcheck source=benches/load/wrk.sh
source benches/load/wrk.sh

start_host
post() { curl -sf "$BASE$1" -H "authorization: Bearer ${3:-$STAFF}" -H 'content-type: application/json' -d "$2"; }
for m in 'rail-eu rail 850 17.0 6.90' 'road-eu road 850 62.0 4.90' 'air-eu air 850 602.0 19.00' \
         'barge-eu inland_water 850 31.0 5.50' 'bike-city cargo_bike 8 0.0 7.00'; do
    read -r code mode km factor price <<< "$m"
    post /api/v1/shipping-methods "{\"code\":\"$code\",\"name\":\"$code\",\"mode\":\"$mode\",\"distance_km\":$km,\"emission_factor_g_per_tkm\":\"$factor\",\"price\":\"$price\"}" >/dev/null
done
PRODUCT=$(post /api/v1/products '{"name":"Eco Bottle","price":"19.99","stock":1000000000,"weight_kg":"0.350","sustainability":{"carbon_footprint_kg":1.2,"recyclable":true,"biodegradable":false}}' | json "['id']")
curl -sf "$BASE/api/v1/auth/register" -H 'content-type: application/json' \
    -d '{"email":"buyer@load.test","password":"buyer password","name":"Buyer"}' >/dev/null
BUYER=$(curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"buyer@load.test","password":"buyer password"}' | json "['access']")
export ORDER_TOKEN="$BUYER" ORDER_PRODUCT="$PRODUCT" QUOTE_PRODUCT="$PRODUCT"
# The answer with shipping, checked once before measuring.
ORDER_SHIPPING=rail-eu
post /api/v1/orders "{\"lines\":[{\"product_id\":\"$PRODUCT\",\"quantity\":1}],\"shipping_method\":\"$ORDER_SHIPPING\"}" "$BUYER" \
    | json "['shipping']" >/dev/null

PLAIN=""
SHIPPED=""
for _ in $(seq 1 "$ROUNDS"); do
    PLAIN+="$(ORDER_SHIPPING='' round -s benches/load/place_order.lua "$BASE/api/v1/orders")"$'\n'
    SHIPPED+="$(ORDER_SHIPPING=rail-eu round -s benches/load/place_order.lua "$BASE/api/v1/orders")"$'\n'
done
declare -A RESULT
RESULT[order]=$(printf '%s' "$PLAIN" | median)
RESULT[order_with_shipping]=$(printf '%s' "$SHIPPED" | median)
QUOTES=""
for _ in $(seq 1 "$ROUNDS"); do QUOTES+="$(round -s benches/load/quote.lua "$BASE/api/v1/shipping/quote")"$'\n'; done
RESULT[quote]=$(printf '%s' "$QUOTES" | median)

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -sr); $(date -u +%F)"
echo "store: ${ECOLAURA_DATABASE_URL:-embedded SQLite}"
echo "wrk, 1 thread, $CONNECTIONS connections, ${DURATION}s x $ROUNDS rounds (median; the two order scenarios alternate); server on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU"
printf '%-22s %10s %8s %8s %8s\n' scenario "req/s" "p50 ms" "p99 ms" "non-2xx"
for name in order order_with_shipping quote; do
    read -r rps p50 p99 bad <<< "${RESULT[$name]}"
    printf '%-22s %10s %8s %8s %8s\n' "$name" "$rps" "$p50" "$p99" "$bad"
done
read -r plain_rps _ <<< "${RESULT[order]}"
read -r shipped_rps _ <<< "${RESULT[order_with_shipping]}"
awk -v a="$shipped_rps" -v b="$plain_rps" 'BEGIN { printf "order placement with shipping / without: %.1f%%\n", 100 * a / b }'
echo "each round, plain / with shipping (req/s):"
paste -d' ' <(printf '%s' "$PLAIN" | awk '{print $1}') <(printf '%s' "$SHIPPED" | awk '{print $1}')
