"""A random town for the close's property test (test_close_properties.py): children with
presences, meals, reservations and AP service sheets over 2025-03, 2025-04 and 2025-05,
posted before one close or another and amended or voided later; the events attendance and
membership would send for them.

Every record of a child lies in a two-day window of its own (Monday 2025-03-03 + an even
number of days, so some windows hold a Sunday-to-Monday period boundary: records never
overlap, whatever their corrections) and every time is a multiple of 3 minutes, so that
each line's hours are exact with two decimals (the engine shows hours to the hundredth)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from csa_shared.events import Envelope, new_event

from .town import contract, education_started, meal, presence, provider

FIRST = date(2025, 3, 3)  # Monday, first day of 2025-03
MONTHS = ("2025-03", "2025-04", "2025-05")
STARTS = (date(2025, 3, 3), date(2025, 4, 7), date(2025, 5, 5), date(2025, 6, 2))
CLOSABLE = (date(2025, 4, 30), date(2025, 5, 30), date(2025, 6, 30))
WINDOW_DAYS = tuple(range(0, 89, 2))  # the last window ends Saturday 2025-05-31
PERIOD_ENDS = (34, 62)  # windows of Sunday 2025-04-06 and Sunday 2025-05-04
SEA, RESERVING, AP = "sea-1", "sea-2", "ap-1"  # sea-2 bills the greater of per day
STEP = 3  # minutes: 3 minutes are 0.05 h


@dataclass(frozen=True)
class Stay:
    """Times of one record inside its window: minutes after the window's midnight."""

    start: int
    minutes: int

    def at(self, window: int) -> tuple[datetime, datetime]:
        begin = datetime.combine(FIRST + timedelta(days=window), time()) + timedelta(
            minutes=self.start
        )
        return begin, begin + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Record:
    """One window's records: a presence (and at sea-2 a reservation) or an AP sheet day.

    For a sheet day, ``stay.start`` holds the day's minutes inside the 07:00-19:00 band and
    ``stay.minutes`` those outside it (``fixed`` likewise, for the amended sheet)."""

    window: int
    kind: str  # presence | reservation | sheet
    provider: str
    stay: Stay
    other: Stay | None  # a reservation's presence beside it, if any
    meals: int
    posted: int  # phase: 0 before March's close, 1 before April's, 2 before May's
    fix: str  # none | amend | void
    fixed: Stay
    fix_phase: int
    recount: int  # the meals (lunches) of the day once amended
    moved_to: int | None  # the window an amended presence or reservation moves to
    # an amended presence amended once more (its version 3) in that phase, in its new window
    refixed: Stay | None = None
    refix_phase: int = 2

    @property
    def final(self) -> Stay:
        """The record's times (a sheet day's hours) after every amendment."""
        if self.fix != "amend":
            return self.stay
        return self.refixed if self.refixed is not None else self.fixed

    @property
    def fixed_window(self) -> int:
        """The window of the record's final times."""
        return self.moved_to if self.fix == "amend" and self.moved_to is not None else self.window

    @property
    def final_meals(self) -> int:
        """A presence's meal is recounted only when there was one; a sheet's day always."""
        amended = self.fix == "amend" and (self.meals > 0 or self.kind == "sheet")
        return self.recount if amended else self.meals

    @property
    def day(self) -> date:
        return FIRST + timedelta(days=self.window)

    @property
    def month(self) -> int:
        return sum(1 for start in STARTS[1:] if self.day >= start)


def _stay(longest: int = 48 * 60) -> st.SearchStrategy[Stay]:
    """Anywhere in the window, or often from the first day's evening past its midnight."""
    anywhere = st.integers(0, longest // STEP - 1)
    evening = st.integers(18 * 60 // STEP, 24 * 60 // STEP - 1)
    return st.one_of(anywhere, evening).flatmap(
        lambda start: st.integers(1, min(16 * 60, longest - start * STEP) // STEP).map(
            lambda length: Stay(start * STEP, length * STEP)
        )
    )


_SHEET_DAY = st.builds(
    lambda inside, outside: Stay(inside * STEP, outside * STEP),
    st.integers(0, 12 * 60 // STEP),
    st.integers(0, 12 * 60 // STEP),
).filter(lambda s: s.start + s.minutes > 0)


@st.composite
def _record(draw: st.DrawFn, window: int, spare: int | None) -> Record:
    """The records of ``window``; an amendment may move a presence or reservation to the
    ``spare`` window (another period, maybe closed), kept free for it."""
    kind = draw(st.sampled_from(["presence", "presence", "reservation", "sheet"]))
    provider = {"reservation": RESERVING, "sheet": AP}.get(kind) or draw(
        st.sampled_from([SEA, AP, RESERVING])
    )
    if kind == "sheet":
        stay, fixed = draw(_SHEET_DAY), draw(_SHEET_DAY)
        other = None
    else:
        stay, fixed = draw(_stay()), draw(_stay())
        other = draw(st.none() | _stay()) if kind == "reservation" else None
    posted = draw(st.integers(0, 2))  # after the close of its period: billed late
    fix_phase = draw(st.integers(posted, 2))
    fix = draw(
        st.sampled_from(["none", "amend"] if kind == "reservation" else ["none", "amend", "void"])
    )
    return Record(
        window=window,
        kind=kind,
        provider=provider,
        stay=stay,
        other=other,
        meals=draw(st.integers(0, 1 if kind == "sheet" else 2)) if kind != "reservation" else 0,
        posted=posted,
        fix=fix,
        fixed=fixed,
        fix_phase=fix_phase,
        recount=draw(st.integers(0, 1) if kind == "sheet" else st.integers(1, 2)),
        moved_to=spare if kind != "sheet" and draw(st.booleans()) else None,
        refixed=draw(st.none() | _stay()) if kind == "presence" and fix == "amend" else None,
        refix_phase=draw(st.integers(fix_phase, 2)),
    )


@dataclass(frozen=True)
class Child:
    child_id: str
    category: str | None  # None: no contract (full price, rule no_contract)
    rank: int
    schooling: str
    placed: bool
    records: tuple[Record, ...]
    amendment: tuple[int, int, str] | None  # (phase, period it takes effect, new category)

    def contract_events(self) -> list[tuple[int, Envelope]]:
        """The signed contract, then the amendment of its category (possibly backdated into a
        closed period: re-billed), each with the phase it is sent in."""
        if self.category is None:
            return []
        terms = (self.child_id, self.category, self.rank, self.schooling)
        events = [(0, contract(*terms, state_pays_all=self.placed))]
        if self.amendment is not None:
            phase, period, category = self.amendment
            amended = contract(
                self.child_id,
                category,
                self.rank,
                self.schooling,
                version=2,
                kind="amended",
                effective=STARTS[period].isoformat(),
                changes=["income"],
            )
            events.append((phase, amended))
        return events


@dataclass(frozen=True)
class Town:
    children: tuple[Child, ...]
    new_price: tuple[int, int, str, str] | None  # (phase, period, provider, hourly price)

    def provider_events(self) -> list[tuple[int, Envelope]]:
        """The three providers, then a new price of one of them from a later period."""
        events = [
            (0, provider(SEA, "sea_conventionne", "6.00", plurilingual=True)),
            (0, provider(RESERVING, "sea_commercial", "7.50")),
            (0, provider(AP, "assistant_parental", "6.00")),
        ]
        if self.new_price is not None:
            phase, period, pid, price = self.new_price
            ptype = "assistant_parental" if pid == AP else "sea_conventionne"
            changed = provider(
                pid,
                ptype,
                price,
                changed=True,
                version=2,
                effective=STARTS[period].isoformat(),
                plurilingual=pid == SEA,
            )
            events.append((phase, changed))
        return events


@st.composite
def _child(draw: st.DrawFn, child_id: str) -> Child:
    window = st.one_of(st.sampled_from(PERIOD_ENDS), st.sampled_from(WINDOW_DAYS))
    windows = draw(st.lists(window, min_size=1, max_size=10, unique=True))
    used, spares = sorted(windows[: (len(windows) + 1) // 2]), windows[(len(windows) + 1) // 2 :]
    placed = draw(st.booleans())
    category = "lt_4_5" if placed else draw(st.sampled_from([None, "lt_2", "lt_3", "ge_4_5"]))
    amendment = None
    if category is not None and not placed and draw(st.booleans()):
        amendment = (
            draw(st.integers(0, 2)),
            draw(st.integers(1, 2)),
            draw(st.sampled_from(["rmg", "lt_2_5", "ge_4_5"])),
        )
    return Child(
        child_id=child_id,
        category=category,
        rank=draw(st.integers(1, 4)),
        schooling=draw(st.sampled_from(["none", "fundamental"])),
        placed=placed,
        records=tuple(
            draw(_record(w, spares[k] if k < len(spares) else None)) for k, w in enumerate(used)
        ),
        amendment=amendment,
    )


_NEW_PRICE = st.tuples(
    st.integers(0, 2),
    st.integers(1, 2),
    st.sampled_from([SEA, AP]),
    st.sampled_from(["5.50", "6.50"]),
)
TOWNS = st.builds(
    Town,
    st.integers(1, 3).flatmap(lambda n: st.tuples(*[_child(f"k{i}") for i in range(1, n + 1)])),
    st.none() | _NEW_PRICE,
)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _hours(minutes: int) -> str:
    return str(Decimal(minutes) / 60)


def _sheet_days(records: list[Record], fixed: bool) -> list[dict[str, Any]]:
    """The sheet's days; once amended, a voided day is left out (maybe all of them)."""
    days = []
    for r in records:
        if fixed and r.fix == "void":
            continue
        stay = r.fixed if fixed and r.fix == "amend" else r.stay
        days.append(
            {
                "day": r.day.isoformat(),
                "hours": _hours(stay.start),
                "out_of_band_hours": _hours(stay.minutes),
                "lunches": r.recount if fixed and r.fix == "amend" else r.meals,
            }
        )
    return days


def _sheet(child: str, month: int, records: list[Record], version: int) -> Envelope:
    days = _sheet_days(records, fixed=version > 1)
    minutes = sum(
        int(Decimal(d["hours"]) * 60 + Decimal(d["out_of_band_hours"]) * 60) for d in days
    )
    return new_event(
        "lu.csa.attendance.servicesheet.submitted.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "sheet_id": f"s-{child}-{month}",
            "provider_id": AP,
            "record_id": f"s-{child}-{month}-{version}",
            "child_id": child,
            "month": MONTHS[month],
            "days": days,
            "total_hours": _hours(minutes),
            "total_lunches": sum(d["lunches"] for d in days),
            "submitted_by": "dageselteren",
            "version": version,
            "affects_closed_period": version > 1,
        },
    )


def _reservation(child: str, r: Record, stay: Stay, version: int) -> Envelope:
    start, end = stay.at(r.fixed_window if version > 1 else r.window)
    return new_event(
        "lu.csa.attendance.reservation.recorded.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "reservation_id": f"r-{child}-{r.window}",
            "provider_record_id": f"r-{child}-{r.window}-{version}",
            "record_id": f"r-{child}-{r.window}-{version}",
            "provider_id": r.provider,
            "version": version,
            "affects_closed_period": version > 1,
            "child_id": child,
            "start": _iso(start),
            "end": _iso(end),
            "minutes": stay.minutes,
        },
    )


def _voided(child: str, r: Record, presence_id: str) -> Envelope:
    start, end = r.stay.at(r.window)
    return new_event(
        "lu.csa.attendance.presence.voided.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "presence_id": presence_id,
            "provider_record_id": f"{presence_id}-void",
            "record_id": f"{presence_id}-void",
            "provider_id": r.provider,
            "version": 2,
            "affects_closed_period": True,
            "child_id": child,
            "previous_start": _iso(start),
            "previous_end": _iso(end),
            "reason": "entered twice",
        },
    )


def _meal_corrected(child: str, r: Record, meal_id: str, count: int) -> Envelope:
    """The meal's new count, or the meal voided (count 0)."""
    return new_event(
        "lu.csa.attendance.meal.corrected.v1",
        source="/csa/attendance",
        subject=child,
        data={
            "meal_id": meal_id,
            "provider_record_id": f"{meal_id}-void",
            "record_id": f"{meal_id}-void",
            "provider_id": r.provider,
            "version": 2,
            "affects_closed_period": True,
            "child_id": child,
            "day": r.day.isoformat(),
            "count": count,
            "previous_day": r.day.isoformat(),
            "previous_count": r.meals,
            "voided": count == 0,
            "reason": "recounted",
        },
    )


def _presence(child: str, r: Record, presence_id: str, stay: Stay, version: int) -> Envelope:
    start, end = stay.at(r.fixed_window if version > 1 else r.window)
    previous = r.fixed.at(r.fixed_window) if version > 2 else r.stay.at(r.window)
    return presence(
        child,
        r.provider,
        _iso(start),
        _iso(end),
        presence_id=presence_id,
        version=version,
        corrected=version > 1,
        previous=(_iso(previous[0]), _iso(previous[1])),
    )


def _reservation_events(cid: str, r: Record, phases: list[list[Envelope]]) -> None:
    """The reservation (moved by a version 2 when amended) and the presence beside it."""
    phases[r.posted].append(_reservation(cid, r, r.stay, 1))
    if r.fix == "amend":
        phases[r.fix_phase].append(_reservation(cid, r, r.fixed, 2))
    if r.other is not None:
        phases[r.posted].append(_presence(cid, r, f"p-{cid}-{r.window}", r.other, 1))


def _presence_events(cid: str, r: Record, phases: list[list[Envelope]]) -> None:
    """The presence and its meals, then their amendment or voiding."""
    presence_id = f"p-{cid}-{r.window}"
    phases[r.posted].append(_presence(cid, r, presence_id, r.stay, 1))
    meal_event = meal(cid, r.provider, r.day.isoformat(), r.meals) if r.meals else None
    if meal_event is not None:
        phases[r.posted].append(meal_event)
    if r.fix == "amend":
        phases[r.fix_phase].append(_presence(cid, r, presence_id, r.fixed, 2))
        if meal_event is not None and r.recount != r.meals:
            recounted = _meal_corrected(cid, r, meal_event.data["meal_id"], r.recount)
            phases[r.fix_phase].append(recounted)
        if r.refixed is not None:
            phases[r.refix_phase].append(_presence(cid, r, presence_id, r.refixed, 3))
    elif r.fix == "void":
        phases[r.fix_phase].append(_voided(cid, r, presence_id))
        if meal_event is not None:
            phases[r.fix_phase].append(_meal_corrected(cid, r, meal_event.data["meal_id"], 0))


def events_by_phase(town: Town) -> list[list[Envelope]]:
    """What attendance and membership send before each close, in the order they send it."""
    phases: list[list[Envelope]] = [[], [], []]
    for phase, event in town.provider_events():
        phases[phase].append(event)
    for child in town.children:
        cid = child.child_id
        phases[0].append(
            education_started(cid, RESERVING, start="2025-03-03", price="7.50", mode="greater_of")
        )
        for phase, event in child.contract_events():
            phases[phase].append(event)
        for r in child.records:
            if r.kind == "reservation":
                _reservation_events(cid, r, phases)
            elif r.kind == "presence":
                _presence_events(cid, r, phases)
        sheets: dict[int, list[Record]] = defaultdict(list)
        for r in child.records:
            if r.kind == "sheet":
                sheets[r.month].append(r)
        for month, records in sheets.items():
            # one sheet per month, posted with its first day, sent again once amended
            posted = min(r.posted for r in records)
            phases[posted].append(_sheet(cid, month, records, 1))
            fixes = [r.fix_phase for r in records if r.fix != "none"]
            if fixes:
                phases[max(*fixes, posted)].append(_sheet(cid, month, records, 2))
    return phases
