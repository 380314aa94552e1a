//! The charts' ECharts options, built on the server with `charming`: the page carries
//! each option as JSON, `public/charts.js` hands it to ECharts (served by us, loaded only
//! on pages with a chart), and the WASM carries no chart code. Labels and dates are in the
//! page's language; every chart is drawn beside a table of the same figures.

use crate::{
    i18n::Strings,
    model::{ChannelStats, ChartSpec, Counts, SeriesPoint},
};
use charming::{
    component::{Axis, Grid, Legend},
    element::{AxisType, Tooltip, Trigger},
    series::{Bar, Funnel, Line, Pie},
    Chart,
};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::collections::BTreeMap;

/// Our palette (style/base.css): sent, delivered, failed, opened, clicked.
const SENT: &str = "#4f46e5";
const DELIVERED: &str = "#15803d";
const FAILED: &str = "#b91c1c";
const OPENED: &str = "#0e7490";
const CLICKED: &str = "#a16207";
/// For things that are not figures (channels): the same colours in another order.
const CHANNELS: [&str; 3] = [SENT, OPENED, CLICKED];

/// `trigger`: a tooltip per axis position (bars, lines), or per item (slices);
/// `colors`: the series' (or the items') colours, in order.
fn spec(key: &str, title: &str, chart: Chart, trigger: Trigger, colors: &[&str]) -> ChartSpec {
    let chart = chart
        .tooltip(Tooltip::new().trigger(trigger))
        .color(colors.to_vec());
    ChartSpec {
        key: key.to_owned(),
        title: title.to_owned(),
        // An option is plain data (no JS functions), so serde's JSON is all ECharts needs.
        option: serde_json::to_string(&chart).unwrap_or_else(|_| "{}".to_owned()),
    }
}

fn value(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Sent, delivered and failed, a group of bars per channel.
pub fn by_channel(t: &Strings, key: &str, rows: &[ChannelStats]) -> ChartSpec {
    let d = t.dashboard;
    let names: Vec<String> = rows
        .iter()
        .map(|r| t.campaigns.channel_name(r.channel).to_owned())
        .collect();
    let bar = |name: &str, f: fn(&Counts) -> u64| {
        Bar::new()
            .name(name)
            .data(rows.iter().map(|r| value(f(&r.counts))).collect::<Vec<_>>())
    };
    let chart = Chart::new()
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().contain_label(true).top(16).bottom(40))
        .x_axis(Axis::new().type_(AxisType::Category).data(names))
        .y_axis(Axis::new().type_(AxisType::Value).min_interval(1))
        .series(bar(d.sent, |c| c.sent))
        .series(bar(d.delivered, |c| c.delivered))
        .series(bar(d.failed, |c| c.failed));
    spec(
        key,
        d.chart_by_channel,
        chart,
        Trigger::Axis,
        &[SENT, DELIVERED, FAILED],
    )
}

/// Sent as bars, opens and clicks as lines, over all channels, per bucket of the series
/// (hours for short periods, days for long ones), every bucket of `[from, to)` shown.
pub fn over_time(
    t: &Strings,
    key: &str,
    series: &[SeriesPoint],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    hourly: bool,
) -> ChartSpec {
    let d = t.dashboard;
    let step = if hourly {
        TimeDelta::hours(1)
    } else {
        TimeDelta::days(1)
    };
    let mut buckets: BTreeMap<DateTime<Utc>, (u64, u64, u64)> = BTreeMap::new();
    // A period is at most 400 days: as many buckets at most.
    let mut at = from.duration_trunc(step).unwrap_or(from);
    while at < to && buckets.len() < 24 * 400 {
        buckets.insert(at, (0, 0, 0));
        at += step;
    }
    for p in series {
        let b = buckets.entry(p.t).or_default();
        b.0 += p.sent;
        b.1 += p.opens;
        b.2 += p.clicks;
    }
    let format = if hourly { d.hour_format } else { d.day_format };
    let labels: Vec<String> = buckets
        .keys()
        .map(|t| t.format(format).to_string())
        .collect();
    let column =
        |f: fn(&(u64, u64, u64)) -> u64| buckets.values().map(|b| value(f(b))).collect::<Vec<_>>();
    let chart = Chart::new()
        .legend(Legend::new().bottom(0))
        .grid(Grid::new().contain_label(true).top(16).bottom(40))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value).min_interval(1))
        .series(Bar::new().name(d.sent).data(column(|b| b.0)))
        .series(Line::new().name(d.opens).data(column(|b| b.1)))
        .series(Line::new().name(d.clicks).data(column(|b| b.2)));
    spec(
        key,
        d.chart_over_time,
        chart,
        Trigger::Axis,
        &[SENT, OPENED, CLICKED],
    )
}

/// The share of each channel in the messages sent.
pub fn mix(t: &Strings, key: &str, rows: &[ChannelStats]) -> ChartSpec {
    let data: Vec<(i64, String)> = rows
        .iter()
        .filter(|r| r.counts.sent > 0)
        .map(|r| {
            (
                value(r.counts.sent),
                t.campaigns.channel_name(r.channel).to_owned(),
            )
        })
        .collect();
    let chart = Chart::new()
        .legend(Legend::new().bottom(0))
        .series(Pie::new().radius(vec!["40%", "68%"]).data(data));
    spec(key, t.dashboard.chart_mix, chart, Trigger::Item, &CHANNELS)
}

/// The steps from the audience to the clicks, each with its count.
pub fn funnel(t: &Strings, key: &str, steps: &[(&str, u64)]) -> ChartSpec {
    let data: Vec<(i64, String)> = steps
        .iter()
        .map(|(name, n)| (value(*n), (*name).to_owned()))
        .collect();
    // Widths in proportion to the first step; the steps only ever narrow, so ECharts'
    // default order (descending) keeps theirs.
    let widest = steps.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let chart = Chart::new().series(Funnel::new().min(0.0).max(widest as f64).gap(2).data(data));
    spec(
        key,
        t.dashboard.chart_funnel,
        chart,
        Trigger::Item,
        &[SENT, SENT, DELIVERED, OPENED, CLICKED],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{i18n::Locale, model::Channel};

    fn json(s: &ChartSpec) -> serde_json::Value {
        serde_json::from_str(&s.option).expect("an option is JSON")
    }

    #[test]
    fn options_carry_the_figures_and_the_page_language() {
        let rows = [
            ChannelStats {
                channel: Channel::Email,
                counts: Counts {
                    sent: 1_200,
                    delivered: 1_100,
                    failed: 36,
                    ..Counts::default()
                },
            },
            ChannelStats {
                channel: Channel::Sms,
                counts: Counts::default(),
            },
        ];
        let fr = Locale::Fr.strings();
        let bars = json(&by_channel(fr, "by-channel", &rows));
        assert_eq!(bars["series"][0]["data"], serde_json::json!([1200, 0]));
        assert_eq!(bars["series"][2]["data"], serde_json::json!([36, 0]));
        assert_eq!(bars["series"][1]["name"], fr.dashboard.delivered);
        assert_eq!(
            bars["xAxis"]["data"][0],
            fr.campaigns.channel_name(Channel::Email)
        );

        // A channel that sent nothing has no slice.
        let pie = json(&mix(fr, "mix", &rows));
        assert_eq!(pie["series"][0]["data"].as_array().map(Vec::len), Some(1));
        assert_eq!(pie["tooltip"]["trigger"], "item");

        let t0 = "2026-02-15T00:00:00Z".parse().unwrap();
        let point = |t, channel, sent, opens| SeriesPoint {
            t,
            channel,
            sent,
            delivered: sent,
            failed: 0,
            opens,
            clicks: 1,
        };
        let series = [
            point(t0, Channel::Email, 10, 4),
            point(t0, Channel::Push, 5, 2),
            point(t0 + chrono::TimeDelta::days(1), Channel::Email, 1, 0),
        ];
        // Every day of the period, with or without figures.
        let period = (
            t0 - chrono::TimeDelta::days(1),
            t0 + chrono::TimeDelta::days(2),
        );
        let time = json(&over_time(fr, "over-time", &series, period, false));
        assert_eq!(
            time["xAxis"]["data"],
            serde_json::json!(["14/02", "15/02", "16/02"])
        );
        assert_eq!(time["series"][0]["data"], serde_json::json!([0, 15, 1]));
        assert_eq!(time["series"][1]["data"], serde_json::json!([0, 6, 0]));
        let en = Locale::En.strings();
        let time = json(&over_time(
            en,
            "over-time",
            &series[..2],
            (t0, t0 + chrono::TimeDelta::hours(3)),
            true,
        ));
        assert_eq!(
            time["xAxis"]["data"],
            serde_json::json!(["Feb 15, 00:00", "Feb 15, 01:00", "Feb 15, 02:00"])
        );

        let steps = json(&funnel(en, "funnel", &[("Audience", 10), ("Sent", 9)]));
        assert_eq!(steps["series"][0]["data"][1]["value"], 9);
        assert_eq!(steps["series"][0]["data"][1]["name"], "Sent");
        assert_eq!(steps["series"][0]["max"], 10.0);
    }
}
