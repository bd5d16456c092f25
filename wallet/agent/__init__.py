"""Talking to ACA-Py agents: the admin client, process supervision and webhooks."""
