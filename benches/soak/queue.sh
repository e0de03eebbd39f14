#!/usr/bin/env bash
# Job queue throughput with a backlog (a benchmark: never run by `cargo test`).
#
# No-op `process_order` jobs claimed and completed per second by the
# library's `Worker`, on Postgres (a fresh database `ecolaura_queue_bench`,
# dropped afterwards) and on an SQLite file, with 0, 100,000 and 1,000,000 jobs
# already waiting. The backlog is written in one statement per million
# (benches/src/bin/queue_throughput.rs); with 0, a producer keeps a few
# hundred jobs ready instead.
#
# Usage: benches/soak/queue.sh [seconds, default 10] [backlogs, default 0,100000,1000000]
#                              [backends, default postgres,sqlite] [more flags…]
#   more flags (target/release/queue-throughput --help): --concurrency 2,8
#   (one run per value, default 8), --workers N (default 1), --analyze.
# Environment: ECOLAURA_TEST_DATABASE_URL (Postgres admin URL, default
#   postgres://postgres@127.0.0.1:5432/postgres), SOAK_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
BACKLOGS="${2:-0,100000,1000000}"
BACKENDS="${3:-postgres,sqlite}"
shift $(( $# < 3 ? $# : 3 ))
if [ "${SOAK_NO_BUILD:-0}" != 1 ]; then
    cargo build --release -q -p ecolaura-benches --bin queue-throughput
fi
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -sr); $(date -u +%F)"
echo "command: benches/soak/queue.sh $DURATION $BACKLOGS $BACKENDS $*"
exec target/release/queue-throughput --seconds "$DURATION" --backlogs "$BACKLOGS" --backends "$BACKENDS" "$@"
