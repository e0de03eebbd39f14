#!/usr/bin/env bash
# `ecolaura catalog export` of the scale catalog (made by run.sh): wall
# time, peak memory (RSS) and what it wrote.
#
# Usage: benches/scale/export.sh postgres|sqlite [products]
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKEND="${1:?postgres or sqlite}"
PRODUCTS="${2:-1000000}"
PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
case "$BACKEND" in
postgres) export ECOLAURA_DATABASE_URL="$PGURL/ecolaura_scale_$PRODUCTS" ;;
sqlite) export ECOLAURA_DATABASE_URL="sqlite://$PWD/target/scale/sqlite-$PRODUCTS.db" ;;
*) echo "postgres or sqlite, not $BACKEND" >&2; exit 2 ;;
esac
cargo build --release -q -p ecolaura-http --bin ecolaura
export ECOLAURA_LOG=warn
out="target/scale/export-$BACKEND-$PRODUCTS.csv"
/usr/bin/time -f "%e s wall, %M KiB peak RSS" target/release/ecolaura catalog export > "$out"
echo "$(($(wc -l < "$out") - 1)) rows, $(du -h "$out" | cut -f1) written to $out"
