#!/bin/bash
# Side by side with a Celery worker (issue 19): django-helpdesk's POST /api/tickets/ (no AI)
# against SupportDesk with the broker on Redis, where the API only stores and queues and one
# Celery worker decides. Rounds alternate (peer, ours, peer, ours...) in one run, so the ratios
# hold on a noisy host. Both servers: PostgreSQL, gunicorn 2 sync workers, wrk 2 threads x 8
# connections for DURATION seconds.
#
# Usage (from the project root, .venv built):
#   bench/worker_side_by_side.sh [PEERS_DIR] [ROUNDS]
# PEERS_DIR: the peers' folder with helpdesk/bench.sh and post.lua (default $PEERS_DIR, else
# ../shared/peers). Environment: DURATION (15), WORKER_CONCURRENCY (2), DRAIN_TIMEOUT (180 s
# to wait for the worker to decide the round's tickets), REUSE_DB=1 (keep ours_wsbs as it is).
#
# Prints one JSON line per round ("peer": wrk's line; "ours": wrk's line plus what the worker
# decided: decided_per_s from the first post to the last decision, decided_in_window_per_s
# within wrk's window, undecided and decided_twice), then the median ratios.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=$(cd "${1:-${PEERS_DIR:-$ROOT/../shared/peers}}" && pwd)
ROUNDS=${2:-2}
DURATION=${DURATION:-15}
# Two worker processes, one per core: while wrk runs the cores are shared by everything and the
# worker gets its share either way, but once the posts stop the worker alone has work left and
# one process can use only one core. Back to back (docs/BENCHMARKS.md): 0.90x the peer with
# two, 0.75x with one. Each process holds its own model and index (memory, not CPU).
WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-2}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-180}
PORT=8794
OUT=$(mktemp /tmp/worker-sbs.XXXXXX)
PIDS=()

PEER_RUNNING=0
cleanup() {
  for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  # The peers' bench.sh stops its own server; only if we were interrupted inside it is it ours
  # to stop (by the pid file that script writes).
  if [[ $PEER_RUNNING == 1 ]]; then kill -- "-$(cat /tmp/peer-gunicorn.pid)" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

cd "$ROOT"
# Redis databases of our own: 5 the broker, 6 the cache (the batch's claims and the API's user
# cache must be shared by every process, as in production); flushed before each round.
export CELERY_BROKER_URL=redis://127.0.0.1:6379/5 CACHE_URL=redis://127.0.0.1:6379/6
# E-mails are rendered and "sent" into memory, as the peer's settings do (locmem): the default
# console backend would print each answer into the worker's log, a cost no real desk pays.
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
redis_flush() { redis-cli -n 5 flushdb >/dev/null; redis-cli -n 6 flushdb >/dev/null; }
py() { .venv/bin/python "$@"; }

source bench/desk_db.sh
"$PEERS/helpdesk/setup.sh" peer_wsbs >/dev/null
desk_db_prepare ours_wsbs

start_group() { # start_group LOG CMD... : its own process group, remembered for the trap
  setsid "${@:2}" >"$1" 2>&1 &
  PIDS+=($!)
}

ours() {
  redis_flush
  export DEBUG=false SECRET_KEY=bench-only-$(date +%s)-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
    ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false LOGIN_THROTTLE_RATE=1000/min CUSTOMER_TICKET_RATE=
  start_group /tmp/worker-sbs-gunicorn.log .venv/bin/gunicorn supportdesk.wsgi -c /dev/null -w 2 \
    -b 127.0.0.1:$PORT --log-level warning
  start_group /tmp/worker-sbs-celery.log .venv/bin/celery -A supportdesk worker -l warning \
    --concurrency "$WORKER_CONCURRENCY" --without-gossip --without-mingle --without-heartbeat
  for _ in $(seq 1 90); do curl -s -o /dev/null http://127.0.0.1:$PORT/api/schema/ && break; sleep 1; done
  # The worker is ready when a ping answers (its processes have loaded the model by then).
  for _ in $(seq 1 90); do .venv/bin/celery -A supportdesk inspect ping -t 1 >/dev/null 2>&1 && break; sleep 1; done
  tok=$(curl -s -X POST -H "Content-Type: application/json" \
    -d '{"email":"bench@example.com","password":"Bars-pass-123"}' \
    http://127.0.0.1:$PORT/api/auth/login | python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])")
  web_cpu_before=$(python3 bench/proc_cpu.py "${PIDS[0]}")
  worker_cpu_before=$(python3 bench/proc_cpu.py "${PIDS[1]}")
  since=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
  window_start=$(date +%s.%N)
  wrk_line=$(WRK_AUTH="Bearer $tok" WRK_BODY='{"subject": "Card charged twice", "message": "I was charged twice for my order, please refund one payment"}' \
    wrk -t2 -c8 -d${DURATION}s -s "$PEERS/post.lua" http://127.0.0.1:$PORT/api/tickets | grep JSON | sed 's/^JSON //')
  window_end=$(date +%s.%N)
  # The API has stopped; wait for the worker to decide what is left, then count.
  DEBUG=false py bench/worker_decided.py --since "$since" --window "$window_start" "$window_end" \
    --wrk "$wrk_line" --drain-timeout "$DRAIN_TIMEOUT" \
    --web-cpu "${PIDS[0]}" "$web_cpu_before" --worker-cpu "${PIDS[1]}" "$worker_cpu_before" | sed 's/^/ours /' | tee -a "$OUT"
  cleanup
  PIDS=()
  sleep 2
}

peer() {
  PEER_RUNNING=1
  (cd "$PEERS/helpdesk" && PEER_PG=peer_wsbs PORT=8795 DURATION=$DURATION ./bench.sh) \
    | grep JSON | sed 's/^JSON/peer/' | tee -a "$OUT"
  PEER_RUNNING=0
  sleep 2
}

# Not piped: the rounds run in this shell, so the trap knows what they started.
for _ in $(seq 1 "$ROUNDS"); do peer; ours; done
python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    who, _, data = line.partition(" ")
    if data.strip():
        rows.setdefault(who, []).append(json.loads(data))
peer, ours = rows["peer"], rows["ours"]
med = lambda rs, key: statistics.median(r[key] for r in rs)
print("ratio ours decided/s (first post to last decision) vs peer created/s (median):",
      round(med(ours, "decided_per_s") / med(peer, "rps"), 2))
print("ratio ours decided/s within wrk's window vs peer created/s (median):",
      round(med(ours, "decided_in_window_per_s") / med(peer, "rps"), 2))
print("ratio ours POST rps vs peer (median):", round(med(ours, "rps") / med(peer, "rps"), 2))
print("p99 ms ours", [r["p99_ms"] for r in ours], "peer", [r["p99_ms"] for r in peer])
PY
rm -f "$OUT"
