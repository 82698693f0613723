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
const ROW_HEIGHT: f64 = 26.0;
const BAR_HEIGHT: f64 = 16.0;

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
    let height = ROW_HEIGHT * bars.len() as f64 + 8.0;
    let width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
    let mut svg = String::with_capacity(400 + bars.len() * 400);
    let _ = write!(
        svg,
        r#"<svg class="chart bars" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">"#,
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
        let y = 4.0 + ROW_HEIGHT * index as f64;
        let text_y = y + BAR_HEIGHT - 3.0;
        let _ = write!(
            svg,
            r#"<text class="label" x="{}" y="{text_y}" text-anchor="end">{}</text><rect class="track" x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}"/>"#,
            LABEL_WIDTH - 6.0,
            escape(&truncate(&bar.label, 34))
        );
        if let Some(rate) = bar.rate {
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{:.1}" height="{BAR_HEIGHT}" data-rate-permille="{}"/>"#,
                bar_length(rate),
                rate.per_mille_rounded()
            );
        }
        let _ = write!(
            svg,
            r#"<text class="value" x="{}" y="{text_y}">{} · {}</text>"#,
            LABEL_WIDTH + BAR_WIDTH + 6.0,
            escape(&lang.percent(bar.rate)),
            escape(&bar.detail)
        );
    }
    svg.push_str("</svg>");
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
    let legend_rows = parts.len().div_ceil(3) as f64;
    let height = 30.0 + 20.0 * legend_rows;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart statuses" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">"#,
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
    // last segment ends exactly at the full width.
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
    for (index, (label, class, count)) in parts.iter().enumerate() {
        let column = (index % 3) as f64 * (width / 3.0);
        let y = 30.0 + 20.0 * (index / 3) as f64;
        let _ = write!(
            svg,
            r#"<rect class="segment {}" x="{column:.1}" y="{y}" width="12" height="12"/><text class="legend" x="{:.1}" y="{}">{}</text>"#,
            escape(class),
            column + 16.0,
            y + 11.0,
            escape(&labelled(lang, label, &lang.integer(count_i64(*count))))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Geometry of the trend chart, in SVG user units: the plot leaves room on the
/// left for the y-axis values and on the right for the baseline and target labels.
const TREND_WIDTH: f64 = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
const TREND_HEIGHT: f64 = 220.0;
const PLOT_LEFT: f64 = 70.0;
const PLOT_RIGHT: f64 = TREND_WIDTH - 150.0;
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
mod tests {
    use super::*;

    /// The values of `attribute` on every `<tag` element, in order.
    fn attributes(svg: &str, tag: &str, attribute: &str) -> Vec<String> {
        svg.split(&format!("<{tag} "))
            .skip(1)
            .map(|element| element.split('>').next().unwrap_or(""))
            .filter_map(|element| {
                let start = element.find(&format!(" {attribute}=\""))? + attribute.len() + 3;
                Some(element[start..].split('"').next()?.to_owned())
            })
            .collect()
    }

    /// Every element that opens is closed, in order, and no text holds a raw `<`
    /// or `>` (escaping works): a tiny XML tag checker.
    fn assert_well_formed(svg: &str) {
        let mut open: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            assert!(!rest[..start].contains('>'), "stray > in {svg}");
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name), "in {svg}");
            } else if !tag.ends_with('/') {
                open.push(tag.split(' ').next().unwrap());
            }
            rest = &rest[end + 1..];
        }
        assert!(open.is_empty(), "unclosed {open:?}");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    }

    /// The values of `attribute` on every `<tag` element, parsed as numbers.
    fn numbers(svg: &str, tag: &str, attribute: &str) -> Vec<f64> {
        attributes(svg, tag, attribute)
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    }

    fn bar(label: &str, done: i128, planned: i128) -> Bar {
        Bar {
            label: label.to_owned(),
            rate: Ratio::new(done, planned),
            detail: format!("{done} / {planned}"),
        }
    }

    #[test]
    fn bar_lengths_are_proportional_to_the_rates() {
        let svg = bar_chart(
            "c",
            "Taux",
            &[bar("AP1", 32, 49), bar("AP2", 6, 5), bar("AP3", 0, 0)],
            Lang::Fr,
        );
        let widths: Vec<f64> = attributes(&svg, "rect class=\"bar\"", "width")
            .iter()
            .map(|w| w.parse().unwrap())
            .collect();
        // 32/49 of 400 = 261.22…; 120 % is capped at the full width; no rate, no bar
        assert_eq!(widths.len(), 2);
        assert!((widths[0] - 400.0 * 32.0 / 49.0).abs() < 0.1, "{widths:?}");
        assert_eq!(widths[1], 400.0);
        assert_eq!(
            attributes(&svg, "rect class=\"bar\"", "data-rate-permille"),
            ["653", "1200"]
        );
        assert!(
            svg.contains("120\u{a0}% · 6 / 5"),
            "the real rate is written: {svg}"
        );
        assert!(svg.contains("— · 0 / 0"));
    }

    #[test]
    fn text_is_escaped_and_tags_are_balanced() {
        let svg = bar_chart("c", "R&D <2025>", &[bar("Axe \"A\" & B", 1, 2)], Lang::En);
        assert!(svg.contains("<title id=\"c-title\">R&amp;D &lt;2025&gt;</title>"));
        assert!(svg.contains("Axe &quot;A&quot; &amp; B"));
        assert!(!svg.contains("\"A\""));
        for tag in ["svg", "text", "title", "desc"] {
            assert_eq!(
                svg.matches(&format!("<{tag}")).count(),
                svg.matches(&format!("</{tag}>")).count(),
                "{tag}"
            );
        }
    }

    #[test]
    fn a_bar_chart_carries_its_figures_as_text() {
        let svg = bar_chart(
            "c",
            "Taux",
            &[bar("AP1", 32, 49), bar("AP2", 0, 0)],
            Lang::En,
        );
        assert_well_formed(&svg);
        assert!(svg.contains(r#"role="img" aria-labelledby="c-title c-desc""#));
        assert!(svg.contains(r#"viewBox="0 0 740 60" width="100%""#));
        // on paper and for screen readers: the label, the rate and the detail
        assert!(svg.contains("<desc id=\"c-desc\">AP1: 65% (32 / 49). AP2: — (0 / 0).</desc>"));
        assert!(svg.contains(">65% · 32 / 49</text>"));
        assert!(!svg.contains("style="), "the CSP forbids inline styles");
    }

    #[test]
    fn status_segments_fill_the_width_in_proportion() {
        let parts = vec![
            ("Réalisée".to_owned(), "status-done", 32),
            ("En cours".to_owned(), "status-in_progress", 10),
            ("Non entamée".to_owned(), "status-not_started", 7),
            ("Abandonnée".to_owned(), "status-abandoned", 0),
        ];
        let svg = status_distribution("s", "États", &parts, Lang::Fr);
        let segments: Vec<(f64, u64)> = svg
            .split("<rect ")
            .skip(1)
            .filter(|e| e.contains("data-count"))
            .map(|e| {
                let width = e
                    .split("width=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let count = e
                    .split("data-count=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                (width, count)
            })
            .collect();
        assert_eq!(segments.len(), 3, "an empty status draws no segment");
        let full = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
        let sum: f64 = segments.iter().map(|(w, _)| w).sum();
        assert!((sum - full).abs() < 0.2);
        assert!((segments[0].0 - full * 32.0 / 49.0).abs() < 0.1);
        assert!(
            svg.contains("Abandonnée\u{a0}: 0"),
            "the legend lists every status"
        );
    }

    #[test]
    fn status_segments_are_contiguous_and_end_at_the_full_width() {
        // thirds do not round evenly: the edges must still meet
        let parts = vec![
            ("A".to_owned(), "status-done", 1),
            ("B".to_owned(), "status-in_progress", 1),
            ("C".to_owned(), "status-not_started", 1),
        ];
        let svg = status_distribution("s", "<États>", &parts, Lang::En);
        assert_well_formed(&svg);
        assert!(svg.contains("<title id=\"s-title\">&lt;États&gt;</title>"));
        let xs = numbers(&svg, "rect class=\"segment", "x");
        let widths = numbers(&svg, "rect class=\"segment", "width");
        // three segments then three legend swatches
        for i in 0..2 {
            assert!(
                (xs[i] + widths[i] - xs[i + 1]).abs() < 1e-9,
                "{xs:?} {widths:?}"
            );
        }
        let full = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
        assert!((xs[2] + widths[2] - full).abs() < 0.051);
        assert_eq!(attributes(&svg, "rect", "data-count"), ["1", "1", "1"]);
        assert!(svg.contains(">A: 1</text>"));
    }

    #[test]
    fn no_activity_draws_no_segment() {
        let parts = vec![("A".to_owned(), "status-done", 0)];
        let svg = status_distribution("s", "t", &parts, Lang::Fr);
        assert_well_formed(&svg);
        assert!(!svg.contains("data-count"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    fn periods(values: &[(&str, i64, u32)]) -> Vec<(String, Decimal)> {
        values
            .iter()
            .map(|(period, mantissa, scale)| {
                ((*period).to_owned(), Decimal::new(*mantissa, *scale))
            })
            .collect()
    }

    #[test]
    fn trend_points_run_left_to_right_and_rise_with_the_values() {
        let points = periods(&[
            ("2022", 125, 1),
            ("2023", 40, 0),
            ("2024", 30, 0),
            ("2025", 55, 0),
        ]);
        let svg = trend_line(
            "t",
            "Taux d'accès & <eau>",
            &points,
            Some(Decimal::from(10)),
            Some(Decimal::from(60)),
            Lang::Fr,
        );
        assert_well_formed(&svg);
        assert!(svg.contains("<title id=\"t-title\">Taux d&#39;accès &amp; &lt;eau&gt;</title>"));
        assert_eq!(
            attributes(&svg, "circle", "data-value"),
            ["12.5", "40", "30", "55"]
        );
        let xs = numbers(&svg, "circle", "cx");
        let ys = numbers(&svg, "circle", "cy");
        assert!(xs.windows(2).all(|pair| pair[0] < pair[1]), "{xs:?}");
        let values = [12.5, 40.0, 30.0, 55.0];
        for i in 0..4 {
            for j in 0..4 {
                if values[i] > values[j] {
                    assert!(ys[i] < ys[j], "{values:?} drawn at {ys:?}");
                }
            }
        }
        // y is linear in the value: equal steps of value, equal steps of y
        let per_unit = (ys[0] - ys[1]) / (40.0 - 12.5);
        assert!(((ys[2] - ys[3]) / (55.0 - 30.0) - per_unit).abs() < 0.01);
        // the polyline goes through the points, in order
        let line = attributes(&svg, "polyline", "points");
        let expected: Vec<String> = xs
            .iter()
            .zip(&ys)
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        assert_eq!(line, [expected.join(" ")]);
        // baseline and target: horizontal, dashed by their class, labelled, and
        // placed on the same scale (the target 60 is above every point, the
        // baseline 10 below them)
        let target_y = numbers(&svg, "line class=\"target\"", "y1")[0];
        let baseline_y = numbers(&svg, "line class=\"baseline\"", "y1")[0];
        assert_eq!(numbers(&svg, "line class=\"target\"", "y2")[0], target_y);
        assert!(ys.iter().all(|y| *y > target_y && *y < baseline_y));
        assert!(
            (PLOT_TOP..PLOT_BOTTOM).contains(&target_y),
            "padding keeps it inside"
        );
        assert!((PLOT_TOP..PLOT_BOTTOM).contains(&baseline_y));
        assert!(svg.contains(">Cible\u{a0}: 60</text>"));
        assert!(svg.contains(">Référence\u{a0}: 10</text>"));
        // the values are written, in the language's format
        assert!(svg.contains(">12,5</text>"));
        assert!(svg.contains("2022\u{a0}: 12,5. 2023\u{a0}: 40."));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn a_trend_without_baseline_target_or_points_still_draws() {
        let single = trend_line("t", "t", &periods(&[("T1", 7, 0)]), None, None, Lang::En);
        assert_well_formed(&single);
        assert_eq!(attributes(&single, "circle", "data-value"), ["7"]);
        assert!(!single.contains("<polyline"), "one point is not a line");
        assert!(!single.contains("class=\"target\"") && !single.contains("class=\"baseline\""));
        let flat = trend_line(
            "t",
            "t",
            &periods(&[("T1", 0, 0), ("T2", 0, 0)]),
            None,
            None,
            Lang::En,
        );
        assert_well_formed(&flat);
        let ys = numbers(&flat, "circle", "cy");
        assert_eq!(ys[0], ys[1]);
        assert!((PLOT_TOP..PLOT_BOTTOM).contains(&ys[0]));
        let empty = trend_line("t", "t", &[], None, Some(Decimal::from(5)), Lang::En);
        assert_well_formed(&empty);
        assert!(!empty.contains("<circle"));
        assert!(empty.contains(">Target: 5</text>"));
        let nothing = trend_line("t", "t", &[], None, None, Lang::En);
        assert_well_formed(&nothing);
        assert!(nothing.contains(">—</text>"));
        for svg in [&single, &flat, &empty, &nothing] {
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
    }
}
