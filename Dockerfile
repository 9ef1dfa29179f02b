# tweetnow's images: one recipe, a target per service. Each target is its own
# image holding only that service's packages. From the repository root (the
# build context), SERVICE naming the same service as the target:
#   docker build --target tweeter --build-arg SERVICE=tweeter -t tweetnow/tweeter .
# (`docker compose build` does this for every service.)
# PYTHON_IMAGE is any image with Python 3.11 (python3 -m venv) on Debian 12;
# the requirements are pinned for CPython 3.11 on x86_64/glibc.
ARG PYTHON_IMAGE=python:3.11-slim

# --- build: third-party wheels by hash, then our packages, into one venv -----
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# strip, for the compiled modules below; in this stage only.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends binutils \
 && rm -rf /var/lib/apt/lists/*

# The venv, without its own setuptools (a service that needs it at run time
# pins it), and the build backend, by hash, beside the venv rather than in it.
COPY requirements/build-backend.txt /tmp/build-backend.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip uninstall --yes setuptools \
 && /opt/venv/bin/pip install --require-hashes --target /opt/build-backend \
      -r /tmp/build-backend.txt

# The service's dependencies: this layer is reused until its pins change. Not
# compiled here: the images run with -OO (see the runtime stage), whose bytecode
# is compiled once everything is installed.
ARG SERVICE
COPY requirements/${SERVICE}.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-compile --require-hashes -r /tmp/requirements.txt

# The wheels' compiled modules carry their symbol tables: about 9 MB of the web
# image (cryptography, pillow, falcon, hiredis). Strip them, then load each one
# so that a module strip has damaged fails the build, not a container. The
# libraries the wheels bundle (*.libs/) stay as they come: their headers were
# rewritten when the wheel was built, and strip makes those files larger.
RUN find /opt/venv/lib -name '*.so' ! -path '*.libs/*' -exec strip --strip-unneeded {} + \
 && /opt/venv/bin/python -c 'import ctypes, pathlib; \
[ctypes.CDLL(str(so)) for so in pathlib.Path("/opt/venv/lib").rglob("*.so") if not so.parent.name.endswith(".libs")]'

# Then our packages, built with the pinned backend and installed without
# dependencies (everything they need is pinned above): the service's own, and
# shared when the service's pyproject depends on it. pip leaves with the build.
# Then the venv's bytecode, for -OO only: the only level the images run at.
COPY shared /src/shared
COPY services/${SERVICE} /src/services/${SERVICE}
RUN packages=/src/services/${SERVICE} \
 && if grep -q '"tweetnow-shared"' "$packages/pyproject.toml"; then packages="/src/shared $packages"; fi \
 && PYTHONPATH=/opt/build-backend /opt/venv/bin/pip install --no-compile --no-build-isolation --no-deps $packages \
 && /opt/venv/bin/pip uninstall --yes pip \
 && /opt/venv/bin/python -m compileall -q -o 2 /opt/venv/lib

# --- runtime: the venv, a non-root user, nothing else ------------------------
FROM ${PYTHON_IMAGE} AS runtime

# A home of its own: gunicorn puts its control socket in ~/.gunicorn.
RUN groupadd --system --gid 10001 tweetnow \
 && useradd --system --uid 10001 --gid tweetnow --create-home \
      --home-dir /home/tweetnow --shell /usr/sbin/nologin tweetnow

# The base image's standard library comes compiled for the default level only, and
# under -OO (below) a process would compile each module it imports at every start,
# in memory. Compile it for -OO too, but for the parts no service imports: 8.75 MB
# where the whole library would be 12. One layer, the same in every image.
RUN python3 -m compileall -q -o 2 \
      -x '/(test|tests|idlelib|tkinter|turtledemo|lib2to3|distutils|pydoc_data|ensurepip|unittest|venv)/' \
      "$(python3 -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')"

COPY --from=build /opt/venv /opt/venv

# MALLOC_ARENA_MAX: glibc gives each thread that allocates an arena of its own, up
# to eight per CPU; the services' threads take turns on the GIL and mostly wait on
# the network, and two arenas serve them with less memory (about 1.4 MiB less in
# each gunicorn worker).
# PYTHONOPTIMIZE=2 (-OO): no docstrings in memory, and no assert statements. Every
# process holds the docstrings of all it imports, read by nothing at run time:
# about 3 MiB of each gunicorn worker. The code asserts only what the type checker
# is told (never to check input), and what the API document says is assigned, not
# a docstring (a unit test holds the document the same under -OO); the compose,
# Swarm and fault suites run these images.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONOPTIMIZE=2 \
    MALLOC_ARENA_MAX=2

WORKDIR /app
USER 10001:10001

# --- the services ------------------------------------------------------------

# JSON API, pages and sign-in with X, under gunicorn. Also runs tweetnow-migrate.
FROM runtime AS web
ENV LOG_FORMAT=json \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8000
EXPOSE 8000
# Liveness only (the process answers). Readiness, /readyz, also needs Redis
# and the database: an orchestrator must not kill web while Redis is away,
# since web keeps accepting work then (the outbox sends it later).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8000'), timeout=2)"]
CMD ["tweetnow-web"]

# The workers: dramatiq is PID 1, and SIGTERM (docker stop) lets running jobs
# finish and requeues the rest; give them a stop grace period (compose does).

# Healthy only while Dramatiq heartbeats for every worker process of the
# container (tweetnow-worker-health reads Dramatiq's own heartbeat in Redis).

# Posts to X from the tweets queue. Also runs tweetnow-scheduler (compose gives
# the scheduler a health check of its own).
FROM runtime AS tweeter
ENV LOG_FORMAT=json
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["tweetnow-worker-health"]
CMD ["tweetnow-tweeter"]

# Sends mail from the mail queue over SMTP.
FROM runtime AS mailer
ENV LOG_FORMAT=json
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["tweetnow-worker-health"]
CMD ["tweetnow-mailer"]

# A local stand-in for the X API (development and tests only). One gunicorn
# process: the sandbox keeps its state in memory. Never scale it.
FROM runtime AS x-sandbox
ENV X_SANDBOX_HOST=0.0.0.0 \
    X_SANDBOX_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_sandbox/health' % os.environ.get('X_SANDBOX_PORT', '8081'), timeout=2)"]
CMD ["x-sandbox"]
