"""Webhooks: create one (its secret shown once), list, delete, and read its deliveries."""

from __future__ import annotations

import falcon

from ..domain.webhooks import WebhookService

DEFAULT_DELIVERIES = 50
MAX_DELIVERIES = 100


class Webhooks:
    def __init__(self, webhooks: WebhookService) -> None:
        self.webhooks = webhooks

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        issued = self.webhooks.create(req.context.user, req.context.body)
        resp.status = falcon.HTTP_201
        resp.location = f"/api/webhooks/{issued.webhook.id}"
        resp.media = issued

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.webhooks.all(req.context.user)


class WebhookItem:
    def __init__(self, webhooks: WebhookService) -> None:
        self.webhooks = webhooks

    def on_delete(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        self.webhooks.delete(req.context.user, webhook_id)
        resp.status = falcon.HTTP_204

    def on_get_deliveries(
        self, req: falcon.Request, resp: falcon.Response, webhook_id: int
    ) -> None:
        """``GET /api/webhooks/{id}/deliveries``: the latest, each with its attempts."""
        limit = (
            req.get_param_as_int("limit", min_value=1, max_value=MAX_DELIVERIES)
            or DEFAULT_DELIVERIES
        )
        resp.media = self.webhooks.deliveries(req.context.user, webhook_id, limit=limit)
