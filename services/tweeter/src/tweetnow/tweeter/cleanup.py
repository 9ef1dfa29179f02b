"""Housekeeping: expired sessions and stale sign-in requests.

Job status records and their attempt lists expire by themselves in Redis
(``JOB_STATUS_TTL_S``).
"""

from __future__ import annotations

from datetime import timedelta

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import OAuthRequest, Session

#: A sign-in request older than this is of no use to anyone.
OAUTH_REQUEST_TTL = timedelta(days=1)


def cleanup() -> dict[str, int]:
    now = utcnow()
    sessions = Session.delete().where(Session.expires_at < to_db(now)).execute()
    requests = (
        OAuthRequest.delete()
        .where(OAuthRequest.created_at < to_db(now - OAUTH_REQUEST_TTL))
        .execute()
    )
    return {"sessions": sessions, "oauth_requests": requests}
