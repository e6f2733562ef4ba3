"""Request facts (id, client address) that the audit log records, set once per request."""

from __future__ import annotations

import contextvars

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("chizai_request_id", default="")
client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("chizai_client_ip", default="")
