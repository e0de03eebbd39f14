#!/usr/bin/env bash
# Soak benchmark of the `ecolaura` host (a benchmark: never run by `cargo test`).
#
# Builds the release binary and the driver (benches/src/bin/soak.rs), makes a
# fresh store (Postgres: the database `ecolaura_soak`, dropped and created;
# SQLite: a new file in a fresh directory under $SOAK_OUT), starts `ecolaura serve` with its
# defaults on a free loopback port, makes a staff account with
# `ecolaura users add --staff`, and runs the driver: it seeds 10,000 products
# and 50 customers through the API, loads the host for SECONDS, samples the
# job queue, /metrics and the host's RSS every second, waits until every
# order is confirmed and mailed (at most 600 s), and prints a summary.
# Before the load it waits (up to --quiet-wait, 120 s) for other processes to
# leave the CPU alone, and it records every second the share of the CPU that
# other processes took (column "other%"; NOISE_DEBUG=1 names them).
#
# Usage: benches/soak/run.sh [seconds, default 60] [postgres|sqlite, default sqlite] [driver flags…]
#   driver flags (target/release/soak --help): --mode mix --mix 90 (the default:
#   16 clients, 90% reads / 10% orders by request count), or --mode orders
#   (--clients order clients at max rate, --read-clients readers alongside),
#   --clients N, --products N, --customers N, --drain-timeout S.
# Environment: ECOLAURA_TEST_DATABASE_URL (Postgres admin URL, default
#   postgres://postgres@127.0.0.1:5432/postgres), SOAK_OUT (where the CSV and
#   the log go, default target/soak), SOAK_NO_BUILD=1 (use the binaries as built),
#   SOAK_HOST_BIN (another `ecolaura` binary to measure, such as an older
#   commit's build, for a before/after comparison), SOAK_SMTP=1 (mail leaves
#   for a real SMTP server: the tests' aiosmtpd sink, run by the Python in
#   ECOLAURA_AIOSMTPD_PYTHON; after the load the script waits, up to 600 s,
#   until every message is delivered, and reports how long that took, the
#   messages the server received and any received twice).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION="${1:-60}"
BACKEND="${2:-sqlite}"
shift $(( $# < 2 ? $# : 2 ))
case "$BACKEND" in postgres|sqlite) ;; *) echo "backend: postgres or sqlite, not $BACKEND" >&2; exit 2 ;; esac
[[ "$DURATION" =~ ^[0-9]+$ ]] || { echo "seconds: a whole number, not $DURATION" >&2; exit 2; }

if [ "${SOAK_NO_BUILD:-0}" != 1 ]; then
    cargo build --release -q -p ecolaura-http --bin ecolaura
    cargo build --release -q -p ecolaura-benches --bin soak
fi
BIN="$ROOT/target/release"
HOST_BIN="${SOAK_HOST_BIN:-$BIN/ecolaura}"
OUT="${SOAK_OUT:-$ROOT/target/soak}"
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
CSV="$OUT/soak-$BACKEND-$STAMP.csv"
LOG="$OUT/soak-$BACKEND-$STAMP.log"

# The host's working directory (and SQLite file), removed at the end.
WORK=$(mktemp -d "$OUT/work.XXXXXX")
HOST_PID=""
stop_host() {
    [ -n "$HOST_PID" ] || return 0
    if kill -0 "$HOST_PID" 2>/dev/null; then
        kill -TERM "$HOST_PID" 2>/dev/null || true
        for _ in $(seq 1 400); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$HOST_PID" 2>/dev/null || true
    fi
    wait "$HOST_PID" 2>/dev/null || true
    HOST_PID=""
}
cleanup() { stop_host; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

export ECOLAURA_JWT_SECRET="soak test secret, at least thirty-two bytes long"
export ECOLAURA_LOG=warn
export ECOLAURA_BIND="127.0.0.1:0"
unset ECOLAURA_DATABASE_URL
if [ "$BACKEND" = postgres ]; then
    command -v psql >/dev/null || { echo "psql is needed for the Postgres soak" >&2; exit 1; }
    ADMIN="${ECOLAURA_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    DB_URL="${ADMIN%/*}/ecolaura_soak"
    psql -q "$ADMIN" -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS ecolaura_soak WITH (FORCE)" -c "CREATE DATABASE ecolaura_soak"
    export ECOLAURA_DATABASE_URL="$DB_URL"
    DB_NOTE="Postgres $(psql -Atq "$ADMIN" -c 'SHOW server_version'), autovacuum = $(psql -Atq "$ADMIN" -c 'SHOW autovacuum')"
else
    # The host's default: ecolaura.db in its working directory.
    DB_URL="sqlite://$WORK/ecolaura.db"
    DB_NOTE="SQLite file (the host's default: ecolaura.db in its working directory)"
fi

if [ "${SOAK_SMTP:-0}" = 1 ]; then
    [ -n "${ECOLAURA_AIOSMTPD_PYTHON:-}" ] || { echo "SOAK_SMTP=1 needs ECOLAURA_AIOSMTPD_PYTHON (a python with aiosmtpd)" >&2; exit 2; }
    SMTP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$ECOLAURA_AIOSMTPD_PYTHON" "$ROOT/ecolaura-http/tests/e2e/smtp_sink.py" "$SMTP_PORT" "$WORK/mail" 0 > "$WORK/smtp.out" 2>&1 &
    SMTP_PID=$!
    for _ in $(seq 1 100); do grep -q ready "$WORK/smtp.out" 2>/dev/null && break; sleep 0.1; done
    export ECOLAURA_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" ECOLAURA_MAIL_FROM="Soak Shop <shop@soak.test>"
    trap 'kill "$SMTP_PID" 2>/dev/null || true; cleanup' EXIT
fi
: > "$WORK/host.out"
(cd "$WORK" && exec "$HOST_BIN" serve) > "$WORK/host.out" 2> "$WORK/host.err" &
HOST_PID=$!
BASE=""
for _ in $(seq 1 300); do
    BASE=$(sed -n 's/^ecolaura listening on \(http:\/\/[^ ]*\) .*/\1/p' "$WORK/host.out" || true)
    [ -n "$BASE" ] && break
    kill -0 "$HOST_PID" 2>/dev/null || { cat "$WORK/host.err" >&2; echo "the host did not start" >&2; exit 1; }
    sleep 0.1
done
[ -n "$BASE" ] || { echo "the host printed no address within 30 s" >&2; exit 1; }
(cd "$WORK" && "$HOST_BIN" users add --email staff@soak.test --password 'soak staff password' --name Staff --staff >/dev/null)

MACHINE="machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -sr); $(rustc --version | cut -d' ' -f1-2); $(date -u +%F)"
{
    echo "$MACHINE"
    echo "command: benches/soak/run.sh $DURATION $BACKEND $*"
    echo "host: $BASE (pid $HOST_PID), $DB_NOTE; ECOLAURA_LOG=warn, every other setting at its default"
    echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (host, database and driver share the machine's cores; nothing is pinned)"
} | tee "$LOG"

set +e
"$BIN/soak" --base "$BASE" --database-url "$DB_URL" --pid "$HOST_PID" --seconds "$DURATION" \
    --csv "$CSV" --label "$MACHINE; command: benches/soak/run.sh $DURATION $BACKEND $*" "$@" 2>&1 | tee -a "$LOG"
STATUS=${PIPESTATUS[0]}
set -e

undelivered() {
    if [ "$BACKEND" = postgres ]; then
        psql -Atq "$DB_URL" -c "SELECT count(*) FILTER (WHERE delivered_at IS NULL), count(*) FROM sent_emails"
    else
        sqlite3 "$WORK/ecolaura.db" "SELECT count(*) FILTER (WHERE delivered_at IS NULL), count(*) FROM sent_emails"
    fi
}
if [ "${SOAK_SMTP:-0}" = 1 ]; then
    START=$(date +%s.%N)
    for _ in $(seq 1 6000); do
        [ "$(undelivered | cut -d'|' -f1)" = 0 ] && break
        sleep 0.1
    done
    ELAPSED=$(echo "$(date +%s.%N) - $START" | bc)
    COUNTS=$(undelivered)
    RECEIVED=$(ls "$WORK/mail" | grep -c '\.json$' || true)
    UNIQUE=$(python3 -c 'import glob, json, sys; print(len({json.load(open(f))["message_id"] for f in glob.glob(sys.argv[1] + "/*.json")}))' "$WORK/mail")
    {
        echo
        echo "mail: ${COUNTS#*|} messages in the outbox, ${COUNTS%%|*} not delivered ${ELAPSED} s after the soak's end; the SMTP server received $RECEIVED, $UNIQUE distinct Message-IDs"
    } | tee -a "$LOG"
fi

{
    echo
    if [ "$BACKEND" = postgres ]; then
        echo "tables after the run (autovacuum $(psql -Atq "$DB_URL" -c 'SHOW autovacuum')):"
        psql -q "$DB_URL" -c "SELECT relname, n_live_tup, n_dead_tup, pg_size_pretty(pg_total_relation_size(relid)) AS size, last_autovacuum, last_autoanalyze FROM pg_stat_user_tables WHERE relname IN ('jobs', 'orders', 'order_lines', 'products', 'sent_emails') ORDER BY relname"
    else
        echo "database files after the run: $(ls -l "$WORK"/ecolaura.db* | awk '{ printf "%s %.1f MiB; ", $NF, $5 / 1048576 }' | sed "s|$WORK/||g")"
    fi
} 2>&1 | tee -a "$LOG"

stop_host
WARNINGS=$(grep -c -E 'WARN|ERROR' "$WORK/host.err" || true)
{
    echo "host log (ECOLAURA_LOG=warn): $WARNINGS warning/error lines"
    if [ "$WARNINGS" != 0 ]; then grep -E 'WARN|ERROR' "$WORK/host.err" | sed 's/^/  /' | sort | uniq -c | sort -rn | head -20; fi
    echo "log: $LOG"
    echo "per-second samples: $CSV"
    if [ "$BACKEND" = postgres ]; then echo "the database ecolaura_soak is kept for inspection (dropped by the next run)"; fi
} | tee -a "$LOG"
exit "$STATUS"
