"""The web app of vanplan (issue 15)."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "vanplan"
