#!/usr/bin/env bash
# Attack benchmark of the `ecolaura` host (a benchmark: never run by `cargo test`).
#
# Builds the release binary and the driver (benches/src/bin/attack.rs). For
# each attack of the hardening issue it starts a fresh `ecolaura serve` on a
# new embedded SQLite file in a temporary directory under $ATTACK_OUT, on a
# free loopback port, makes a staff account with `ecolaura users add --staff`,
# and runs the driver: it seeds products and an honest customer through the
# API, measures the idle host (RSS, /healthz, an honest client), runs the
# attack for SECONDS, lets the host settle and measures again; then it stops
# the host. A fresh host per attack keeps one attack's leftovers (a full
# cache, the allocator's retained pages) out of the next one's idle figure.
# At the end it prints a summary with PASS/FAIL per criterion. A FAIL is a
# finding: the script exits non-zero only when the run itself failed.
#
# Usage: benches/attack/run.sh [seconds, default 30] [driver flags…]
#   driver flags (target/release/attack --help): --baseline S, --settle S,
#   --after S, --login-clients N, --slowloris-connections N,
#   --slow-body-connections N, …
# Environment: ATTACKS (comma-separated, default
#   login-flood,methods,logins,cache,slowloris,slow-body),
#   ATTACK_OUT (where the log goes, default target/attack),
#   SOAK_NO_BUILD=1 (use the binaries as built), SOAK_HOST_BIN (another
#   `ecolaura` binary to measure, such as an older commit's build).
#   The host's settings below can be overridden from the environment; the
#   run prints the values it used:
#   ECOLAURA_MAX_CONNECTIONS (default 1024, the host's default),
#   ECOLAURA_HEADER_READ_TIMEOUT (10, the host's default),
#   ECOLAURA_BODY_READ_TIMEOUT (10 here: the host's default is 30 s, as long
#     as an attack; 10 s shows three rounds of 408s in 30 s),
#   ECOLAURA_IDLE_TIMEOUT (30, the host's default),
#   ECOLAURA_TRUSTED_PROXIES (127.0.0.1 here: the driver is the proxy, so
#     that attack 3 can come from many client addresses, as a botnet's does,
#     through X-Forwarded-For; without it every failed login counts against
#     127.0.0.1, which is locked after 100, and the logins cost no hash).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION="${1:-30}"
shift $(( $# < 1 ? $# : 1 ))
[[ "$DURATION" =~ ^[0-9]+$ ]] || { echo "seconds: a whole number, not $DURATION" >&2; exit 2; }

if [ "${SOAK_NO_BUILD:-0}" != 1 ]; then
    cargo build --release -q -p ecolaura-http --bin ecolaura
    cargo build --release -q -p ecolaura-benches --bin attack
fi
BIN="$ROOT/target/release"
HOST_BIN="${SOAK_HOST_BIN:-$BIN/ecolaura}"
OUT="${ATTACK_OUT:-$ROOT/target/attack}"
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG="$OUT/attack-$STAMP.log"

ATTACKS_GIVEN="${ATTACKS:-}"
ATTACKS="${ATTACKS:-login-flood,methods,logins,cache,slowloris,slow-body}"
RESULTS="$OUT/attack-$STAMP.jsonl"
: > "$RESULTS"

export ECOLAURA_JWT_SECRET="attack test secret, at least thirty-two bytes long"
export ECOLAURA_LOG=warn
export ECOLAURA_BIND="127.0.0.1:0"
export ECOLAURA_MAX_CONNECTIONS="${ECOLAURA_MAX_CONNECTIONS:-1024}"
export ECOLAURA_HEADER_READ_TIMEOUT="${ECOLAURA_HEADER_READ_TIMEOUT:-10}"
export ECOLAURA_BODY_READ_TIMEOUT="${ECOLAURA_BODY_READ_TIMEOUT:-10}"
export ECOLAURA_IDLE_TIMEOUT="${ECOLAURA_IDLE_TIMEOUT:-30}"
export ECOLAURA_TRUSTED_PROXIES="${ECOLAURA_TRUSTED_PROXIES:-127.0.0.1}"
unset ECOLAURA_DATABASE_URL
SETTINGS="ECOLAURA_MAX_CONNECTIONS=$ECOLAURA_MAX_CONNECTIONS ECOLAURA_HEADER_READ_TIMEOUT=$ECOLAURA_HEADER_READ_TIMEOUT ECOLAURA_BODY_READ_TIMEOUT=$ECOLAURA_BODY_READ_TIMEOUT ECOLAURA_IDLE_TIMEOUT=$ECOLAURA_IDLE_TIMEOUT ECOLAURA_TRUSTED_PROXIES=$ECOLAURA_TRUSTED_PROXIES ECOLAURA_LOG=warn"

# The host's working directory (and SQLite file), one per attack, removed at the end.
WORK=""
HOST_PID=""
stop_host() {
    [ -n "$HOST_PID" ] || return 0
    if kill -0 "$HOST_PID" 2>/dev/null; then
        kill -TERM "$HOST_PID" 2>/dev/null || true
        for _ in $(seq 1 400); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$HOST_PID" 2>/dev/null || true
        wait "$HOST_PID" 2>/dev/null || true
    else
        # It ended before we stopped it: say how, and keep what it wrote.
        local status=0
        wait "$HOST_PID" 2>/dev/null || status=$?
        echo "the host (pid $HOST_PID) had exited before the end of its attack: status $status$( [ "$status" -gt 128 ] && echo " (signal $((status - 128)))"); its output is kept in $OUT/host-$HOST_PID.err" | tee -a "$LOG"
        [ -z "$WORK" ] || cp "$WORK/host.err" "$OUT/host-$HOST_PID.err" 2>/dev/null || true
    fi
    HOST_PID=""
}
cleanup() { stop_host; [ -z "$WORK" ] || rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_host() {
    WORK=$(mktemp -d "$OUT/work.XXXXXX")
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
    (cd "$WORK" && "$HOST_BIN" users add --email staff@attack.test --password 'attack staff password' --name Staff --staff >/dev/null)
}

# The host's warnings and errors, counted by message.
host_log() {
    local warnings
    warnings=$(grep -c -E 'WARN|ERROR' "$WORK/host.err" || true)
    echo "host log (ECOLAURA_LOG=warn): $warnings warning/error lines"
    if [ "$warnings" != 0 ]; then
        grep -E 'WARN|ERROR' "$WORK/host.err" | sed -E 's/^[^ ]+ +//; s/[0-9a-f]{8}-[0-9a-f-]{27}/<id>/g' | cut -c1-200 | sort | uniq -c | sort -rn | head -10
    fi
}

MACHINE="machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -sr); $(rustc --version | cut -d' ' -f1-2); $(date -u +%F)"
COMMAND="${ATTACKS_GIVEN:+ATTACKS=$ATTACKS_GIVEN }benches/attack/run.sh $DURATION${*:+ $*}"
{
    echo "$MACHINE"
    echo "command: $COMMAND"
    echo "host: a fresh \`ecolaura serve\` per attack on a new SQLite file (the embedded default); $SETTINGS; every other setting at its default"
    echo "descriptors: host and driver may open $(ulimit -n)"
    echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (host and driver share the machine's cores; nothing is pinned)"
} | tee "$LOG"

STATUS=0
IFS=, read -r -a LIST <<< "$ATTACKS"
for ATTACK in "${LIST[@]}"; do
    start_host
    echo "host for $ATTACK: $BASE (pid $HOST_PID)" | tee -a "$LOG"
    set +e
    "$BIN/attack" --base "$BASE" --pid "$HOST_PID" --seconds "$DURATION" --attacks "$ATTACK" \
        --results "$RESULTS" "$@" 2>&1 | tee -a "$LOG"
    STATUS=${PIPESTATUS[0]}
    set -e
    stop_host
    host_log | tee -a "$LOG"
    rm -rf "$WORK"
    WORK=""
    [ "$STATUS" = 0 ] || break
done

"$BIN/attack" --summarize "$RESULTS" --seconds "$DURATION" \
    --label "$MACHINE; command: $COMMAND; host settings: $SETTINGS" "$@" 2>&1 | tee -a "$LOG"
{
    echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "log: $LOG"
    echo "figures: $RESULTS"
} | tee -a "$LOG"
exit "$STATUS"
