"""gunicorn settings, driven by the shared settings (WEB_HOST, WEB_PORT, ...).

gunicorn reads this in its master process, before any worker starts: unsafe
settings stop the master here, with one line per problem.
"""

import gc
from typing import Any

from tweetnow.shared.settings import startup_settings

_s = startup_settings()

bind = f"{_s.web_host}:{_s.web_port}"
workers = _s.web_concurrency
threads = _s.web_threads
# gunicorn's threaded worker, taking a new connection only while a thread is free, so
# that connections opened together are shared out among the workers.
worker_class = "tweetnow.web.gunicorn_worker.FreeThreadWorker"
timeout = 30
graceful_timeout = 20
keepalive = 20  # longer than a polling client pauses, shorter than a proxy's idle timeout
accesslog = None  # the app logs one structured line per request itself
errorlog = "-"
forwarded_allow_ips = "*"
# gunicorn's runtime control socket is one per user by default, shared by every
# gunicorn of that user (and needs a writable home): not wanted here.
control_socket_disable = True
# The app is built once in the master and the workers fork from it: its modules'
# pages stay shared (each worker's own memory, PSS, fell from about 64 MiB to 25).
# Nothing connects at start-up: database connections, Redis clients' connections
# and the API-token listener are all made at first use, in the worker. A HUP
# starts new workers from the loaded app (new code needs a restart, as in the images).
preload_app = True


def pre_fork(server: Any, worker: Any) -> None:
    """Put everything the master has built out of the collector's reach before a
    worker forks: a worker's full collection would otherwise write to every object
    it shares with the master, copying those pages into its own memory (a step of
    about 30 MiB a couple of minutes into serving)."""
    gc.freeze()
