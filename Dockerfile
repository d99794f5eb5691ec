# syntax=docker/dockerfile:1
#
# The user-code image: the project installed from its wheel (never editable) into /opt/venv, serving
# the code location with `dagster api grpc` as an unprivileged user. The same image runs the Dagster
# runs: K8sRunLauncher starts each run pod from it.
#
#   docker build -t REGISTRY/mysetlist-pipelines:$(git rev-parse --short HEAD) .
#
# Not built in CI (no Docker engine there); mysetlist_pipelines_tests/test_wheel_install.py builds the
# wheel from the files this build stage copies, installs it into a clean virtualenv and loads it.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# Exactly what the wheel is built from (the wheel-install test reads these COPY lines).
COPY pyproject.toml README.md dagster.yaml ./
COPY sql/ sql/
COPY mysetlist_pipelines/ mysetlist_pipelines/
# Every dependency ships as a manylinux wheel (psycopg, psycopg2, the embedded Postgres), so no
# compiler is needed; the [k8s] extra adds dagster-k8s, the run launcher named in the instance.
RUN python -m pip wheel --no-deps --wheel-dir /dist . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/python -m pip install "$(ls /dist/mysetlist_pipelines-*.whl)[k8s]"

FROM ${PYTHON_IMAGE}
# DAGSTER_HOME: the Helm chart mounts the instance (dagster.yaml) here in run pods.
# MYSETLIST_DATA_DIR: somewhere writable, were anything to fall back to the embedded Postgres.
# DAGSTER_RUN_STATUS_SENSOR_PROCESS_LIMIT: lib/devserver.DAGSTER_PROCESS_ENV (the code server
# evaluates the sensors).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    MYSETLIST_DATA_DIR=/opt/dagster/data \
    DAGSTER_RUN_STATUS_SENSOR_PROCESS_LIMIT=25
RUN groupadd --system --gid 10001 mysetlist \
 && useradd --system --uid 10001 --gid 10001 --home-dir /opt/dagster --shell /usr/sbin/nologin mysetlist \
 && mkdir -p /opt/dagster/dagster_home /opt/dagster/data /opt/dagster/app \
 && chown -R 10001:10001 /opt/dagster
COPY --from=build /opt/venv /opt/venv
# A numeric user, so Kubernetes can verify runAsNonRoot.
USER 10001:10001
WORKDIR /opt/dagster/app
EXPOSE 4000
# CMD, not ENTRYPOINT: the Helm chart replaces it with its own `dagster api grpc ...` args.
CMD ["dagster", "api", "grpc", "--module-name", "mysetlist_pipelines.definitions", "--host", "0.0.0.0", "--port", "4000"]
