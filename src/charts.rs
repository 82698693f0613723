//! Charts drawn on the server as SVG: readable without JavaScript, printable, and
//! accessible (each chart has a title, a description and its figures as text).
//!
//! Pure functions from figures to markup. Colours come from CSS classes, never
//! inline styles, because the Content-Security-Policy forbids them.

use std::fmt::Write;

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
    let height = ROW_HEIGHT * bars.len() as f64 + 8.0;
    let width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
    let mut svg = String::with_capacity(400 + bars.len() * 400);
    let _ = write!(
        svg,
        r#"<svg class="chart bars" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">"#,
        escape(title)
    );
    for (index, bar) in bars.iter().enumerate() {
        let _ = write!(
            svg,
            "{}{}: {} ({}). ",
            if index > 0 { " " } else { "" },
            escape(&bar.label),
            lang.percent(bar.rate),
            escape(&bar.detail)
        );
    }
    svg.push_str("</desc>");
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
            "{}: {}. ",
            escape(label),
            lang.integer(i64::try_from(*count).unwrap_or(i64::MAX))
        );
    }
    svg.push_str("</desc>");
    let mut x = 0.0;
    for (_, class, count) in parts {
        if total == 0 || *count == 0 {
            continue;
        }
        let segment = *count as f64 / total as f64 * width;
        let _ = write!(
            svg,
            r#"<rect class="segment {}" x="{x:.1}" y="0" width="{segment:.1}" height="20" data-count="{count}"/>"#,
            escape(class)
        );
        x += segment;
    }
    for (index, (label, class, count)) in parts.iter().enumerate() {
        let column = (index % 3) as f64 * (width / 3.0);
        let y = 30.0 + 20.0 * (index / 3) as f64;
        let _ = write!(
            svg,
            r#"<rect class="segment {}" x="{column}" y="{y}" width="12" height="12"/><text class="legend" x="{}" y="{}">{} : {count}</text>"#,
            escape(class),
            column + 16.0,
            y + 11.0,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
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
            svg.contains("Abandonnée : 0"),
            "the legend lists every status"
        );
    }
}
