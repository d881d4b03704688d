"""What the web app keeps: who may do what, the weeks and their plan versions, background jobs,
calendar feed tokens and the audit log. The tables and plans themselves stay files in the data
folder, in the formats `vanplan plan` reads and writes."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The four kinds of user (issue 15, "Who can do what")."""

    COORDINATOR = "coordinator", _("Coordinator")
    COACH = "coach", _("Coach")
    MANAGEMENT = "management", _("Management")
    ADMIN = "admin", _("Administrator")


class Profile(models.Model):
    """A user's role and, for a coach, the id in coaches.csv whose stops they see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    coach_id = models.CharField(_("coach id (coaches.csv)"), max_length=60, blank=True)

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"


class Week(models.Model):
    """One planning week: its scenario folder (tables as uploaded or edited) and what the loader said."""

    title = models.CharField(_("title"), max_length=200)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    problems = models.JSONField(default=list)  # [{file, row, column, message}] of the last check

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    @property
    def folder(self) -> Path:
        """The scenario folder of the week (docs/input.md)."""
        return Path(settings.DATA_DIR) / "weeks" / str(self.pk)

    def latest(self) -> PlanVersion | None:
        """The newest plan version."""
        return self.versions.order_by("-number").first()

    def published(self) -> PlanVersion | None:
        """The newest published version: what coaches see."""
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class PlanVersion(models.Model):
    """One plan of a week: plan.json and its outputs in a folder, and what changed against its parent."""

    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(default=dict)  # counts for lists and KPIs, no client references
    changes = models.JSONField(default=list)  # rows of changes.csv against the parent
    refused = models.JSONField(default=list)  # coordinator moves that could not be made: messages
    violations = models.JSONField(default=list)  # broken rules: such a version is never published

    class Meta:
        ordering = ["week", "-number"]
        constraints = [models.UniqueConstraint(fields=["week", "number"], name="one_number_per_week")]

    def __str__(self) -> str:
        return f"{self.week} v{self.number}"

    @property
    def folder(self) -> Path:
        """Where `vanplan plan` would have written this version's outputs."""
        return Path(settings.DATA_DIR) / "versions" / str(self.pk)


class Simulation(models.Model):
    """A simulation spec management ran (docs/simulate.md) and the folder of its report."""

    title = models.CharField(_("title"), max_length=200)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    @property
    def folder(self) -> Path:
        """The spec file as uploaded, and kpis.csv and report.html once it ran."""
        return Path(settings.DATA_DIR) / "simulations" / str(self.pk)


class Job(models.Model):
    """Work the background worker does (plan, replan, simulate), with the progress the page shows."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan the week")
        REPLAN = "replan", _("Replan")
        SIMULATE = "simulate", _("Simulate")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    week = models.ForeignKey(Week, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    simulation = models.ForeignKey(
        Simulation, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    base = models.ForeignKey(PlanVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    changes = models.JSONField(default=list)  # replan: rows of changes.csv
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    progress = models.FloatField(default=0.0)  # 0..1
    message = models.TextField(blank=True)  # failure: what went wrong, for the coordinator
    problems = models.JSONField(default=list)  # failure on input: [{file, row, column, message}]
    result = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]


class FeedToken(models.Model):
    """A secret calendar-feed URL of one coach; only its hash is kept, the coordinator can revoke it."""

    coach_id = models.CharField(max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hashed(token: str) -> str:
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, coach_id: str, by: Any) -> tuple[FeedToken, str]:
        """A new token for `coach_id`; the secret is returned once and never stored."""
        token = secrets.token_urlsafe(32)
        return cls.objects.create(coach_id=coach_id, digest=cls.hashed(token), created_by=by), token


class AuditEntry(models.Model):
    """Who viewed or exported which client data and when (§ 67 ff. SGB X)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150)  # kept when the user is deleted
    action = models.CharField(max_length=20)  # view, export, feed
    what = models.CharField(max_length=300)  # the page or file
    clients = models.TextField(blank=True)  # pseudonymous client references shown or exported

    class Meta:
        ordering = ["-at"]
