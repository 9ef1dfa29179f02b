"""Sign in with X: request token, consent, access token, with real signature checks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from falcon import testing
from oauthlib.oauth1 import Client

from tests.support.sandbox_client import CALLBACK, Account, FakeClock, Sandbox
from x_sandbox.app import create_app
from x_sandbox.settings import SandboxSettings
from x_sandbox.x_users import user_id_for

OAUTH_401 = {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
API_401 = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def test_the_whole_dance_gives_tokens_that_work_on_the_api(sandbox: Sandbox):
    token, secret = sandbox.request_token()
    page = sandbox.client.simulate_get("/oauth/authenticate", params={"oauth_token": token})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert f'name="oauth_token" value="{token}"' in page.text

    verifier = sandbox.approve(token, "Alice_1")
    r = sandbox.access_token(token, secret, verifier)
    assert r.status_code == 200
    fields = {k: v[0] for k, v in parse_qs(r.text).items()}
    assert set(fields) == {"oauth_token", "oauth_token_secret", "user_id", "screen_name"}
    assert fields["screen_name"] == "Alice_1"
    assert fields["user_id"] == user_id_for("alice_1")
    assert fields["oauth_token"].split("-")[0] == fields["user_id"]  # what tweepy reads

    account = Account(
        "Alice_1", fields["user_id"], fields["oauth_token"], fields["oauth_token_secret"]
    )
    me = sandbox.signed("GET", "/2/users/me", account=account)
    assert me.status_code == 200
    assert me.json == {"data": {"id": fields["user_id"], "name": "Alice_1", "username": "Alice_1"}}


def test_a_recycled_handle_signs_in_as_the_account_that_holds_it_now(sandbox: Sandbox):
    token, secret = sandbox.request_token()
    verifier = sandbox.approve(token, "Alice_1", user_id="42")
    fields = {
        k: v[0] for k, v in parse_qs(sandbox.access_token(token, secret, verifier).text).items()
    }
    assert (fields["user_id"], fields["screen_name"]) == ("42", "Alice_1")
    assert fields["oauth_token"].split("-")[0] == "42"
    account = Account("Alice_1", "42", fields["oauth_token"], fields["oauth_token_secret"])
    me = sandbox.signed("GET", "/2/users/me", account=account)
    assert me.json == {"data": {"id": "42", "name": "Alice_1", "username": "Alice_1"}}


def test_a_user_id_that_is_not_a_number_is_asked_again(sandbox: Sandbox):
    token, _ = sandbox.request_token()
    for bad in ("abc", "0", "-5", "99999999999999999999"):
        r = sandbox.client.simulate_get(
            "/oauth/authenticate", params={"oauth_token": token, "username": "ann", "user_id": bad}
        )
        assert r.status_code == 400, bad
        assert "at most 19 digits" in r.text
    assert sandbox.approve(token, "ann", user_id="7")  # the token is still usable


def test_authorize_path_and_the_form_post_approve_too(sandbox: Sandbox):
    token, secret = sandbox.request_token()
    page = sandbox.client.simulate_get("/oauth/authorize", params={"oauth_token": token})
    assert page.status_code == 200
    r = sandbox.client.simulate_post(
        "/oauth/authorize",
        body=f"oauth_token={token}&username=carol&action=approve",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 303
    location = urlsplit(r.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    verifier = parse_qs(location.query)["oauth_verifier"][0]
    assert sandbox.access_token(token, secret, verifier).status_code == 200


def test_cancel_sends_the_person_back_with_denied(sandbox: Sandbox):
    token, _ = sandbox.request_token("http://127.0.0.1:8000/cb?next=%2Fhome")
    r = sandbox.client.simulate_post(
        "/oauth/authenticate",
        body=f"oauth_token={token}&username=&action=cancel",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"http://127.0.0.1:8000/cb?next=%2Fhome&denied={token}"
    # A denied request token is gone.
    again = sandbox.client.simulate_get("/oauth/authenticate", params={"oauth_token": token})
    assert again.status_code == 400


def test_out_of_band_callback_shows_the_pin(sandbox: Sandbox):
    token, secret = sandbox.request_token("oob")
    r = sandbox.client.simulate_get(
        "/oauth/authenticate", params={"oauth_token": token, "username": "dora"}
    )
    assert r.status_code == 200
    pin = r.text.split("<strong>")[1].split("</strong>")[0]
    assert sandbox.access_token(token, secret, pin).status_code == 200


def test_an_invalid_user_name_is_asked_again(sandbox: Sandbox):
    token, _ = sandbox.request_token()
    r = sandbox.client.simulate_get(
        "/oauth/authenticate", params={"oauth_token": token, "username": "not a name!"}
    )
    assert r.status_code == 400
    assert "1 to 15 letters" in r.text
    assert sandbox.approve(token, "fine_name")  # the token is still usable


def test_request_token_needs_the_right_consumer_and_signature(sandbox: Sandbox):
    wrong_secret = sandbox.signed(
        "POST", "/oauth/request_token", callback=CALLBACK, consumer_secret="guess"
    )
    assert (wrong_secret.status_code, wrong_secret.json) == (401, OAUTH_401)
    wrong_key = sandbox.signed("POST", "/oauth/request_token", callback=CALLBACK, consumer_key="k")
    assert (wrong_key.status_code, wrong_key.json) == (401, OAUTH_401)
    unsigned = sandbox.client.simulate_post("/oauth/request_token")
    assert unsigned.status_code == 401


def test_request_token_needs_a_callback(sandbox: Sandbox):
    r = sandbox.signed("POST", "/oauth/request_token")
    assert r.status_code == 400
    r = sandbox.signed("POST", "/oauth/request_token", callback="javascript:alert(1)")
    assert r.status_code == 400


def test_a_form_body_counts_in_the_signature(sandbox: Sandbox):
    signed = sandbox.signed(
        "POST", "/oauth/request_token", callback=CALLBACK, form={"x_auth_access_type": "write"}
    )
    assert signed.status_code == 200
    # The same kind of request with the body changed after signing.
    oauth = Client(
        sandbox.settings.consumer_key,
        client_secret=sandbox.settings.consumer_secret,
        callback_uri=CALLBACK,
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    _, headers, _ = oauth.sign(
        "http://falconframework.org/oauth/request_token",
        "POST",
        "x_auth_access_type=write",
        headers,
    )
    tampered = sandbox.client.simulate_post(
        "/oauth/request_token", headers=headers, body="x_auth_access_type=read"
    )
    assert tampered.status_code == 401


def test_a_wrong_verifier_is_refused(sandbox: Sandbox):
    token, secret = sandbox.request_token()
    verifier = sandbox.approve(token, "erin")
    r = sandbox.access_token(token, secret, "x" * len(verifier))
    assert r.status_code == 401
    assert "Invalid oauth_verifier" in r.text
    assert sandbox.access_token(token, secret, verifier).status_code == 200


def test_access_token_exchange_is_signed_with_the_request_token_secret(sandbox: Sandbox):
    token, _ = sandbox.request_token()
    verifier = sandbox.approve(token, "frank")
    r = sandbox.access_token(token, "not-the-secret", verifier)
    assert (r.status_code, r.json) == (401, OAUTH_401)


def test_a_request_token_is_exchanged_once(sandbox: Sandbox):
    token, secret = sandbox.request_token()
    verifier = sandbox.approve(token, "gina")
    assert sandbox.access_token(token, secret, verifier).status_code == 200
    assert sandbox.access_token(token, secret, verifier).status_code == 401
    used = sandbox.client.simulate_get(
        "/oauth/authenticate", params={"oauth_token": token, "username": "gina"}
    )
    assert used.status_code == 400


def test_a_request_token_is_approved_once(sandbox: Sandbox):
    token, _ = sandbox.request_token()
    sandbox.approve(token, "hank")
    r = sandbox.client.simulate_get(
        "/oauth/authenticate", params={"oauth_token": token, "username": "mallory"}
    )
    assert r.status_code == 400


def test_unknown_and_expired_request_tokens_get_an_error_page(sandbox: Sandbox, clock: FakeClock):
    r = sandbox.client.simulate_get("/oauth/authenticate", params={"oauth_token": "nope"})
    assert r.status_code == 400
    assert "text/html" in r.headers["content-type"]
    token, _ = sandbox.request_token()
    clock.advance(16 * 60)
    r = sandbox.client.simulate_get(
        "/oauth/authenticate", params={"oauth_token": token, "username": "ivy"}
    )
    assert r.status_code == 400


def test_the_api_needs_a_valid_user_signature(sandbox: Sandbox, alice: Account):
    unsigned = sandbox.client.simulate_get("/2/users/me")
    assert (unsigned.status_code, unsigned.json) == (401, API_401)
    assert "x-rate-limit-reset" in unsigned.headers
    wrong_secret = sandbox.signed("GET", "/2/users/me", token=alice.token, secret="guess")
    assert (wrong_secret.status_code, wrong_secret.json) == (401, API_401)
    forged = alice.token[:-1] + ("0" if alice.token[-1] != "0" else "1")
    forged_token = sandbox.signed("GET", "/2/users/me", token=forged, secret=alice.secret)
    assert forged_token.status_code == 401
    app_only = sandbox.signed("GET", "/2/users/me")  # consumer only, no user
    assert app_only.status_code == 401
    other_app = sandbox.signed("GET", "/2/users/me", account=alice, consumer_secret="other")
    assert other_app.status_code == 401


def test_a_signed_request_cannot_be_replayed(sandbox: Sandbox, alice: Account):
    oauth = Client(
        sandbox.settings.consumer_key,
        client_secret=sandbox.settings.consumer_secret,
        resource_owner_key=alice.token,
        resource_owner_secret=alice.secret,
    )
    _, headers, _ = oauth.sign("http://falconframework.org/2/users/me", "GET")
    assert sandbox.client.simulate_get("/2/users/me", headers=headers).status_code == 200
    assert sandbox.client.simulate_get("/2/users/me", headers=headers).status_code == 401


def test_access_tokens_survive_a_restart_but_not_a_new_consumer_secret(
    settings: SandboxSettings, alice: Account
):
    restarted = Sandbox(testing.TestClient(create_app(settings)), settings)
    me = restarted.signed("GET", "/2/users/me", account=alice)
    assert me.status_code == 200
    assert me.json["data"]["username"] == "alice"

    rotated = SandboxSettings(consumer_secret="rotated-secret")
    other = Sandbox(testing.TestClient(create_app(rotated)), rotated)
    assert other.signed("GET", "/2/users/me", account=alice).status_code == 401


def test_the_same_name_in_any_case_is_the_same_account(sandbox: Sandbox):
    lower = sandbox.sign_in("jules")
    upper = sandbox.sign_in("JULES")
    assert lower.user_id == upper.user_id
    assert upper.username == "JULES"
