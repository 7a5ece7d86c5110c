"""Server-side SVG charts for the supervisor reports: no script, no CDN, nothing the CSP blocks.

A chart is computed here (bars with their coordinates, axis ticks, a legend) and drawn by
``reports/_chart.html``, which also writes the same numbers as a table for screen readers. Labels are the
translated names of kinds and indicators, never raw codes.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from hotline.models import Call
from tickets.models import Category, Feedback, Ticket
from tickets.sla.models import TicketServiceLevel

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 40
MAX_SERIES = 6


@dataclass
class Chart:
    """One bar chart: a category axis (days, weeks, months or hours) and one or more (stacked) series."""

    key: str
    title: str
    unit: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    stacked: bool = True
    percent: bool = False
    bars: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)

    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return not any(v for _name, values in self.series for v in values if v)

    @property
    def rows(self) -> list[dict]:
        """The table behind the chart: one row per category, one cell per series."""
        return [
            {"category": category, "values": [values[index] for _name, values in self.series]}
            for index, category in enumerate(self.categories)
        ]

    def layout(self) -> "Chart":
        count = len(self.categories)
        plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        band = plot_w / max(1, count)
        if self.percent:
            top = 100.0
        elif self.stacked:
            top = max((sum(values[i] or 0 for _n, values in self.series) for i in range(count)), default=0)
        else:
            top = max((v or 0 for _n, values in self.series for v in values), default=0)
        top = _axis_top(top, whole=self._whole())
        bar_w = band * 0.7 / (1 if self.stacked else max(1, len(self.series)))
        for index in range(len(self.categories)):
            base = 0.0
            for number, (name, values) in enumerate(self.series):
                value = values[index] or 0
                height = plot_h * value / top
                if self.stacked:
                    x, y = LEFT + index * band + band * 0.15, TOP + plot_h - height - plot_h * base / top
                    base += value
                else:
                    x, y = LEFT + index * band + band * 0.15 + number * bar_w, TOP + plot_h - height
                self.bars.append(
                    {
                        "x": round(x, 1),
                        "y": round(y, 1),
                        "w": round(max(bar_w - 1, 1), 1),
                        "h": round(height, 1),
                        "series": number % MAX_SERIES,
                        "title": f"{self.categories[index]} · {name}: {_format(values[index])}",
                    }
                )
        for step in range(5):
            value = top * step / 4
            self.ticks.append({"y": round(TOP + plot_h - plot_h * step / 4, 1), "label": _format(value)})
        every = max(1, count // 8)  # at most about eight labels along the axis, so they never overlap
        self.labels = [
            {"x": round(LEFT + index * band + band / 2, 1), "text": category}
            for index, category in enumerate(self.categories)
            if index % every == 0
        ]
        return self

    def _whole(self) -> bool:
        """Whether every value is a whole number (counts): the axis then has no fractional ticks."""
        return all(float(v).is_integer() for _name, values in self.series for v in values if v is not None)

    @property
    def legend(self) -> list[dict]:
        return [{"name": name, "series": number % MAX_SERIES} for number, (name, _v) in enumerate(self.series)]

    @property
    def axis_y(self) -> int:
        return HEIGHT - BOTTOM

    @property
    def label_y(self) -> int:
        return HEIGHT - BOTTOM + 16

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return WIDTH - RIGHT


def _axis_top(top: float, *, whole: bool) -> float:
    """The axis' maximum: four equal steps of a round size (1, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten;
    whole steps for whole numbers) reaching at least ``top`` — ticks 0, 2, 4, 6, 8, not 0, 1.25, 2.5, 3.75, 5."""
    if top <= 0:
        return 4.0 if whole else 1.0
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * magnitude
        if whole and (step < 1 or not float(step).is_integer()):
            continue
        if step >= raw - 1e-9:
            return step * 4
    return 10 * magnitude * 4


def _format(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")


def _days(scope) -> list:
    return [scope.start + timedelta(days=n) for n in range(scope.days)]


def tickets_per_day_by_kind(scope) -> Chart:
    zone = ZoneInfo(scope.zone)
    rows = (
        Ticket.objects.filter(scope.units(), created_at__gte=scope.start_at, created_at__lt=scope.end_at)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "kind")
        .annotate(n=Count("id"))
    )
    counts: dict = defaultdict(int)
    for row in rows:
        counts[(row["day"], row["kind"])] = row["n"]
    days = _days(scope)
    series = [(str(label), [counts[(day, kind)] for day in days]) for kind, label in Category.Kind.choices]
    return Chart(
        key="tickets-per-day",
        title=_("Tickets per day by kind"),
        unit=_("tickets"),
        categories=[day.strftime("%d/%m") for day in days],
        series=series,
    ).layout()


def feedback_per_day_by_kind(scope) -> Chart:
    """Kritik, saran and apresiasi received per day, whatever the channel (one ``Feedback`` row each)."""
    zone = ZoneInfo(scope.zone)
    rows = (
        Feedback.objects.filter(scope.units(), created_at__gte=scope.start_at, created_at__lt=scope.end_at)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "kind")
        .annotate(n=Count("id"))
    )
    counts: dict = defaultdict(int)
    for row in rows:
        counts[(row["day"], row["kind"])] = row["n"]
    days = _days(scope)
    series = [(str(label), [counts[(day, kind)] for day in days]) for kind, label in Feedback.Kind.choices]
    return Chart(
        key="feedback-per-day",
        title=_("Customer feedback per day by kind"),
        unit=_("feedback"),
        categories=[day.strftime("%d/%m") for day in days],
        series=series,
    ).layout()


def compliance_over_time(scope) -> Chart:
    """Share of response and resolution targets met, per week the service level started."""
    weeks = []
    start = scope.start
    while start <= scope.end:
        weeks.append((start, min(start + timedelta(days=6), scope.end)))
        start += timedelta(days=7)
    zone = ZoneInfo(scope.zone)
    values = []
    for first, last in weeks:
        begin = datetime.combine(first, time.min, tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
        totals = TicketServiceLevel.objects.filter(
            scope.units(), started_at__gte=begin, started_at__lt=end, target__isnull=False
        ).aggregate(
            met=Count("id", filter=Q(response_met=True)) + Count("id", filter=Q(resolution_met=True)),
            late=Count("id", filter=Q(response_met=False)) + Count("id", filter=Q(resolution_met=False)),
        )
        decided = (totals["met"] or 0) + (totals["late"] or 0)
        values.append(round(100 * totals["met"] / decided, 1) if decided else None)
    return Chart(
        key="tmp-over-time",
        title=_("TMP compliance per week (%)"),
        unit="%",
        categories=[first.strftime("%d/%m") for first, _last in weeks],
        series=[(_("Targets met"), values)],
        percent=True,
    ).layout()


def reliability_per_month(reliability: dict) -> list[Chart]:
    months = [row["month"] for row in reliability["months"]]
    saidi = [row["indices"].saidi for row in reliability["months"]]
    saifi = [row["indices"].saifi for row in reliability["months"]]
    return [
        Chart(
            key="saidi",
            title=_("SAIDI per month (minutes)"),
            unit=_("minutes"),
            categories=months,
            series=[("SAIDI", saidi)],
        ).layout(),
        Chart(
            key="saifi",
            title=_("SAIFI per month (interruptions per customer)"),
            unit="",
            categories=months,
            series=[("SAIFI", saifi)],
        ).layout(),
    ]


def answer_times_per_hour(scope) -> Chart:
    """Average time to answer a 123 call, per hour of the day in the unit's zone."""
    zone = ZoneInfo(scope.zone)
    calls = Call.objects.filter(
        scope.units(), rang_at__gte=scope.start_at, rang_at__lt=scope.end_at, answered_at__isnull=False
    ).values_list("rang_at", "answered_at")
    sums: dict[int, list[float]] = defaultdict(list)
    for rang_at, answered_at in calls:
        sums[rang_at.astimezone(zone).hour].append(max(0.0, (answered_at - rang_at).total_seconds()))
    values = [round(sum(sums[h]) / len(sums[h]), 1) if sums[h] else None for h in range(24)]
    return Chart(
        key="answer-per-hour",
        title=_("Average answer time per hour (s)"),
        unit=_("seconds"),
        categories=[f"{hour:02d}" for hour in range(24)],
        series=[(_("Average answer time"), values)],
    ).layout()
