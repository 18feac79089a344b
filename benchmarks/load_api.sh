#!/usr/bin/env bash
# Load test of the HTTP API on loopback with wrk (Debian's package): many concurrent
# connections on GET /api/events with filters, against a real `sitroom serve`.
#
#   benchmarks/load_api.sh DB [SECONDS] [CONNECTIONS] [THREADS]
#   benchmarks/load_api.sh /tmp/load/load.db 60 200 2
#
# The database should hold a few thousand events, for example:
#   python benchmarks/generate.py --docs 8000 --unrelated 0.2 --seed 1 -o /tmp/load/stream.jsonl
#   sitroom --db /tmp/load/load.db ingest -q --workers 2 /tmp/load/stream.jsonl
# The server runs with --rate-limit 0 (every request comes from 127.0.0.1) and is stopped at the end.
set -euo pipefail
DB=${1:?database path}
SECONDS_=${2:-60}
CONNECTIONS=${3:-200}
THREADS=${4:-2}
PORT=${PORT:-8765}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PY=${PYTHON:-$ROOT/.venv/bin/python}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

"$PY" -c "from sitroom.cli import main; main()" --db "$DB" serve --port "$PORT" --rate-limit 0 \
    >/tmp/sitroom-load-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
    sleep 0.2
done
echo "server pid $SERVER; $(curl -fs "http://127.0.0.1:$PORT/api/health")"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_}s" --timeout 30s --latency \
    -s "$HERE/wrk_events.lua" "http://127.0.0.1:$PORT"
