#!/usr/bin/env bash
# Load on the Digital Product Passport (API-SUSTAINABILITY.md, section 4),
# measured with wrk. Starts the release binary on a fresh embedded SQLite
# file (or on $ECOLAURA_DATABASE_URL, an empty database), makes one product
# with a GTIN, a composition, a footprint record, a green claim and 50
# discard entries, then measures:
#   1. the product's detail (a cached read, for reference),
#   2. the public passport, 3. the authority passport (staff token),
#   4. the /01/{gtin} resolver (a 307 each, counted as non-2xx by wrk).
# Server on CPU 0, wrk on CPU 1; each scenario's median round is reported.
# Usage: benches/load/passport.sh [seconds per round, default 10] [connections, default 32] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
ROUNDS="${3:-3}"
SERVER_CPU=0
LOAD_CPU=1
HOST_PORT=18082
BASE="http://127.0.0.1:$HOST_PORT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ecolaura-http --bin ecolaura
BIN=target/release
# shellcheck source=benches/load/wrk.sh
source benches/load/wrk.sh

start_host
post() { curl -sf "$BASE$1" -H "authorization: Bearer $STAFF" -H 'content-type: application/json' -X "${3:-POST}" -d "$2"; }
PRODUCT=$(post /api/v1/products '{"name":"Eco Bottle","price":"19.99","stock":1000000,"gtin":"4006381333931","weight_kg":"0.350"}' | json "['id']")
post "/api/v1/products/$PRODUCT/composition" '{"materials":[{"name":"Stainless steel","share_percent":"85","recycled_percent":"60"},{"name":"Polypropylene","share_percent":"15","recycled_percent":"0"}],"origin_country":"PT","manufacturer":{"name":"Fábrica Verde","address":"Porto"},"care_and_disposal":"Hand wash."}' PUT >/dev/null
post "/api/v1/products/$PRODUCT/footprint" '{"declared_unit":"kilogram","unitary_product_amount":"0.350","pcf_excluding_biogenic_kg":"4.100","pcf_including_biogenic_kg":"3.900","boundary":"cradle-to-gate","reference_period_start":"2025-01-01","reference_period_end":"2025-12-31","geography":"PT"}' PUT >/dev/null
post "/api/v1/products/$PRODUCT/claims" '{"type":"recycled_content","statement":"60% recycled steel","markets":["EU"],"evidence":{"scheme":"Global Recycled Standard","certificate_id":"GRS-1","issuer":"Control Union","valid_from":"2026-01-01","valid_until":"2030-12-31","ecolabel_type_i":false}}' >/dev/null
for _ in $(seq 1 50); do
    post "/api/v1/products/$PRODUCT/discards" '{"quantity":1,"reason":"damaged","destination":"recycling"}' >/dev/null
done

declare -A RESULT
scenario() {
    local name="$1"; shift
    local rounds=""
    for _ in $(seq 1 "$ROUNDS"); do rounds+="$(round "$@")"$'\n'; done
    RESULT[$name]=$(printf '%s' "$rounds" | median)
}
scenario detail "$BASE/api/v1/products/$PRODUCT"
scenario passport "$BASE/api/v1/products/$PRODUCT/passport"
scenario authority -H "authorization: Bearer $STAFF" "$BASE/api/v1/products/$PRODUCT/passport?view=authority"
scenario resolver "$BASE/01/4006381333931"

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -sr); $(date -u +%F)"
echo "wrk, 1 thread, $CONNECTIONS connections, ${DURATION}s x $ROUNDS rounds (median); server on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU"
echo "passport: $(curl -sf "$BASE/api/v1/products/$PRODUCT/passport" | wc -c) bytes public, $(curl -sf -H "authorization: Bearer $STAFF" "$BASE/api/v1/products/$PRODUCT/passport?view=authority" | wc -c) bytes authority (50 ledger entries)"
printf '%-12s %10s %8s %8s %8s\n' scenario "req/s" "p50 ms" "p99 ms" "non-2xx"
for name in detail passport authority resolver; do
    read -r rps p50 p99 bad <<< "${RESULT[$name]}"
    printf '%-12s %10s %8s %8s %8s\n' "$name" "$rps" "$p50" "$p99" "$bad"
done
