#!/usr/bin/env bash
# API v2 page 1, page 2 and page 50,000 of the whole catalog, each alone at
# 1 connection (3 rounds of 10 s, the median), on the catalog and with the
# deep path that run.sh left (target/scale/v2-one.txt). Run after run.sh with
# the same ECOLAURA_DATABASE_URL: postgres://…/ecolaura_scale_<N> or
# sqlite://$PWD/target/scale/sqlite-<N>.db.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/wrk.sh
BASE=http://127.0.0.1:18082; LOAD_CPU=1; DURATION=10
export ECOLAURA_JWT_SECRET="load test secret, at least thirty-two bytes" ECOLAURA_LOG=warn ECOLAURA_WORKERS=0 ECOLAURA_BIND=127.0.0.1:18082
taskset -c 0 target/release/ecolaura serve >/dev/null 2>&1 & PID=$!
trap 'kill $PID' EXIT
for _ in $(seq 1 300); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
p1="/api/v2/products?limit=20"
c=$(curl -s "$BASE$p1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
p2="/api/v2/products?limit=20&cursor=$c"
deep=$(tail -1 target/scale/v2-one.txt)
for which in "page-1 $p1" "page-2 $p2" "page-50000 $deep"; do
  read -r name path <<< "$which"
  echo "$path" > /tmp/one.txt
  r=$(for _ in 1 2 3; do PATHS=/tmp/one.txt CONNECTIONS=1 round -s benches/scale/paths.lua "$BASE"; done | median)
  echo "$name $r"
done
