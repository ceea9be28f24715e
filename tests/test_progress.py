"""The status engine, on plain values: no database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tracker.standings.engine import (
    Basis,
    Direction,
    Kind,
    Spec,
    Status,
    assess,
    expected_share,
    expected_value,
    goal_value,
    growth_rate,
    projected_value,
    required_annual_rate,
)


def spec(kind=Kind.LEVEL, direction=Direction.INCREASE, base=D(10), target=D(20), **kw):
    return Spec(
        kind=kind,
        direction=direction,
        baseline_year=kw.pop("baseline_year", 2020),
        target_year=kw.pop("target_year", 2025),
        baseline_value=base,
        target_value=target,
        **kw,
    )


class TestExpectedPath:
    def test_level_is_linear_from_baseline_to_target(self):
        s = spec()
        assert [expected_value(s, y) for y in range(2020, 2026)] == [
            D(10),
            D(12),
            D(14),
            D(16),
            D(18),
            D(20),
        ]

    def test_expected_share_of_a_linear_kind_is_the_time_share(self):
        s = spec()
        assert expected_share(s, 2023) == D("0.6")

    def test_years_outside_the_period_are_clamped(self):
        s = spec()
        assert expected_value(s, 2019) == D(10)
        assert expected_value(s, 2030) == D(20)

    def test_multiple_grows_to_baseline_times_factor_compounding(self):
        s = spec(Kind.MULTIPLE, base=D("147.6"), target=None, factor=D("2.2"))
        assert goal_value(s) == D("324.72")
        assert expected_value(s, 2025) == pytest.approx(D("324.72"))
        # The same growth rate every year: the ratio of consecutive years is constant.
        ratios = [expected_value(s, y + 1) / expected_value(s, y) for y in range(2020, 2025)]
        assert max(ratios) - min(ratios) < D("1e-20")
        assert ratios[0] == pytest.approx(D("2.2") ** (D(1) / 5))

    def test_compound_expected_share_is_below_time_share_early_on(self):
        s = spec(Kind.MULTIPLE, base=D(100), target=None, factor=D(2), target_year=2022)
        assert expected_share(s, 2021) == pytest.approx(D("0.41421356"), rel=D("1e-6"))

    def test_annual_growth_target_is_a_rate_in_percent(self):
        s = spec(Kind.ANNUAL_GROWTH, base=D(100), target=D(10), target_year=2022)
        assert goal_value(s) == D("121.00")
        assert expected_value(s, 2021) == pytest.approx(D(110))

    def test_rank_is_linear_and_lower_is_better(self):
        s = spec(Kind.RANK, Direction.DECREASE, base=D(20), target=D(10))
        assert expected_value(s, 2022) == D(16)
        assert s.lower_is_better


class TestStatus:
    def test_on_track_when_progress_at_least_expected(self):
        s = spec()
        assert assess(s, {2023: D(16)}, 2023).status == Status.ON_TRACK

    def test_behind_between_the_two_ratios(self):
        s = spec()
        # expected share 0.6; 0.5 is 83% of it: behind (>= 0.8), not on track (< 1.0)
        result = assess(s, {2023: D(15)}, 2023)
        assert result.progress == D("0.5")
        assert result.expected_share == D("0.6")
        assert result.status == Status.BEHIND

    def test_off_track_below_the_behind_ratio(self):
        assert assess(spec(), {2023: D(14)}, 2023).status == Status.OFF_TRACK

    def test_thresholds_come_from_the_spec(self):
        lenient = spec(on_track_ratio=D("0.8"), behind_ratio=D("0.5"))
        assert assess(lenient, {2023: D(15)}, 2023).status == Status.ON_TRACK
        assert assess(lenient, {2023: D(14)}, 2023).status == Status.BEHIND

    def test_achieved_when_the_target_is_met(self):
        assert assess(spec(), {2022: D(21)}, 2022).status == Status.ACHIEVED

    def test_decrease_is_met_at_or_below_the_target(self):
        s = spec(direction=Direction.DECREASE, base=D(100), target=D(80))
        assert assess(s, {2024: D(80)}, 2024).status == Status.ACHIEVED
        # expected in 2022: 92; a fall to 94 covers 6 of 8 expected points: 0.75 of the share
        result = assess(s, {2022: D(94)}, 2022)
        assert result.progress == D("0.3")
        assert result.status == Status.OFF_TRACK
        assert assess(s, {2022: D(92)}, 2022).status == Status.ON_TRACK

    def test_a_rise_in_a_decrease_target_is_off_track(self):
        s = spec(direction=Direction.DECREASE, base=D(100), target=D(80))
        result = assess(s, {2022: D(105)}, 2022)
        assert result.progress < 0
        assert result.status == Status.OFF_TRACK

    def test_rank_is_met_at_or_below_the_target_position(self):
        s = spec(Kind.RANK, base=D(18), target=D(10))
        assert assess(s, {2023: D(10)}, 2023).status == Status.ACHIEVED
        assert assess(s, {2023: D(9)}, 2023).status == Status.ACHIEVED
        assert assess(s, {2023: D(13)}, 2023).status == Status.ON_TRACK  # 5/8 >= 0.6
        assert assess(s, {2023: D(17)}, 2023).status == Status.OFF_TRACK

    def test_no_data_without_a_figure(self):
        result = assess(spec(), {}, 2023)
        assert result.status == Status.NO_DATA
        assert result.expected_value == D(16)

    def test_figures_after_the_year_do_not_count(self):
        assert assess(spec(), {2024: D(30)}, 2023).status == Status.NO_DATA

    def test_the_latest_figure_is_judged_against_its_own_year(self):
        # 2022's 14 is on the path for 2022; as of 2023, with no 2023 figure, still on track.
        result = assess(spec(), {2021: D(12), 2022: D(14)}, 2023)
        assert result.latest_year == 2022
        assert result.status == Status.ON_TRACK

    def test_reached_and_then_lost_again(self):
        figures = {2022: D(21), 2023: D(15)}
        assert assess(spec(), figures, 2022).status == Status.ACHIEVED
        assert assess(spec(), figures, 2023).status == Status.BEHIND

    def test_missing_baseline_is_judged_on_whether_the_target_is_met(self):
        s = spec(base=None)
        result = assess(s, {2023: D(15)}, 2023)
        assert result.progress is None
        assert result.status == Status.PENDING
        # From the target year on, a target without a path is completed or not.
        assert assess(s, {2023: D(15)}, 2025).status == Status.INCOMPLETE
        assert assess(s, {2025: D(15)}, 2025).status == Status.INCOMPLETE
        assert assess(s, {2025: D(20)}, 2025).status == Status.COMPLETED
        assert assess(s, {2023: D(20)}, 2023).status == Status.ACHIEVED

    def test_zero_span_has_no_path(self):
        flat = spec(base=D(20), target=D(20))
        assert assess(flat, {2023: D(19)}, 2023).progress is None
        assert assess(flat, {2023: D(19)}, 2023).status == Status.PENDING
        assert assess(flat, {2023: D(20)}, 2023).status == Status.ACHIEVED
        same_year = spec(target_year=2020)
        assert expected_share(same_year, 2020) is None
        # the baseline year's figure starts the path: it is no progress to judge
        assert assess(same_year, {2020: D(12)}, 2020).status == Status.NO_DATA
        assert assess(spec(), {2020: D(10)}, 2022).status == Status.NO_DATA

    def test_multiple_status_uses_the_compound_path(self):
        s = spec(Kind.MULTIPLE, base=D(100), target=None, factor=D(2), target_year=2022)
        # expected share after one year is 0.414; 45% of the distance is on track
        assert assess(s, {2021: D(145)}, 2021).status == Status.ON_TRACK
        assert assess(s, {2021: D(135)}, 2021).status == Status.BEHIND
        assert assess(s, {2021: D(120)}, 2021).status == Status.OFF_TRACK


class TestMilestone:
    def test_pending_before_the_target_year(self):
        s = spec(Kind.MILESTONE, base=None, target=None)
        assert assess(s, {}, 2023, achieved={2023: False}).status == Status.PENDING

    def test_not_completed_from_the_target_year_without_achievement(self):
        s = spec(Kind.MILESTONE, base=None, target=None)
        assert assess(s, {}, 2025, achieved={2025: False}).status == Status.INCOMPLETE
        assert assess(s, {}, 2025, achieved={2023: True}).status == Status.COMPLETED

    def test_achieved_once_achieved(self):
        s = spec(Kind.MILESTONE, base=None, target=None)
        assert assess(s, {}, 2024, achieved={2023: True}).status == Status.ACHIEVED
        assert assess(s, {}, 2022, achieved={2023: True}).status == Status.PENDING


class TestRelative:
    def test_growth_above_the_reference_is_on_track(self):
        s = spec(Kind.RELATIVE, base=D(100), target=None)
        result = assess(s, {2021: D(108)}, 2021, reference={2020: D(50), 2021: D(53)})
        assert result.growth == D("0.08")
        assert result.reference_growth == D("0.06")
        assert result.status == Status.ON_TRACK

    def test_growth_above_the_reference_in_the_target_year_is_completed(self):
        # Without baseline figures the average runs from the first year both have.
        s = spec(Kind.RELATIVE, base=None, target=None)
        result = assess(
            s, {2024: D(100), 2025: D(110)}, 2025, reference={2024: D(10), 2025: D("10.5")}
        )
        assert result.status == Status.COMPLETED

    def test_slightly_below_is_behind_and_far_below_off_track(self):
        s = spec(Kind.RELATIVE, base=D(100), target=None)
        ref = {2020: D(100), 2021: D(110)}
        assert assess(s, {2021: D(109)}, 2021, reference=ref).status == Status.BEHIND
        assert assess(s, {2021: D(102)}, 2021, reference=ref).status == Status.OFF_TRACK

    def test_no_data_without_two_years_of_both(self):
        s = spec(Kind.RELATIVE, base=None, target=None)
        assert assess(s, {2021: D(100)}, 2021, reference={2021: D(5)}).status == Status.NO_DATA

    def test_no_data_rests_on_no_older_year(self):
        """An older figure alone judges nothing: "no data" never says "based on 2025"."""
        s = spec(Kind.RELATIVE, base=None, target=None)
        result = assess(s, {2025: D(100)}, 2026, reference={2026: D(5)})
        assert result.status == Status.NO_DATA and result.latest_year == 2025
        assert not result.rests_on_older_year


class TestRatesAndProjection:
    def test_required_annual_rate(self):
        s = spec(Kind.MULTIPLE, base=D(100), target=None, factor=D("2.42"))
        assert required_annual_rate(s, 2023, D(200)) == pytest.approx(D("0.1"))

    def test_no_required_rate_once_the_target_year_has_come(self):
        assert required_annual_rate(spec(), 2025, D(15)) is None

    def test_no_required_rate_for_ranks(self):
        assert required_annual_rate(spec(Kind.RANK, base=D(20), target=D(10)), 2023, D(15)) is None

    def test_linear_projection_extends_the_line(self):
        assert projected_value(spec(), 2023, D(13)) == D(15)

    def test_compound_projection_extends_the_growth_rate(self):
        s = spec(Kind.MULTIPLE, base=D(100), target=None, factor=D(2))
        assert projected_value(s, 2022, D(121)) == pytest.approx(D("161.051"))

    def test_no_projection_without_baseline_or_elapsed_time(self):
        assert projected_value(spec(base=None), 2023, D(13)) is None
        assert projected_value(spec(), 2020, D(13)) is None

    def test_growth_rate(self):
        assert growth_rate({2020: D(100), 2021: D(106)}, 2021) == D("0.06")
        assert growth_rate({2021: D(106)}, 2021) is None

    def test_assessment_carries_rate_and_projection(self):
        result = assess(spec(), {2023: D(16)}, 2023)
        assert result.projected_value == pytest.approx(D("20"))
        assert result.required_annual_rate == pytest.approx((D(20) / D(16)) ** (D(1) / 2) - 1)


class TestEvaluationWords:
    def test_ahead_when_progress_beats_the_path_by_the_ahead_ratio(self):
        s = spec()  # 10 -> 20 over 2020-2025: 2022 expects 40% of the distance
        assert assess(s, {2022: D(15)}, 2022).status == Status.AHEAD  # 50% >= 40% x 1.2
        assert assess(s, {2022: D("14.5")}, 2022).status == Status.ON_TRACK  # 45% < 48%
        stricter = spec(ahead_ratio=D("1.3"))
        assert assess(stricter, {2022: D(15)}, 2022).status == Status.ON_TRACK  # 50% < 52%

    def test_met_before_the_target_year_is_met_early(self):
        assert assess(spec(), {2023: D(21)}, 2023).status == Status.ACHIEVED

    def test_from_the_target_year_on_the_verdict_is_final(self):
        s = spec(places=1)
        assert assess(s, {2025: D(21)}, 2025).status == Status.EXCEEDED
        assert assess(s, {2025: D("20.04")}, 2025).status == Status.COMPLETED  # shown 20.0
        assert assess(s, {2025: D(19)}, 2025).status == Status.INCOMPLETE
        # judged on the latest figure when the target year has none yet
        assert assess(s, {2024: D(19)}, 2025).status == Status.INCOMPLETE
        assert assess(s, {2024: D(19)}, 2025).rests_on_older_year


class TestComparablePrices:
    def gdp(self, **kw):
        # 147.6 亿元 in 2020, to grow 1.2 times (x 2.2) by 2025 at comparable prices.
        kw.setdefault("factor", D("2.2"))
        return spec(Kind.MULTIPLE, base=D("147.6"), target=None, **kw)

    def test_a_multiple_is_judged_on_the_chained_growth_rates(self):
        s = self.gdp(basis=Basis.COMPARABLE)
        levels = {2021: D(160)}  # current prices: 160 / 147.6 = 1.084
        growths = {2021: D("3.1"), 2022: D("20")}  # 1.031 x 1.20 = 1.2372 in 2022
        result = assess(s, levels, 2022, growths=growths)
        assert result.latest_year == 2022  # a year with a rate and no level counts
        assert result.latest_value is None
        assert result.index == D("1.2372")
        assert result.progress == pytest.approx(D("0.2372") / D("1.2"))
        assert result.basis == Basis.COMPARABLE
        # on levels at current prices the same goal reads 2021's 160 亿元 only
        current = assess(self.gdp(basis=Basis.CURRENT), levels, 2022, growths=growths)
        assert current.latest_year == 2021
        assert current.progress == pytest.approx((D(160) - D("147.6")) / (D("324.72") - D("147.6")))

    def test_a_year_without_a_rate_is_carried_by_its_levels(self):
        s = self.gdp(basis=Basis.COMPARABLE)
        result = assess(s, {2021: D("159.408")}, 2021, growths={})  # 159.408 / 147.6 = 1.08
        assert result.index == D("1.08")

    def test_the_chain_stops_at_a_year_with_neither(self):
        s = self.gdp(basis=Basis.COMPARABLE)
        result = assess(s, {}, 2023, growths={2021: D(5), 2023: D(5)})
        assert result.latest_year == 2021

    def test_completed_at_comparable_prices(self):
        s = self.gdp(basis=Basis.COMPARABLE, target_year=2021, factor=D("1.05"))
        assert assess(s, {}, 2021, growths={2021: D(5)}).status == Status.COMPLETED
        assert assess(s, {}, 2021, growths={2021: D(6)}).status == Status.EXCEEDED
        assert assess(s, {}, 2021, growths={2021: D(4)}).status == Status.INCOMPLETE


class TestRelativeOnAverageGrowth:
    def test_the_average_since_the_baseline_decides_not_the_latest_year(self):
        # Income grew 9%, 6%, 5.3% (2021-23), GDP 6%, 7%, 6.6%: in 2023 alone income grew
        # less, but on average since 2020 more (6.74% against 6.53% a year).
        s = spec(Kind.RELATIVE, base=None, target=None, basis=Basis.COMPARABLE)
        income = {2021: D(9), 2022: D(6), 2023: D("5.3")}
        gdp = {2021: D(6), 2022: D(7), 2023: D("6.6")}
        result = assess(s, {}, 2023, growths=income, reference_growths=gdp)
        income_average = (D("1.09") * D("1.06") * D("1.053")) ** (D(1) / 3) - 1
        gdp_average = (D("1.06") * D("1.07") * D("1.066")) ** (D(1) / 3) - 1
        assert result.growth == pytest.approx(income_average)
        assert result.reference_growth == pytest.approx(gdp_average)
        assert result.status == Status.ON_TRACK
        assert result.year_growth == pytest.approx(D("0.053"))
        assert result.reference_year_growth == pytest.approx(D("0.066"))


class TestWhatAVerdictRestsOn:
    def test_a_comparable_goal_without_any_rate_is_judged_at_current_prices_and_says_so(self):
        s = spec(Kind.MULTIPLE, base=D(100), target=None, factor=D(2), basis=Basis.COMPARABLE)
        result = assess(s, {2021: D(110)}, 2021, growths={})
        assert result.basis == Basis.CURRENT
        assert result.index == D("1.1")
        rated = assess(s, {2021: D(110)}, 2021, growths={2021: D(5)})
        assert rated.basis == Basis.COMPARABLE and rated.index == D("1.05")
        # the trend goes on from the latest level, at the comparable pace so far
        assert rated.projected_value == pytest.approx(D(110) * D("1.05") ** 4)

    def test_an_achievement_lasts(self):
        s = spec(Kind.MILESTONE, base=None, target=None)
        achieved = assess(s, {}, 2024, achieved={2023: True})
        assert achieved.latest_year == 2023 and not achieved.rests_on_older_year
        level = assess(spec(), {2022: D(15)}, 2024)
        assert level.rests_on_older_year
