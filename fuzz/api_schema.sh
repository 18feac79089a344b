#!/usr/bin/env bash
# Fuzz the HTTP API from its own OpenAPI schema with schemathesis (PyPI), against a real
# `sitroom serve` on loopback, over a copy of DB; the one check is "no server error (5xx)".
#
#   fuzz/api_schema.sh DB [MAX_EXAMPLES]
#   fuzz/api_schema.sh /tmp/load/load.db 200
#
# schemathesis is taken from $ST (default: `st` on PATH); install it in a venv of its own
# (python3 -m venv /tmp/st-venv && /tmp/st-venv/bin/pip install schemathesis), so that its
# pins do not touch the project's. Writes are fuzzed too: the server has a token and the
# requests carry it.
set -euo pipefail
DB=${1:?database path}
EXAMPLES=${2:-200}
PORT=${PORT:-8766}
ST=${ST:-st}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PY=${PYTHON:-$ROOT/.venv/bin/python}
WORK=$(mktemp -d)
"$PY" - "$DB" "$WORK/api.db" <<'PYEOF'
import sqlite3, sys
src = sqlite3.connect(sys.argv[1]); dst = sqlite3.connect(sys.argv[2])
src.backup(dst); dst.close(); src.close()
PYEOF
TOKEN=fuzz-token
SITROOM_TOKEN=$TOKEN "$PY" -c "from sitroom.cli import main; main()" --db "$WORK/api.db" serve \
    --port "$PORT" --rate-limit 0 >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
    sleep 0.2
done
status=0
cd "$WORK"  # schemathesis keeps its state (.schemathesis/) in the current folder
"$ST" run "http://127.0.0.1:$PORT/openapi.json" --checks not_a_server_error --max-examples "$EXAMPLES" \
    --seed 1 --workers 1 -H "Authorization: Bearer $TOKEN" --suppress-health-check all \
    --report junit --report-dir "$WORK/report" || status=$?
echo "server errors logged: $(grep -c 'unexpected error' "$WORK/server.log" || true) (log: $WORK/server.log)"
exit $status
