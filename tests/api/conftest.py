"""Fixtures of the API tests beyond the session's: the webhook receiver and worker, one of
each per module that asks for them (tests/api/webhooks_setup.py)."""

from tests.api.webhooks_setup import receiver, worker  # noqa: F401 - fixtures
