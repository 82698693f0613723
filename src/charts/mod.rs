//! Charts drawn on the server as SVG: readable without JavaScript, printable, and
//! accessible (each chart has a title, a description and its figures as text).
//!
//! Pure functions from figures to markup. Colours come from CSS classes, never
//! inline styles, because the Content-Security-Policy forbids them.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::i18n::Lang;
use crate::performance::Ratio;

/// Width of the drawing area of a bar, in SVG user units.
pub const BAR_WIDTH: f64 = 400.0;
const LABEL_WIDTH: f64 = 230.0;
const VALUE_WIDTH: f64 = 110.0;
/// A bar's row: its label above, then the bar with its figures at the end.
const BAR_ROW_HEIGHT: f64 = 42.0;
const BAR_HEIGHT: f64 = 14.0;
/// The share of the chart's width the bars take; their figures take the rest.
const BAR_AREA: &str = "72%";

/// One bar: a label, a rate and the figures behind it ("32 / 49").
pub struct Bar {
    pub label: String,
    pub rate: Option<Ratio>,
    pub detail: String,
}

/// The length of a bar for `rate`, exact up to floating point: rate × full width,
/// capped at the full width (a rate above 100 % is shown by its label).
pub fn bar_length(rate: Ratio) -> f64 {
    let fraction = rate.numerator() as f64 / rate.denominator() as f64;
    fraction.clamp(0.0, 1.0) * BAR_WIDTH
}

/// Horizontal bars, one per item, e.g. the execution rate per priority action.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar], lang: Lang) -> String {
    // Ids come from the page, not from users, but an attribute is no place to trust.
    let id = escape(id);
    let height = BAR_ROW_HEIGHT * bars.len() as f64 + 4.0;
    let mut svg = String::with_capacity(400 + bars.len() * 400);
    // No viewBox on the outer drawing: its text is in CSS pixels, as legible on
    // a phone as on a desktop. The bars are drawn in a nested drawing of
    // BAR_WIDTH units stretched across the width.
    let _ = write!(
        svg,
        r#"<svg class="chart bars" id="{id}" xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">"#,
        escape(title)
    );
    let sentences: Vec<String> = bars
        .iter()
        .map(|bar| {
            let figures = format!("{} ({})", lang.percent(bar.rate), bar.detail);
            labelled(lang, &bar.label, &figures)
        })
        .collect();
    let text = if sentences.is_empty() {
        "—".to_owned()
    } else {
        sentences.join(". ")
    };
    let _ = write!(svg, "{}.</desc>", escape(&text));
    for (index, bar) in bars.iter().enumerate() {
        let y = BAR_ROW_HEIGHT * index as f64;
        let _ = write!(
            svg,
            r#"<text class="label" x="0" y="{}">{}</text><text class="value" x="100%" y="{}" text-anchor="end">{} · {}</text>"#,
            y + 14.0,
            escape(&truncate(&bar.label, 60)),
            y + 32.0,
            escape(&lang.percent(bar.rate)),
            escape(&bar.detail)
        );
    }
    let _ = write!(
        svg,
        r#"<svg class="plot" x="0" y="0" width="{BAR_AREA}" height="{height}" viewBox="0 0 {BAR_WIDTH} {height}" preserveAspectRatio="none">"#
    );
    for (index, bar) in bars.iter().enumerate() {
        let y = BAR_ROW_HEIGHT * index as f64 + 20.0;
        let _ = write!(
            svg,
            r#"<rect class="track" x="0" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}"/>"#
        );
        if let Some(rate) = bar.rate {
            let _ = write!(
                svg,
                r#"<rect class="bar" x="0" y="{y}" width="{:.1}" height="{BAR_HEIGHT}" data-rate-permille="{}"/>"#,
                bar_length(rate),
                rate.per_mille_rounded()
            );
        }
    }
    svg.push_str("</svg></svg>");
    svg
}

/// One stacked bar of how many activities stand in each status, with a legend.
/// `parts` are (label, CSS class, count).
pub fn status_distribution(
    id: &str,
    title: &str,
    parts: &[(String, &str, u64)],
    lang: Lang,
) -> String {
    let id = escape(id);
    let total: u64 = parts.iter().map(|(_, _, count)| count).sum();
    let width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
    // Two legend entries a row: they must fit side by side on a phone.
    let legend_rows = parts.len().div_ceil(2) as f64;
    let height = 30.0 + 22.0 * legend_rows;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart statuses" id="{id}" xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">"#,
        escape(title)
    );
    for (label, _, count) in parts {
        let _ = write!(
            svg,
            "{}. ",
            escape(&labelled(lang, label, &lang.integer(count_i64(*count))))
        );
    }
    svg.push_str("</desc>");
    // Each segment spans from the running total before it to the running total
    // after it, both rounded to 0.1: the rounding errors do not add up, and the
    // last segment ends exactly at the full width (of a nested drawing
    // stretched across, so that the legend's text stays in CSS pixels).
    let _ = write!(
        svg,
        r#"<svg class="plot" x="0" y="0" width="100%" height="20" viewBox="0 0 {width} 20" preserveAspectRatio="none">"#
    );
    let edge = |running: u64| round_tenth(running as f64 / total as f64 * width);
    let mut running = 0;
    for (_, class, count) in parts {
        if total == 0 || *count == 0 {
            continue;
        }
        let start = edge(running);
        running += count;
        let end = edge(running);
        let _ = write!(
            svg,
            r#"<rect class="segment {}" x="{start:.1}" y="0" width="{:.1}" height="20" data-count="{count}"/>"#,
            escape(class),
            end - start
        );
    }
    svg.push_str("</svg>");
    for (index, (label, class, count)) in parts.iter().enumerate() {
        let column = if index % 2 == 0 { "0" } else { "50%" };
        let y = 30.0 + 22.0 * (index / 2) as f64;
        let _ = write!(
            svg,
            r#"<svg x="{column}" y="{y}" width="50%" height="16"><rect class="swatch {}" x="0" y="1" width="12" height="12"/><text class="legend" x="18" y="12">{}</text></svg>"#,
            escape(class),
            escape(&labelled(lang, label, &lang.integer(count_i64(*count))))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Geometry of the trend chart, in SVG user units: the plot leaves room on the
/// left for the y-axis values and on the right for the baseline and target labels.
const TREND_WIDTH: f64 = 480.0;
const TREND_HEIGHT: f64 = 220.0;
const PLOT_LEFT: f64 = 70.0;
const PLOT_RIGHT: f64 = TREND_WIDTH - 130.0;
const PLOT_TOP: f64 = 22.0;
const PLOT_BOTTOM: f64 = TREND_HEIGHT - 30.0;

/// An indicator's values over periods as a line, with its baseline and target as
/// dashed horizontal lines. `points` are (period label, value), oldest first.
///
/// The y scale runs from the smallest to the largest of the values, baseline and
/// target, padded by a tenth of that span so no point sits on the frame.
pub fn trend_line(
    id: &str,
    title: &str,
    points: &[(String, Decimal)],
    baseline: Option<Decimal>,
    target: Option<Decimal>,
    lang: Lang,
) -> String {
    let id = escape(id);
    let baseline_label = lang.t("indicator.baseline");
    let target_label = lang.t("indicator.target");
    let mut svg = String::with_capacity(600 + points.len() * 250);
    let _ = write!(
        svg,
        r#"<svg class="chart trend" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">"#,
        escape(title)
    );
    // The description carries every figure, for screen readers and for when the
    // picture is not shown.
    let mut sentences: Vec<String> = points
        .iter()
        .map(|(period, value)| labelled(lang, period, &lang.quantity(*value)))
        .collect();
    for (label, value) in [(&baseline_label, baseline), (&target_label, target)] {
        if let Some(value) = value {
            sentences.push(labelled(lang, label, &lang.quantity(value)));
        }
    }
    if sentences.is_empty() {
        sentences.push("—".to_owned());
    }
    let _ = write!(svg, "{}.</desc>", escape(&sentences.join(". ")));

    let scale = YScale::of(
        points
            .iter()
            .map(|(_, value)| *value)
            .chain(baseline)
            .chain(target),
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}"/>"#
    );
    let Some(scale) = scale else {
        // Nothing measured yet: an empty frame with a dash, not a misleading line.
        let _ = write!(
            svg,
            r#"<text class="value" x="{:.1}" y="{:.1}" text-anchor="middle">—</text></svg>"#,
            (PLOT_LEFT + PLOT_RIGHT) / 2.0,
            (PLOT_TOP + PLOT_BOTTOM) / 2.0
        );
        return svg;
    };
    // The smallest and largest figures on the axis, so the reader can gauge the
    // line (one tick when they are equal).
    let ticks = if scale.max > scale.min {
        vec![scale.min, scale.max]
    } else {
        vec![scale.min]
    };
    for value in ticks {
        let _ = write!(
            svg,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            PLOT_LEFT - 6.0,
            scale.y(value) + 4.0,
            escape(&lang.quantity(value))
        );
    }
    for (class, label, value) in [
        ("baseline", &baseline_label, baseline),
        ("target", &target_label, target),
    ] {
        let Some(value) = value else { continue };
        let y = scale.y(value);
        let _ = write!(
            svg,
            r#"<line class="{class}" x1="{PLOT_LEFT}" y1="{y:.1}" x2="{PLOT_RIGHT}" y2="{y:.1}"/><text class="{class}-label" x="{:.1}" y="{:.1}">{}</text>"#,
            PLOT_RIGHT + 6.0,
            y + 4.0,
            escape(&labelled(lang, label, &lang.quantity(value)))
        );
    }
    // Periods are evenly spaced: they are reporting periods, not dates.
    let step = if points.len() > 1 {
        (PLOT_RIGHT - PLOT_LEFT - 40.0) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |index: usize| {
        if points.len() > 1 {
            PLOT_LEFT + 20.0 + step * index as f64
        } else {
            (PLOT_LEFT + PLOT_RIGHT) / 2.0
        }
    };
    if points.len() > 1 {
        svg.push_str(r#"<polyline class="line" points=""#);
        for (index, (_, value)) in points.iter().enumerate() {
            let separator = if index > 0 { " " } else { "" };
            let _ = write!(svg, "{separator}{:.1},{:.1}", x_of(index), scale.y(*value));
        }
        svg.push_str(r#""/>"#);
    }
    // Period labels get as many characters as the spacing allows (about 6.5
    // units per character at 12px), so neighbours do not overlap.
    let label_chars = if step > 0.0 {
        ((step / 6.5) as usize).clamp(3, 16)
    } else {
        16
    };
    for (index, (period, value)) in points.iter().enumerate() {
        let (x, y) = (x_of(index), scale.y(*value));
        let _ = write!(
            svg,
            r#"<circle class="point" cx="{x:.1}" cy="{y:.1}" r="3.5" data-value="{}"/><text class="value" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="period" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            value.normalize(),
            y - 8.0,
            escape(&lang.quantity(*value)),
            PLOT_BOTTOM + 18.0,
            escape(&truncate(period, label_chars))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The vertical scale of a trend chart. `min` and `max` are the extreme figures
/// (printed as ticks); `low` and `high` the padded bounds of the plot, as floats
/// because they only place marks (and float arithmetic cannot overflow).
struct YScale {
    min: Decimal,
    max: Decimal,
    low: f64,
    high: f64,
}

impl YScale {
    /// `None` when there is no value at all to draw.
    fn of(values: impl Iterator<Item = Decimal>) -> Option<YScale> {
        let (min, max) = values.fold(None, |range: Option<(Decimal, Decimal)>, value| {
            Some(range.map_or((value, value), |(lo, hi)| (lo.min(value), hi.max(value))))
        })?;
        let (low, high) = (to_f64(min), to_f64(max));
        // A flat series still needs a height: pad by a tenth of its size (or by
        // one when it is zero), so the line sits in the middle.
        let padding = if high > low {
            (high - low) / 10.0
        } else {
            (high.abs() / 10.0).max(1.0)
        };
        Some(YScale {
            min,
            max,
            low: low - padding,
            high: high + padding,
        })
    }

    /// The y coordinate of `value`: higher values are drawn higher, so lower y.
    fn y(&self, value: Decimal) -> f64 {
        let fraction = (to_f64(value) - self.low) / (self.high - self.low);
        PLOT_BOTTOM - fraction * (PLOT_BOTTOM - PLOT_TOP)
    }
}

/// A decimal as a float, for coordinates only (figures are printed from the
/// decimal itself).
fn to_f64(value: Decimal) -> f64 {
    value.mantissa() as f64 / 10f64.powi(value.scale() as i32)
}

/// "Label : value" in French (a no-break space before the colon), "Label: value"
/// in English.
fn labelled(lang: Lang, label: &str, value: &str) -> String {
    match lang {
        Lang::Fr => format!("{label}\u{a0}: {value}"),
        Lang::En => format!("{label}: {value}"),
    }
}

/// Counts are u64 but `Lang::integer` takes i64; no count of activities comes near.
fn count_i64(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Rounds to one decimal, the precision the charts print coordinates with.
fn round_tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Escapes text for SVG (XML) content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Long labels are cut on the chart (the description keeps them whole).
fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max_chars - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests;
