#!/usr/bin/env bash
# Scale benchmarks: the list and search paths of the `ecolaura` host on a
# generated catalog of PRODUCTS products (default 1,000,000), on Postgres or
# on the embedded SQLite.
#
# The catalog is made once by seed-postgres.sql / seed-sqlite.sql (timed)
# and kept for the next run: a Postgres database `ecolaura_scale_<N>` on
# $PGURL's server (default postgres://postgres@127.0.0.1:5432), or the file
# target/scale/sqlite-<N>.db. Then the release host serves it, pinned to CPU
# 0 with no job workers, and wrk (on CPU 1) runs the scenarios of lists.lua:
# uncached searches for words in 0.1% of the products, uncached filtered
# lists and uncached whole-catalog lists with their counts; then API v2's
# filtered lists from cursors (cursors.py walks them first, and paths.lua
# asks for them), and v2's page 1 against its page 50,000. Single requests
# (a deep v1 page, short searches) are timed with curl after them.
#
# Usage: benches/scale/run.sh postgres|sqlite [products] [seconds per round] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKEND="${1:?postgres or sqlite}"
PRODUCTS="${2:-1000000}"
DURATION="${3:-10}"
CONNECTIONS="${4:-32}"
ROUNDS="${5:-3}"
SERVER_CPU=0
LOAD_CPU=1
HOST_PORT=18082
BASE="http://127.0.0.1:$HOST_PORT"
PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
mkdir -p target/scale

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p ecolaura-http --bin ecolaura
BIN="$PWD/target/release/ecolaura"
# shellcheck source=benches/load/wrk.sh
source benches/load/wrk.sh

seconds_since() { python3 -c "import time,sys; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"; }

case "$BACKEND" in
postgres)
    DB="ecolaura_scale_$PRODUCTS"
    export ECOLAURA_DATABASE_URL="$PGURL/$DB"
    have=$(psql "$ECOLAURA_DATABASE_URL" -Atc "SELECT count(*) FROM products" 2>/dev/null || echo 0)
    if [ "$have" != "$PRODUCTS" ]; then
        psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
        "$BIN" migrate
        start=$(date +%s.%N)
        psql "$ECOLAURA_DATABASE_URL" -q -v products="$PRODUCTS" -f benches/scale/seed-postgres.sql >/dev/null
        echo "seeded $PRODUCTS products (with VACUUM ANALYZE) in $(seconds_since "$start") s"
    fi
    psql "$ECOLAURA_DATABASE_URL" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))"
    ;;
sqlite)
    mkdir -p target/scale
    FILE="$PWD/target/scale/sqlite-$PRODUCTS.db"
    export ECOLAURA_DATABASE_URL="sqlite://$FILE"
    have=$(sqlite3 "$FILE" "SELECT count(*) FROM products" 2>/dev/null || echo 0)
    if [ "$have" != "$PRODUCTS" ]; then
        rm -f "$FILE" "$FILE-wal" "$FILE-shm"
        "$BIN" migrate
        start=$(date +%s.%N)
        sqlite3 "$FILE" -cmd ".parameter set :products $PRODUCTS" < benches/scale/seed-sqlite.sql
        echo "seeded $PRODUCTS products (with ANALYZE) in $(seconds_since "$start") s"
    fi
    echo "database size: $(du -h "$FILE" | cut -f1)"
    ;;
*) echo "postgres or sqlite, not $BACKEND" >&2; exit 2 ;;
esac

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
export ECOLAURA_JWT_SECRET="load test secret, at least thirty-two bytes"
export ECOLAURA_LOG=warn
export ECOLAURA_WORKERS=0
export ECOLAURA_BIND="127.0.0.1:$HOST_PORT"
taskset -c "$SERVER_CPU" "$BIN" serve > /dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done

# API v2: paths of filtered lists and their cursor pages, walked once.
python3 benches/scale/cursors.py "$BASE" urls target/scale/v2-paths.txt 2000

echo "$BACKEND, $PRODUCTS products, ${DURATION}s x $ROUNDS rounds"
echo "scenario connections requests/s p50_ms p99_ms non_2xx (median round)"
for run in "search 1" "search $CONNECTIONS" "filtered $CONNECTIONS" "list $CONNECTIONS"; do
    read -r scenario connections <<< "$run"
    result=$(for _ in $(seq 1 "$ROUNDS"); do
        SCENARIO=$scenario CONNECTIONS=$connections round -s benches/scale/lists.lua "$BASE"
    done | median)
    echo "$scenario $connections $result"
done
result=$(for _ in $(seq 1 "$ROUNDS"); do
    PATHS=target/scale/v2-paths.txt CONNECTIONS=$CONNECTIONS round -s benches/scale/paths.lua "$BASE"
done | median)
echo "v2-filtered $CONNECTIONS $result"

# API v2: page 1 and page 50,000 (of 20) of the whole catalog, each alone
# at 1 connection, uncached.
mapfile -t ENDS < <(python3 benches/scale/cursors.py "$BASE" deep 50000)
for which in 0 1; do
    printf '%s\n' "${ENDS[$which]}" > target/scale/v2-one.txt
    result=$(for _ in $(seq 1 "$ROUNDS"); do
        PATHS=target/scale/v2-one.txt CONNECTIONS=1 round -s benches/scale/paths.lua "$BASE"
    done | median)
    echo "v2-page-$([ "$which" = 0 ] && echo 1 || echo 50000) 1 $result"
done

# One request each, uncached (a term or page not asked before), median of 5.
timed() {
    for n in 1 2 3 4 5; do
        curl -s -o /dev/null -w '%{time_total}\n' "$BASE/api/v1/products?$1&page_size=2$n"
    done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f ms\n", t[3] }'
}
echo "single requests (median of 5, ms):"
echo "page 1 of the whole catalog: $(timed 'ordering=-created_at')"
echo "page 38,000 of the whole catalog: $(timed 'ordering=-created_at&page=38000')"
echo "search for a rare word: $(timed 'search=kalomi')"
echo "search for two letters (ka): $(timed 'search=ka')"
echo "search for one letter (q): $(timed 'search=q')"
echo "search for a common word (bottle): $(timed 'search=bottle')"
