#!/usr/bin/env bash
# The rescoring job on Postgres (a benchmark: never run by `cargo test`).
#
# A fresh database `ecolaura_rescore_bench` (dropped afterwards) with N
# products scored by `ecolaura-default@1`, one in ten with a certified
# claim; a new score policy is published, and a worker drains the
# rescoring job it enqueued. Prints products rescored per second and the
# process's peak RSS before and after the job
# (benches/src/bin/rescore.rs).
#
# Usage: benches/rescore/run.sh [products, default 100000]
# Environment: ECOLAURA_TEST_DATABASE_URL (Postgres admin URL, default
#   postgres://postgres@127.0.0.1:5432/postgres), SOAK_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
PRODUCTS="${1:-100000}"
if [ "${SOAK_NO_BUILD:-0}" != 1 ]; then
    cargo build --release -q -p ecolaura-benches --bin rescore
fi
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -sr); $(date -u +%F)"
echo "command: benches/rescore/run.sh $PRODUCTS"
exec target/release/rescore --products "$PRODUCTS"
