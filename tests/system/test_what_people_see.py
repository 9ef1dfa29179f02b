"""What a person is shown, and what the logs keep, against the real processes: a job's
status carries no worker host or pid (the admin dashboard still shows it), and no
log line holds a whole e-mail address."""

from __future__ import annotations

import uuid

import redis

from tests.support.local_stack import LocalStack
from tests.support.processes import wait_until
from tests.support.stack import Stack
from tweetnow.shared.jobs import JobStatusStore

ADMIN = "opsadmin"


def test_a_persons_job_status_names_no_worker_host_or_pid(stack: Stack, local: LocalStack):
    person = stack.sign_in()
    r = person.post_tweet(f"who ran me {uuid.uuid4().hex[:8]}")
    assert r.status_code == 202, r.text
    tweet_id, job_id = r.json()["tweet"]["id"], r.json()["job"]["id"]
    job = person.wait_job(job_id)
    assert job["status"] == "succeeded"

    store = JobStatusStore(redis.Redis.from_url(local.env["REDIS_URL"]), ttl_s=60)
    record = store.get(job_id)
    assert record is not None and record.worker  # host:pid, kept for operators
    pid = record.worker.rsplit(":", 1)[1]

    shown = person.api().get(person.url(f"/api/jobs/{job_id}"), timeout=10)
    assert "worker" not in shown.json()
    assert record.worker not in shown.text and f":{pid}" not in shown.text
    # The pages poll the same JSON; the page itself holds only the job's id.
    page = person.session.get(person.url("/tweets"), timeout=10)
    assert page.status_code == 200 and job_id in page.text
    assert record.worker not in page.text

    admin = stack.sign_in(ADMIN)
    dashboard = admin.session.get(admin.url(f"/admin/tweets/{tweet_id}"), timeout=10)
    assert dashboard.status_code == 200
    assert record.worker in dashboard.text


def test_log_lines_mask_email_addresses(stack: Stack, local: LocalStack):
    assert local.smtp is not None
    person = stack.sign_in()
    local_part = f"refused-{uuid.uuid4().hex[:10]}"
    refused = f"{local_part}@example.com"
    local.smtp.refuse(refused, f"550 5.1.1 <{refused}> No such mailbox here")
    try:
        r = person.api().post(
            person.url("/api/thoughts"), json={"email": refused, "thought": "hi"}, timeout=10
        )
        assert r.status_code == 202, r.text
        assert person.wait_job(r.json()["job"]["id"])["status"] == "failed"
    finally:
        local.smtp.reset()
    masked = f"{local_part[0]}***@example.com"

    def mailer_log() -> str:
        return "".join(p.log_text() for p in local.mailers)

    # The failure is logged (its reason and the job's error name the address): masked.
    wait_until(lambda: masked in mailer_log(), timeout=10, what="the masked address in a log")
    for proc in [local.web, *local.mailers]:
        assert local_part not in proc.log_text(), f"{proc.name} logged the address"
