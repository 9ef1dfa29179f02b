"""Issue 15's targets, each a ratio or a bound read from one `make bench` run, met or not."""

from __future__ import annotations

from dataclasses import dataclass

from bench.web_load import ON_POSTGRES, STEADY_RATE, STEADY_ROW


@dataclass(frozen=True)
class Target:
    name: str
    #: A few words for the chart.
    label: str
    value: float
    goal: float
    #: ">=" or "<": how ``value`` is held against ``goal``.
    rule: str
    unit: str = "x"

    @property
    def met(self) -> bool:
        return self.value >= self.goal if self.rule == ">=" else self.value < self.goal

    def row(self) -> dict[str, object]:
        return {
            "target": self.name,
            "label": self.label,
            "value": self.value,
            "goal": f"{self.rule} {self.goal}{'' if self.unit == 'x' else ' ' + self.unit}",
            "met": self.met,
        }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else 0.0


def evaluate(r: dict) -> list[Target]:
    http, jobs, tput, mem = r["http"], r["jobs"], r["throughput"], r["memory_mb"]
    per_process = mem["largest_process"]
    return [
        Target(
            "GET /healthz / bare Falcon GET, req/s",
            "healthz / bare GET",
            _ratio(http["GET /healthz"]["rps"], http["bare Falcon GET"]["rps"]),
            0.70,
            ">=",
        ),
        Target(
            "POST /api/tweets / bare Falcon POST, req/s",
            "POST tweets / bare POST",
            _ratio(http["POST /api/tweets"]["rps"], http["bare Falcon POST"]["rps"]),
            0.25,
            ">=",
        ),
        Target(
            f"POST /api/tweets p99 at a steady {STEADY_RATE} req/s",
            "POST p99 at 100/s, ms",
            http[STEADY_ROW]["p99_ms"],
            10,
            "<",
            "ms",
        ),
        *_postgres_targets(http),
        *job_targets(jobs),
        Target(
            "3 tweeters / 1 tweeter at 300 ms X latency",
            "3 / 1 tweeters at 300 ms",
            tput["sandbox_300ms"]["scaling"],
            2.8,
            ">=",
        ),
        _worker_process_target(r, per_process),
        _gunicorn_worker_target(r),
        *_image_targets(r.get("images")),
    ]


def _worker_process_target(r: dict, per_process: dict[str, float]) -> Target:
    """The largest worker process at rest: the images' when the run measured them
    (bench/image_workers.py), else the development environment's tweeter and mailer."""
    images = r.get("worker_images")
    if images:
        name = "largest worker process at rest, images"
        value = max(
            mb for processes in images["processes_mb"].values() for mb in processes.values()
        )
    else:
        name = "largest worker process at rest, development environment"
        value = max(per_process["tweeter"], per_process["mailer"])
    return Target(name, "worker process, MiB", value, 80, "<", "MiB")


def _gunicorn_worker_target(r: dict) -> Target:
    """The largest gunicorn worker at rest: the web image's when the run measured it
    (bench/image_web.py; after API requests, then after sign-ins and uploads; on SQLite,
    and on PostgreSQL when the run read it there too), else the development web's,
    which holds its extra packages."""
    image = r.get("web_image_workers")
    if image:
        runs = [
            image,
            *([r["web_image_workers_postgres"]] if r.get("web_image_workers_postgres") else []),
        ]
        databases = "SQLite and PostgreSQL" if len(runs) > 1 else "SQLite"
        name = f"largest gunicorn worker at rest, web image ({databases})"
        readings = [
            w
            for run in runs
            for w in (*run["workers_mb"].values(), *run["after_sign_ins_mb"].values())
        ]
        value = max(w["rss"] for w in readings)
    else:
        name = "largest gunicorn worker at rest, development web"
        value = r["memory_mb"]["largest_process"]["web worker"]
    return Target(name, "gunicorn worker, MiB", value, 60, "<", "MiB")


def _image_targets(found: dict | None) -> list[Target]:
    """The largest service image over its base, when the run could build the images."""
    if not found or "error" in found:
        return []
    service, largest = max(
        ((name, v["added_mb"]) for name, v in found["services"].items()), key=lambda x: x[1]
    )
    return [
        Target(
            f"largest service image over its base ({service})",
            "image over its base, MB",
            largest,
            80,
            "<",
            "MB",
        )
    ]


def _postgres_targets(http: dict) -> list[Target]:
    """The accept targets again for the web on PostgreSQL, when the run has those rows."""
    post, bare = f"POST /api/tweets{ON_POSTGRES}", f"bare Falcon POST{ON_POSTGRES}"
    if post not in http:
        return []
    return [
        Target(
            f"POST /api/tweets / bare Falcon POST, req/s{ON_POSTGRES}",
            "POST / bare POST, PostgreSQL",
            _ratio(http[post]["rps"], http[bare]["rps"]),
            0.25,
            ">=",
        ),
        Target(
            f"POST /api/tweets p99 at a steady {STEADY_RATE} req/s{ON_POSTGRES}",
            "POST p99 at 100/s, PostgreSQL, ms",
            http[f"{STEADY_ROW}{ON_POSTGRES}"]["p99_ms"],
            10,
            "<",
            "ms",
        ),
    ]


def job_targets(jobs: dict) -> list[Target]:
    """The no-op job rows' targets (``python -m bench.run jobs`` prints them alone)."""
    return [
        Target(
            "no-op jobs/s, tweetnow / bare Dramatiq",
            "jobs / bare Dramatiq",
            _ratio(jobs["tweetnow"]["run_per_s"], jobs["dramatiq"]["run_per_s"]),
            0.90,
            ">=",
        ),
        Target(
            "no-op jobs/s, tweetnow / Celery",
            "jobs / Celery",
            _ratio(jobs["tweetnow"]["run_per_s"], jobs["celery"]["run_per_s"]),
            2,
            ">=",
        ),
        Target(
            "no-op jobs/s, tweetnow / RQ",
            "jobs / RQ",
            _ratio(jobs["tweetnow"]["run_per_s"], jobs["rq"]["run_per_s"]),
            5,
            ">=",
        ),
    ]
