"""What a tweeter process sets up once: settings, logs, database, broker.

Imported first by the actor modules and by the periodiq scheduler, so the
broker (with periodiq's middleware) exists before any actor is declared.
"""

from __future__ import annotations

from periodiq import PeriodiqMiddleware

from tweetnow.shared.broker import redis_client, setup_broker
from tweetnow.shared.db import open_database
from tweetnow.shared.log_setup import configure_logging
from tweetnow.shared.settings import get_settings

#: periodiq drops a tick older than this instead of running it late.
PERIODIC_SKIP_DELAY_S = 30

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
database = open_database(settings.database_url)
broker = setup_broker(settings, [PeriodiqMiddleware(skip_delay=PERIODIC_SKIP_DELAY_S)])
redis = redis_client(settings)
