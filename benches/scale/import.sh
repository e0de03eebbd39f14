#!/usr/bin/env bash
# `ecolaura catalog import` of a generated catalog file (catalog-csv.py) of
# PRODUCTS rows into an empty, migrated store: wall time and peak memory
# (RSS) of the import, then of a second import of the same file (every row
# unchanged: the reads and checks alone), then of a dry run.
#
# The store is a fresh Postgres database `ecolaura_import_<N>` on $PGURL's
# server (default postgres://postgres@127.0.0.1:5432), or the fresh file
# target/scale/import-<N>.db. The file is made once, as
# target/scale/catalog-<N>.csv.
#
# Usage: benches/scale/import.sh postgres|sqlite [products]
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKEND="${1:?postgres or sqlite}"
PRODUCTS="${2:-1000000}"
PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
mkdir -p target/scale
FILE="target/scale/catalog-$PRODUCTS.csv"
if [ ! -s "$FILE" ]; then
    python3 benches/scale/catalog-csv.py "$PRODUCTS" > "$FILE.part"
    mv "$FILE.part" "$FILE"
fi
echo "$FILE: $(du -h "$FILE" | cut -f1), $PRODUCTS rows"
case "$BACKEND" in
postgres)
    DB="ecolaura_import_$PRODUCTS"
    psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    export ECOLAURA_DATABASE_URL="$PGURL/$DB"
    ;;
sqlite)
    DB_FILE="$PWD/target/scale/import-$PRODUCTS.db"
    rm -f "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm"
    export ECOLAURA_DATABASE_URL="sqlite://$DB_FILE"
    ;;
*) echo "postgres or sqlite, not $BACKEND" >&2; exit 2 ;;
esac
cargo build --release -q -p ecolaura-http --bin ecolaura
BIN=target/release/ecolaura
export ECOLAURA_LOG=warn
"$BIN" migrate > /dev/null
for run in "import into the empty store" "the same file again" "a dry run"; do
    args=(catalog import "$FILE")
    [ "$run" = "a dry run" ] && args+=(--dry-run)
    echo "== $run"
    /usr/bin/time -f "%e s wall, %U s user, %M KiB peak RSS" "$BIN" "${args[@]}"
done
