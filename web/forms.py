"""The coordinator's forms. They only collect what a changes.csv row or a requests.csv row holds;
the planner's loader checks the values (one judge of validity)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from planner.replan.changes import CANCELLED_BY


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class TablesField(forms.FileField):
    """Several files in one field (the week's tables)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    tables = TablesField(
        label=_("Tables (requests, vans, coaches, roster as CSV or Excel; scenario.toml)"),
        widget=MultipleFileInput(attrs={"accept": ".csv,.xlsx,.toml"}),
        required=False,
    )


class NewWeekForm(UploadForm):
    week = forms.CharField(
        label=_("ISO week (e.g. 2026-W50); empty: as in scenario.toml"), required=False, max_length=8
    )


class MoveForm(forms.Form):
    request = forms.CharField(widget=forms.HiddenInput)
    van = forms.ChoiceField(label=_("van"))
    start = forms.DateTimeField(
        label=_("new start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip

    def __init__(self, *args: Any, vans: list[tuple[str, str]] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["van"]).choices = list(vans)


class CancelForm(forms.Form):
    request = forms.CharField(widget=forms.HiddenInput)
    by = forms.ChoiceField(
        label=_("cancelled by"),
        choices=[(b, b) for b in CANCELLED_BY],
    )


class AbsentForm(forms.Form):
    coach = forms.ChoiceField(label=_("coach"))
    dates = forms.CharField(label=_("dates (YYYY-MM-DD; several with ;)"), required=False)
    since = forms.CharField(label=_("from (YYYY-MM-DD HH:MM)"), required=False)
    until = forms.CharField(label=_("until (YYYY-MM-DD HH:MM)"), required=False)

    def __init__(self, *args: Any, coaches: list[tuple[str, str]] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["coach"]).choices = list(coaches)


class VanOffForm(forms.Form):
    van = forms.ChoiceField(label=_("van"))
    dates = forms.CharField(label=_("dates (YYYY-MM-DD; several with ;)"))

    def __init__(self, *args: Any, vans: list[tuple[str, str]] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["van"]).choices = list(vans)


class UrgentForm(forms.Form):
    """A new request as a requests.csv row (docs/input.md); priority 1 by default."""

    id = forms.CharField(label=_("request id"), max_length=40)
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[(k, k) for k in ("home_visit", "walk_and_talk", "accompany", "van_stop")],
    )
    client = forms.CharField(label=_("client reference (pseudonym)"), max_length=40)
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    lat = forms.CharField(label=_("latitude"), required=False, max_length=20)
    lon = forms.CharField(label=_("longitude"), required=False, max_length=20)
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    duration_min = forms.IntegerField(label=_("duration (min)"), min_value=5, max_value=600, initial=60)
    earliest_date = forms.CharField(label=_("earliest date"), required=False, max_length=10)
    latest_date = forms.CharField(label=_("latest date"), required=False, max_length=10)
    availability = forms.CharField(label=_("availability (e.g. Mo-Fr 08:00-16:00)"), required=False)
    fixed_start = forms.CharField(label=_("fixed start (YYYY-MM-DD HH:MM)"), required=False)
    staff = forms.IntegerField(label=_("staff"), min_value=1, max_value=2, initial=1)
    priority = forms.IntegerField(label=_("priority (1 = most urgent)"), min_value=1, max_value=5, initial=1)
    notice_sent = forms.CharField(label=_("notice sent (home visit, YYYY-MM-DD)"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=300)

    def row(self) -> dict[str, str]:
        """The requests.csv cells."""
        return {k: "" if v is None else str(v).strip() for k, v in self.cleaned_data.items()}


class SpecForm(forms.Form):
    spec = forms.FileField(
        label=_("Simulation spec (.toml, docs/simulate.md)"),
        widget=forms.FileInput(attrs={"accept": ".toml"}),
    )
