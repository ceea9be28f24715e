"""A target's chart as SVG, drawn on the server from the engine's numbers."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tracker.standings import engine, formats

WIDTH, HEIGHT = 600, 320
LEFT, RIGHT, TOP, BOTTOM = 76, 28, 16, 40


def _scale(low: float, high: float, size: float, flip: bool):
    span = (high - low) or 1.0

    def to_pixels(value: float) -> float:
        share = (value - low) / span
        return (1 - share) * size if flip else share * size

    return to_pixels


def target_chart(target, standing, linked=()) -> str:
    """Baseline, expected path, approved and unapproved figures, target and projection.

    `linked` holds (year, value) approved figures of the same target in the previous or
    next plan: they join this plan's approved figures as one line (2020-2030).
    Returns an empty string for milestones (nothing to plot) or without any number.
    """
    if target.is_milestone:
        return ""
    spec = standing.spec
    linked_years = [y for y, _v in linked]
    first = min([target.baseline_year, *linked_years])
    years = list(range(first, max([target.target_year, *linked_years]) + 1))
    own = range(target.baseline_year, target.target_year + 1)
    path = [(y, engine.expected_value(spec, y)) for y in own]
    path = [(y, v) for y, v in path if v is not None]
    approved = [
        (y, e.value)
        for y, e in sorted(standing.entries.items())
        if e.counts and e.value is not None
    ]
    unapproved = [
        (y, e.value)
        for y, e in sorted(standing.entries.items())
        if not e.counts and e.value is not None
    ]
    if target.baseline_value is not None:
        approved = [(target.baseline_year, spec.baseline_value), *approved]
    own_years = {y for y, _v in approved}
    approved = sorted([*approved, *((y, v) for y, v in linked if y not in own_years)])
    goal = standing.assessment.goal_value
    projection = []
    a = standing.assessment
    start = _latest_level(standing)
    if a.projected_value is not None and start is not None:
        projection = [(a.latest_year, start), (target.target_year, a.projected_value)]
    numbers = [float(v) for _y, v in path + approved + unapproved + projection]
    if goal is not None:
        numbers.append(float(goal))
    if not numbers:
        return ""
    ticks = formats.nice_ticks(
        min(numbers), max(numbers), most=5, whole=target.kind == target.Kind.RANK
    )
    low, high = ticks[0], ticks[-1]
    x_of = _scale(years[0], years[-1], WIDTH - LEFT - RIGHT, flip=False)
    y_of = _scale(low, high, HEIGHT - TOP - BOTTOM, flip=True)

    def xy(year, value) -> str:
        return f"{LEFT + x_of(year):.1f},{TOP + y_of(float(value)):.1f}"

    def line(points, css) -> str:
        if len(points) < 2:
            return ""
        return f'<polyline class="{css}" points="{" ".join(xy(y, v) for y, v in points)}"/>'

    def dots(points, css, title) -> str:
        circles = []
        for y, v in points:
            cx, cy = xy(y, v).split(",")
            circles.append(
                f'<circle class="{css}" cx="{cx}" cy="{cy}" r="5">'
                f"<title>{escape(title)} {y}: {_fmt(v, target)}</title></circle>"
            )
        return "".join(circles)

    parts = [_svg_open("chart", HEIGHT, escape(target.display_name))]
    # axes: years below, value ticks on a 1-2-5 step at the left
    for year in years:
        x = LEFT + x_of(year)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}"/>'
        )
        below = HEIGHT - BOTTOM + 26
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{below}" text-anchor="middle">{year}</text>'
        )
    places = _places(ticks)
    for value in ticks:
        y = TOP + y_of(value)
        label = formats.format_figure(Decimal(str(value)), places)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 8}" y="{y + 6:.1f}" text-anchor="end">{label}</text>'
        )
    if goal is not None:
        y = TOP + y_of(float(goal))
        parts.append(
            f'<line class="goal" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
        )
    parts.append(line(path, "expected"))
    parts.append(line(projection, "projection"))
    parts.append(line(approved, "approved"))
    parts.append(dots(approved, "approved", _("Approved")))
    parts.append(dots(unapproved, "unapproved", _("Not approved")))
    parts.append("</svg>")
    drawn = [
        ("approved", _("Approved figures"), approved),
        ("unapproved", _("Not yet approved"), unapproved),
        ("expected", _("Expected path"), path[1:]),
        ("goal", _("Target value"), [goal] if goal is not None else []),
        ("projection", _("Trend projection"), projection),
    ]
    parts.append('<ul class="chart-legend">')
    for css, label, points in drawn:
        if points:
            parts.append(f'<li><span class="key {css}"></span>{escape(label)}</li>')
    parts.append("</ul>")
    return mark_safe("".join(parts))


def _latest_level(standing) -> Decimal | None:
    """The level the status rests on; for a year that gave only its growth rate, the level
    that rate implies (the baseline times the chained index)."""
    a = standing.assessment
    if a.latest_year is None:
        return None
    if a.latest_value is not None:
        return a.latest_value
    if a.index is not None and standing.baseline is not None:
        return standing.baseline * a.index
    return None


def _svg_open(classes: str, height: float, title: str) -> str:
    """A chart's opening tag, named for screen readers by `title` (already escaped)."""
    return (
        f'<svg class="{classes}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
    )


def _places(ticks: list[float]) -> int:
    """Decimal places the tick labels need: none for 10, 20; one for 0.5, 1.0."""
    return max((len(str(t).split(".")[1]) if "." in str(t) else 0) for t in ticks)


def _fmt(value: Decimal, target) -> str:
    return formats.format_figure(value, target.decimal_places)


# A line per region over the years: distinguished by dash as well as colour, and named
# at its end, so that no line is told by its colour alone.
LINE_COLOURS = ["#0b5cad", "#B26A00", "#1E7B34", "#6A3D9A", "#B3261E", "#444", "#00838F"]
LINE_DASHES = ["", "6 4", "2 3", "10 3 2 3", "", "6 4", "2 3"]

# Names in the comparison charts are measured in the largest size the stylesheet gives
# their text (a phone's, in the viewBox's units), so that they fit on any screen; a name
# longer than NAME_ROOM is wrapped onto lines of LINE_HEIGHT.
NAME_SIZE, LINE_HEIGHT = 21, 23
NAME_ROOM = WIDTH * 0.4


def text_width(text: str, size: float = NAME_SIZE) -> float:
    """About how wide `text` is drawn at `size`: a Chinese character a full em, a Latin
    letter a little over half of one (an estimate on the safe side)."""
    width = 0.0
    for char in text:
        if ord(char) >= 0x2E80:
            width += 1.0
        elif char.isupper() or char in "mwMW":
            width += 0.7
        else:
            width += 0.56
    return width * size


def wrap_name(name: str, room: float = NAME_ROOM, most: int = 3) -> list[str]:
    """`name` on lines no wider than `room`: at spaces where it has them, else anywhere (a
    Chinese name); at most `most` lines, the last cut short with … if need be."""
    if text_width(name) <= room:
        return [name]
    words = name.split(" ") if " " in name else list(name)
    joiner = " " if " " in name else ""
    lines, line = [], ""
    for word in words:
        trial = f"{line}{joiner}{word}" if line else word
        if line and text_width(trial) > room:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    if len(lines) > most:
        last = joiner.join(lines[most - 1 :])
        while last and text_width(f"{last}…") > room:
            last = last[:-1]
        lines = [*lines[: most - 1], f"{last.rstrip()}…"]
    return lines


def _name_text(lines: list[str], x: float, y: float, anchor: str, extra: str = "") -> str:
    """A name of one or more lines as one <text>, its lines centred on `y`."""
    top = y - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + n * LINE_HEIGHT + 6:.1f}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text class="axis name" text-anchor="{anchor}"{extra}>{spans}</text>'


def comparison_bars(result) -> str:
    """Each child region's figure as a horizontal bar, best first, with its own target
    marked as a red tick; the table beside the chart gives the same numbers as text.
    Empty where no region has a figure (a milestone has none to draw). The names take the
    room the longest needs, up to two fifths of the width, wrapped beyond it."""
    places = result.indicator.decimal_places
    drawn = [p for p in result.places if p.value is not None]
    goals = [p.standing.assessment.goal_value for p in drawn if p.standing is not None]
    numbers = [float(p.value) for p in drawn] + [float(g) for g in goals if g is not None]
    if not drawn:
        return ""
    ticks = formats.nice_ticks(min(0.0, *numbers), max(numbers), most=4)
    names = [wrap_name(p.region.display_name) for p in drawn]
    widest = max(text_width(line) for lines in names for line in lines)
    label_width = min(NAME_ROOM, widest) + 14
    row = max(34, max(len(lines) for lines in names) * LINE_HEIGHT + 10)
    height = TOP + row * len(drawn) + BOTTOM
    x_of = _scale(ticks[0], ticks[-1], WIDTH - label_width - RIGHT, flip=False)
    zero = label_width + x_of(max(ticks[0], 0.0))
    title = escape(f"{result.indicator.display_name} {result.year}")
    parts = [_svg_open("chart bars", height, title)]
    tick_places = _places(ticks)
    for value in ticks:
        x = label_width + x_of(value)
        text = formats.format_figure(Decimal(str(value)), tick_places)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{height - BOTTOM}"/>'
            f'<text class="axis" x="{x:.1f}" y="{height - BOTTOM + 24}" '
            f'text-anchor="middle">{text}</text>'
        )
    goal_title = escape(_("Target value"))
    for n, place in enumerate(drawn):
        y = TOP + n * row
        end = label_width + x_of(float(place.value))
        left, width = min(zero, end), abs(end - zero)
        name = escape(place.region.display_name)
        value = _figure_text(place.value, places)
        bar = min(row - 12, 24)
        parts.append(
            _name_text(names[n], label_width - 8, y + row / 2, "end")
            + f'<rect class="figure-bar" x="{left:.1f}" y="{y + (row - bar) / 2:.1f}" '
            f'width="{width:.1f}" height="{bar}">'
            f"<title>{name}: {value}</title></rect>"
        )
        goal = place.standing.assessment.goal_value if place.standing else None
        if goal is not None:
            x = label_width + x_of(float(goal))
            top, bottom = y + (row - bar) / 2 - 4, y + (row + bar) / 2 + 4
            parts.append(
                f'<line class="goal" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}">'
                f"<title>{goal_title} {name}: {_figure_text(goal, places)}</title></line>"
            )
    parts.append("</svg>")
    approved, goal_word = escape(_("Approved figure")), escape(_("Target value"))
    parts.append(
        f'<ul class="chart-legend"><li><span class="key figure-bar"></span>{approved} '
        f'{result.year}</li><li><span class="key goal"></span>{goal_word}</li></ul>'
    )
    return mark_safe("".join(parts))


def comparison_lines(result) -> str:
    """Each child region's approved figures over the years, one line each, named at its
    end (the names take the room the longest needs, up to two fifths of the width, wrapped
    beyond it); the parent's own or rolled-up figures are not drawn (another scale)."""
    places = result.indicator.decimal_places
    lines = [(p.region, sorted(p.series.items())) for p in result.places if p.series]
    if not lines or result.indicator.is_milestone:
        return ""
    years = result.years
    numbers = [float(v) for _r, points in lines for _y, v in points]
    ticks = formats.nice_ticks(
        min(numbers),
        max(numbers),
        most=5,
        whole=result.indicator.measure == result.indicator.Measure.RANK,
    )
    names = [wrap_name(region.display_name) for region, _points in lines]
    top = TOP + 10  # the highest tick's label whole, in a phone's larger type
    widest = max(text_width(line) for wrapped in names for line in wrapped)
    right = min(NAME_ROOM, widest) + 16
    ends = [years.index(points[-1][0]) for _r, points in lines]
    x_of = _scale(years[0], years[-1], WIDTH - LEFT - right, flip=False)
    y_of = _scale(ticks[0], ticks[-1], HEIGHT - top - BOTTOM, flip=True)
    title = escape(result.indicator.display_name)
    parts = [_svg_open("chart lines", HEIGHT, title)]
    for year in years:
        x = LEFT + x_of(year)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}"/>'
            f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 26}" '
            f'text-anchor="middle">{year}</text>'
        )
    tick_places = _places(ticks)
    for value in ticks:
        y = top + y_of(value)
        text = formats.format_figure(Decimal(str(value)), tick_places)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{LEFT - 8}" y="{y + 6:.1f}" text-anchor="end">{text}</text>'
        )
    label_ys = _spread(
        [top + y_of(float(points[-1][1])) for _r, points in lines],
        [len(wrapped) * LINE_HEIGHT + 2 for wrapped in names],
        low=0,
        high=HEIGHT,
    )
    for n, (region, points) in enumerate(lines):
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        dash = LINE_DASHES[n % len(LINE_DASHES)]
        name = escape(region.display_name)
        xy = [(LEFT + x_of(y), top + y_of(float(v))) for y, v in points]
        style = f'stroke="{colour}"' + (f' stroke-dasharray="{dash}"' if dash else "")
        if len(xy) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            parts.append(f'<polyline class="region" {style} points="{coords}"/>')
        for (x, y), (year, value) in zip(xy, points, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{name} {year}: {_figure_text(value, places)}</title></circle>"
            )
        # Every name starts where the plot ends, whichever year its line ends in.
        x = WIDTH - right + 8 if ends[n] == len(years) - 1 else xy[-1][0] + 8
        parts.append(_name_text(names[n], x, label_ys[n], "start", f' fill="{colour}"'))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _spread(ys: list[float], heights: list[float], low: float, high: float) -> list[float]:
    """Label centres moved apart so that labels of these heights do not print over each
    other, in their order, and kept between `low` and `high` where they fit."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = list(ys)
    for before, after in zip(order, order[1:], strict=False):
        gap = (heights[before] + heights[after]) / 2
        placed[after] = max(placed[after], placed[before] + gap)
    if order and placed[order[-1]] + heights[order[-1]] / 2 > high:
        placed[order[-1]] = high - heights[order[-1]] / 2
        for after, before in zip(reversed(order), list(reversed(order))[1:], strict=False):
            gap = (heights[before] + heights[after]) / 2
            placed[before] = min(placed[before], placed[after] - gap)
    if order and placed[order[0]] - heights[order[0]] / 2 < low:
        shift = low - (placed[order[0]] - heights[order[0]] / 2)
        placed = [y + shift for y in placed]
    return placed


def _figure_text(value: Decimal, places: int) -> str:
    return formats.format_figure(value, places)
