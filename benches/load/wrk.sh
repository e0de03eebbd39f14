# What the load scripts share (sourced, not run): starting the host with a
# staff account, and wrk rounds. The caller sets BIN, SERVER_CPU, HOST_PORT
# and BASE for `start_host`, and LOAD_CPU, CONNECTIONS and DURATION for
# `round`.

# Start `$BIN/ecolaura serve` on a fresh SQLite file in $WORK (or on
# $ECOLAURA_DATABASE_URL), pinned to $SERVER_CPU, and make a staff account;
# sets WORK, PIDS (killed on exit, with $WORK removed) and STAFF (its token).
start_host() {
    WORK=$(mktemp -d)
    PIDS=()
    trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
    export ECOLAURA_JWT_SECRET="load test secret, at least thirty-two bytes"
    export ECOLAURA_LOG=warn
    export ECOLAURA_BIND="127.0.0.1:$HOST_PORT"
    (cd "$WORK" && exec taskset -c "$SERVER_CPU" "$OLDPWD/$BIN/ecolaura" serve) > "$WORK/host.out" &
    PIDS+=($!)
    for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
    (cd "$WORK" && "$OLDPWD/$BIN/ecolaura" users add --email staff@load.test --password 'staff password' --staff >/dev/null)
    STAFF=$(curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
        -d '{"email":"staff@load.test","password":"staff password"}' | json "['access']")
}

# A field of the JSON on standard input: `json "['id']"`.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# One wrk round: "<requests/s> <p50> <p99> <non-2xx>" (latencies in ms).
round() {
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" | awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /Non-2xx/ { bad = $5 }
        END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, bad }'
}

# The median of the rounds on standard input, by requests/s.
median() { sort -n | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }'; }
