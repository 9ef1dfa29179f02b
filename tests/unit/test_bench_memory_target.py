"""The gunicorn worker memory target of ``make bench`` (bench/targets.py): read from the
web image on SQLite and, when the run read it there too, on PostgreSQL; the largest
worker of either counts."""

from __future__ import annotations

from bench.targets import _gunicorn_worker_target


def _reading(*rss: float) -> dict[str, dict[str, float]]:
    return {str(100 + i): {"rss": mb, "pss": mb / 2, "uss": mb / 3} for i, mb in enumerate(rss)}


def _image_run(at_rest: tuple[float, ...], after_sign_ins: tuple[float, ...]) -> dict:
    return {"workers_mb": _reading(*at_rest), "after_sign_ins_mb": _reading(*after_sign_ins)}


def test_a_larger_worker_on_postgresql_is_the_one_held_to_the_target() -> None:
    target = _gunicorn_worker_target(
        {
            "web_image_workers": _image_run((55.5, 56.1), (59.1, 59.4)),
            "web_image_workers_postgres": _image_run((55.8, 56.0), (59.2, 60.3)),
        }
    )
    assert target.value == 60.3
    assert target.name.endswith("(SQLite and PostgreSQL)")
    assert not target.met


def test_without_a_postgresql_reading_sqlite_alone_is_named() -> None:
    target = _gunicorn_worker_target({"web_image_workers": _image_run((55.5,), (59.4, 58.0))})
    assert target.value == 59.4
    assert target.name.endswith("(SQLite)")
    assert target.met
