# syntax=docker/dockerfile:1
# One image for the whole Staark Kanner CSA platform; the process is chosen by its arguments:
#   csa serve <service>     HTTP API (uvicorn) of identity | membership | attendance | billing
#   csa migrate <service>   apply that service's Alembic migrations, then exit
#   csa billing close --previous-month, csa membership expire   (CronJobs)
# Build:  docker build -t ghcr.io/staark-kanner/csa:dev .

# The tag for people, the digest for the build: a tag moves when it is rebuilt, a digest
# does not. Refresh both together and check the digest is the tag's multi-platform index
# (docs/DEPLOY.md); tests/deploy/test_dockerfile.py fails on a FROM without a digest.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:86adf8dbadc3d6e82ee5dd2c74bec2e1c2467cdad47886280501df722372d2e1

# ---- builder: the locked dependencies and the project wheel, installed into a virtual
# environment at the same path the runtime uses ----
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY requirements requirements
COPY pyproject.toml ./
COPY shared/src shared/src
COPY services services
COPY src src
COPY scripts/compile_domain.py scripts/compile_domain.py
# The rules engine is compiled with mypyc (requirements/compile.txt, as `make run`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN python -m pip install --require-hashes -r requirements/compile.txt \
 && python scripts/compile_domain.py
# Every dependency from the hashed lock, then the project's wheel (with the compiled engine)
# without dependencies.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes -r requirements/run.txt \
 && python -m pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install --no-deps /wheels/staark_kanner_csa-*.whl \
 && /opt/venv/bin/python -m compileall -q /opt/venv/lib \
 && mkdir -p /opt/venv/share/fonts \
 && cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
       /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf /opt/venv/share/fonts/ \
 && /opt/venv/bin/csa --help >/dev/null \
 && /opt/venv/bin/python -c "import csa_billing, sys; sys.exit(not csa_billing.DOMAIN_COMPILED)"

# ---- runtime: no compilers, no wheels, no sources; non-root ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="staark-kanner-csa" \
      org.opencontainers.image.description="Chèque-service accueil platform services" \
      org.opencontainers.image.source="https://github.com/staark-kanner/csa"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    CSA_HTTP_HOST=0.0.0.0 \
    CSA_HTTP_PORT=8000 \
    CSA_VAR_DIR=/tmp/csa
RUN groupadd --system --gid 10001 csa \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin csa
COPY --from=builder /opt/venv /opt/venv
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000
# Liveness of `csa serve`; meaningless for the one-shot commands (compose disables it there).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CSA_HTTP_PORT', '8000'), timeout=4)"]
ENTRYPOINT ["csa"]
CMD ["--help"]
