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
    // Text in CSS pixels (no viewBox outside), the bars in 400 units stretched.
    assert!(svg.contains(r#"width="100%" height="88" role="img""#));
    assert!(svg.contains(r#"viewBox="0 0 400 88" preserveAspectRatio="none""#));
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
        .map(|(period, mantissa, scale)| ((*period).to_owned(), Decimal::new(*mantissa, *scale)))
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
