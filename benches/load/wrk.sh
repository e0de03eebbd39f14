# wrk helpers shared by the load scripts (sourced, not run). The caller sets
# LOAD_CPU, CONNECTIONS and DURATION.

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
