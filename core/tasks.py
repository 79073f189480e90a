"""What every app's tasks share."""

from __future__ import annotations

import redis
from kombu.exceptions import OperationalError as BrokerUnavailable

# Errors of a broker that cannot be reached: the write stands, and what the task would have done is
# found in the database by a beat task later.
DISPATCH_ERRORS = (BrokerUnavailable, redis.RedisError, OSError)
