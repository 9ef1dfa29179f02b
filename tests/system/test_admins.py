"""Who is an admin, against the real web and sandbox: the X user id listed in
ADMIN_X_USER_IDS, never the handle; and a web still configured with the old handle list
refuses to start."""

from __future__ import annotations

import subprocess

from tests.support.admin_paths import ADMIN_ACTIONS, ADMIN_ODDITIES, ADMIN_PAGES
from tests.support.local_stack import ADMIN_X_USER_ID, ADMIN_X_USERNAME, LocalStack
from tests.support.processes import Process, console_script, free_port
from tests.support.stack import Stack

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def test_the_admins_handle_signed_in_under_another_id_gets_404_on_every_admin_page(
    stack: Stack, local: LocalStack
):
    admin = stack.sign_in(ADMIN_X_USERNAME)
    assert admin.session.get(admin.url("/admin"), timeout=10).status_code == 200
    admin_me = admin.session.get(admin.url("/api/me"), timeout=10).json()
    account = admin.session.get(admin.url("/account"), timeout=10).text
    assert f'<code id="x-user-id">{ADMIN_X_USER_ID}</code>' in account

    # X gave the handle to another account (the admin renamed theirs, or deleted it).
    other_id = str(int(ADMIN_X_USER_ID) + 1)
    holder = stack.sign_in(ADMIN_X_USERNAME, user_id=other_id)
    me = holder.session.get(holder.url("/api/me"), timeout=10).json()
    assert me["username"] == ADMIN_X_USERNAME and me["id"] != admin_me["id"]  # another person
    unknown = holder.session.get(holder.url("/no-such-page"), timeout=10)
    assert unknown.status_code == 404
    for path in ADMIN_PAGES + ADMIN_ACTIONS + ADMIN_ODDITIES:
        for method in METHODS:
            r = holder.session.request(
                method, holder.url(path), headers={"X-CSRF-Token": holder.csrf}, timeout=10
            )
            assert r.status_code == 404, (method, path)
            assert "allow" not in r.headers, (method, path)
            if method != "HEAD":
                assert r.text == unknown.text, (method, path)


def test_the_web_refuses_to_start_with_the_old_admin_handles_setting(local: LocalStack):
    env = {**local.env, "WEB_PORT": str(free_port()), "ADMIN_X_USERNAMES": ADMIN_X_USERNAME}
    log_path = local.workdir / "web-old-admins.log"
    web = Process("web-old-admins", [console_script("tweetnow-web")], env, log_path)
    web.start()
    try:
        assert web.popen is not None
        code = web.popen.wait(timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the web started:\n{web.log_text()[-2000:]}") from None
    finally:
        web.stop()
    assert code != 0
    log = web.log_text()
    assert "ADMIN_X_USERNAMES is no longer read" in log
    assert "ADMIN_X_USER_IDS" in log
