#!/bin/bash
# Where each desk's CPU goes per ticket in the side-by-side run (issue 19): the same load as the
# peers' side_by_side.sh (django-helpdesk's POST /api/tickets/, no AI, against our POST
# /api/tickets with the pipeline in the request, no broker; PostgreSQL, gunicorn 2 sync workers,
# wrk 2 threads x 8 connections, rounds alternated), with the CPU of the window split by
# bench/cpu_window.py into the server's processes, PostgreSQL's and the whole host's, per ticket.
# Throughput on 2 cores is what this CPU allows, so these say what a 2x ratio would take.
#
# Usage (from the project root, .venv built; only meaningful on an otherwise idle host):
#   bench/side_by_side_cpu.sh [PEERS_DIR] [ROUNDS]
# PEERS_DIR: the peers' folder (helpdesk/, post.lua, session_login.py; default $PEERS_DIR, else
# ../shared/peers). Environment: DURATION (15), REUSE_DB=1 (keep ours_cpu as it is).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=$(cd "${1:-${PEERS_DIR:-$ROOT/../shared/peers}}" && pwd)
ROUNDS=${2:-2}
DURATION=${DURATION:-15}
PORT=8796
SUBJECT='"Card charged twice"'  # the side-by-side's ticket, as JSON strings
MESSAGE='"I was charged twice for my order, please refund one payment"'
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; PIDS=(); }
trap cleanup EXIT INT TERM

cd "$ROOT"
source bench/desk_db.sh
"$PEERS/helpdesk/setup.sh" peer_cpu >/dev/null
desk_db_prepare ours_cpu

measure() { # measure WHO URL : wrk's JSON line for the window, with the CPU split per request
  local before line requests
  before=$(python3 bench/cpu_window.py start "${PIDS[0]}")
  line=$(wrk -t2 -c8 -d${DURATION}s -s "$PEERS/post.lua" "$2" | grep JSON | sed 's/^JSON //')
  requests=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['requests'])" "$line")
  python3 -c "import json,sys; print(sys.argv[1], json.dumps({**json.loads(sys.argv[2]), **json.loads(sys.argv[3])}))" \
    "$1" "$line" "$(python3 bench/cpu_window.py end "${PIDS[0]}" "$before" "$requests")"
}

ours() {
  ( export DEBUG=false SECRET_KEY=bench-only-$(date +%s)-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
      ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false LOGIN_THROTTLE_RATE=1000/min CUSTOMER_TICKET_RATE= \
      EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
    exec setsid .venv/bin/gunicorn supportdesk.wsgi -c /dev/null -w 2 -b 127.0.0.1:$PORT \
      --log-level warning >/tmp/cpu-sbs-ours.log 2>&1 ) &
  PIDS=($!)
  for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:$PORT/api/schema/ && break; sleep 1; done
  local tok
  tok=$(curl -s -X POST -H "Content-Type: application/json" \
    -d '{"email":"bench@example.com","password":"Bars-pass-123"}' \
    http://127.0.0.1:$PORT/api/auth/login | python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])")
  WRK_AUTH="Bearer $tok" WRK_BODY="{\"subject\": $SUBJECT, \"message\": $MESSAGE}" \
    measure ours http://127.0.0.1:$PORT/api/tickets
  cleanup
  sleep 2
}

peer() {
  ( cd "$PEERS/helpdesk" && export PEER_PG=peer_cpu &&
    exec setsid /tmp/peer-venv/bin/gunicorn peerproj.wsgi -w 2 -b 127.0.0.1:$PORT \
      --log-level warning >/tmp/cpu-sbs-peer.log 2>&1 ) &
  PIDS=($!)
  for _ in $(seq 1 30); do curl -s -o /dev/null http://127.0.0.1:$PORT/ && break; sleep 1; done
  local qid
  qid=$(cd "$PEERS/helpdesk" && PEER_PG=peer_cpu /tmp/peer-venv/bin/python manage.py shell -c \
    "from helpdesk.models import Queue; print(Queue.objects.get(slug='support').id)" 2>/dev/null | tail -1)
  IFS=$'\t' read -r WRK_COOKIE WRK_CSRF < <(python3 "$PEERS/session_login.py" \
    http://127.0.0.1:$PORT/admin/login/ staff Bars-pass-123)
  WRK_COOKIE=$WRK_COOKIE WRK_CSRF=$WRK_CSRF \
    WRK_BODY="{\"queue\": $qid, \"title\": $SUBJECT, \"description\": $MESSAGE, \"submitter_email\": \"c@example.com\", \"priority\": 3}" \
    measure peer http://127.0.0.1:$PORT/api/tickets/
  cleanup
  sleep 2
}

OUT=$(mktemp /tmp/cpu-sbs.XXXXXX)
for _ in $(seq 1 "$ROUNDS"); do peer | tee -a "$OUT"; ours | tee -a "$OUT"; done
python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    who, _, data = line.partition(" ")
    rows.setdefault(who, []).append(json.loads(data))
keys = ["rps", "server_cpu_ms_per_request", "postgres_cpu_ms_per_request", "host_cpu_ms_per_request"]
for who, runs in rows.items():
    print(who, {key: statistics.median(r[key] for r in runs) for key in keys})
ratio = lambda key: round(statistics.median(r[key] for r in rows["ours"]) / statistics.median(r[key] for r in rows["peer"]), 2)
print("ours/peer (median): rps", ratio("rps"), "host CPU per ticket", ratio("host_cpu_ms_per_request"))
PY
rm -f "$OUT"
