//! Small inline SVG charts for the HTML report: no script, no external assets, so the file
//! prints and mails as it is.

use std::fmt::Write as _;

/// Text safe inside HTML or SVG markup.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

pub const INK: &str = "#1d2733";
pub const MUTED: &str = "#6b7785";
pub const GRID: &str = "#e3e7ec";
pub const ACCENT: &str = "#1f5f8b";
pub const GOOD: &str = "#2a8c82";
pub const BAD: &str = "#c0503a";
pub const NEUTRAL: &str = "#9aa6b2";

/// The smallest of 1, 2, 2.5, 5 × a power of ten at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * mag)
}

/// Round tick values covering `lo..=hi`, about `target` of them.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).ceil() * step;
    let mut out = Vec::new();
    let mut k = 0;
    loop {
        let v = start + k as f64 * step;
        if v > hi + step * 1e-9 {
            break;
        }
        // Avoid "-0" and float noise such as 0.30000000000000004.
        out.push(if v.abs() < step * 1e-9 {
            0.0
        } else {
            (v / step).round() * step
        });
        k += 1;
    }
    out
}

fn open(svg: &mut String, w: f64, h: f64, label: &str) {
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{}" font-family="inherit" font-size="12">"#,
        esc(label)
    );
}

/// A histogram of `values` between `lo` and `hi` in `bins` equal bins (values outside go to
/// the end bins). `color` picks each bar's fill from its bin's midpoint.
pub fn histogram(
    values: &[f64],
    lo: f64,
    hi: f64,
    bins: usize,
    x_label: &str,
    fmt_x: &dyn Fn(f64) -> String,
    color: &dyn Fn(f64) -> &'static str,
) -> String {
    let (w, h) = (680.0, 230.0);
    let (ml, mr, mt, mb) = (52.0, 18.0, 14.0, 50.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let bins = bins.max(1);
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let mut counts = vec![0usize; bins];
    for v in values.iter().filter(|v| v.is_finite()) {
        let k = (((v - lo) / width).floor().max(0.0) as usize).min(bins - 1);
        counts[k] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    open(&mut s, w, h, x_label);
    let mut yt = nice_ticks(0.0, max, 4);
    // The tallest bar ends at or below a labelled gridline.
    if let [.., a, b] = yt[..]
        && b < max
    {
        yt.push(b + (b - a));
    }
    let top = yt.last().copied().unwrap_or(max).max(max);
    let y = |c: f64| mt + ph - ph * c / top;
    for t in &yt {
        let _ = write!(
            s,
            r#"<line x1="{ml}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{GRID}"/><text x="{}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            ml + pw,
            ml - 6.0,
            y(*t) + 4.0,
            t,
            y = y(*t)
        );
    }
    let bw = pw / bins as f64;
    for (k, c) in counts.iter().enumerate() {
        if *c == 0 {
            continue;
        }
        let x = ml + k as f64 * bw;
        let mid = lo + (k as f64 + 0.5) * width;
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}–{}: {c}</title></rect>"#,
            x + 0.5,
            y(*c as f64),
            (bw - 1.0).max(0.5),
            mt + ph - y(*c as f64),
            color(mid),
            esc(&fmt_x(lo + k as f64 * width)),
            esc(&fmt_x(lo + (k + 1) as f64 * width)),
        );
    }
    let _ = write!(
        s,
        r#"<line x1="{ml}" x2="{}" y1="{b}" y2="{b}" stroke="{INK}"/>"#,
        ml + pw,
        b = mt + ph
    );
    for t in nice_ticks(lo, hi, 6) {
        let x = ml + pw * (t - lo) / (hi - lo).max(f64::MIN_POSITIVE);
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{b}" y2="{}" stroke="{INK}"/><text x="{x:.1}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
            mt + ph + 4.0,
            mt + ph + 17.0,
            esc(&fmt_x(t)),
            b = mt + ph
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}">{}</text><text transform="translate(13 {}) rotate(-90)" text-anchor="middle" fill="{INK}">Providers</text></svg>"#,
        ml + pw / 2.0,
        h - 8.0,
        esc(x_label),
        mt + ph / 2.0
    );
    s
}

/// Horizontal bars from a zero line, one per labelled value (negative values to the left).
pub fn hbars(rows: &[(String, f64)], fmt: &dyn Fn(f64) -> String, label: &str) -> String {
    let row_h = 24.0;
    let (ml, mr, mt, mb) = (190.0, 90.0, 8.0, 8.0);
    let w = 680.0;
    let h = mt + mb + row_h * rows.len().max(1) as f64;
    let pw = w - ml - mr;
    let finite: Vec<f64> = rows.iter().map(|r| r.1).filter(|v| v.is_finite()).collect();
    let lo = finite.iter().copied().fold(0.0, f64::min);
    let hi = finite.iter().copied().fold(0.0, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |v: f64| ml + pw * (v - lo) / span;
    let mut s = String::new();
    open(&mut s, w, h, label);
    for (k, (name, v)) in rows.iter().enumerate() {
        let yc = mt + row_h * k as f64 + row_h / 2.0;
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text>"#,
            ml - 8.0,
            yc + 4.0,
            esc(name)
        );
        if !v.is_finite() {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" fill="{MUTED}">no data</text>"#,
                x(0.0) + 4.0,
                yc + 4.0
            );
            continue;
        }
        let (x0, x1) = if *v >= 0.0 {
            (x(0.0), x(*v))
        } else {
            (x(*v), x(0.0))
        };
        let fill = if *v < 0.0 { BAD } else { ACCENT };
        let _ = write!(
            s,
            r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}" rx="2"/>"#,
            yc - row_h * 0.32,
            (x1 - x0).max(1.0),
            row_h * 0.64
        );
        let (tx, anchor) = if *v >= 0.0 {
            (x1 + 5.0, "start")
        } else {
            (x0 - 5.0, "end")
        };
        let _ = write!(
            s,
            r#"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" fill="{INK}">{}</text>"#,
            yc + 4.0,
            esc(&fmt(*v))
        );
    }
    let _ = write!(
        s,
        r#"<line x1="{z:.1}" x2="{z:.1}" y1="{mt}" y2="{}" stroke="{INK}"/></svg>"#,
        h - mb,
        z = x(0.0)
    );
    s
}

/// One phase on the timeline.
pub struct Span {
    pub label: String,
    /// Months from the first phase's start.
    pub start: f64,
    pub months: f64,
    pub color: &'static str,
}

/// A Gantt-style strip of phases with year marks; `origin` is (year, month) of month 0.
pub fn timeline(spans: &[Span], origin: Option<(i32, u32)>) -> String {
    let row_h = 30.0;
    let (ml, mr, mt, mb) = (16.0, 16.0, 8.0, 30.0);
    let w = 680.0;
    let h = mt + mb + row_h * spans.len().max(1) as f64;
    let pw = w - ml - mr;
    let end = spans.iter().map(|s| s.start + s.months).fold(1.0, f64::max);
    let x = |m: f64| ml + pw * m / end;
    let mut s = String::new();
    open(&mut s, w, h, "Phases timeline");
    // Year (or 12-month) marks.
    let first = origin.map_or(0.0, |(_, m)| (13 - m as i32).rem_euclid(12) as f64);
    let mut m = first;
    while m <= end + 1e-9 {
        let label = match origin {
            Some((y, mo)) => format!("{}", y + ((mo as f64 - 1.0 + m) / 12.0).floor() as i32),
            None => format!("month {}", m as i64),
        };
        let _ = write!(
            s,
            r#"<line x1="{xx:.1}" x2="{xx:.1}" y1="{mt}" y2="{}" stroke="{GRID}"/><text x="{xx:.1}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
            h - mb + 4.0,
            h - mb + 18.0,
            esc(&label),
            xx = x(m)
        );
        m += 12.0;
    }
    for (k, sp) in spans.iter().enumerate() {
        let y = mt + row_h * k as f64 + 4.0;
        let (x0, x1) = (x(sp.start), x(sp.start + sp.months));
        let _ = write!(
            s,
            r#"<rect x="{x0:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" rx="4" fill="{}"/>"#,
            (x1 - x0).max(2.0),
            row_h - 8.0,
            sp.color
        );
        // The label sits inside the bar when it fits, else after it (or before it at the end).
        let fits = (x1 - x0) > 7.0 * sp.label.chars().count() as f64 + 12.0;
        let (tx, anchor, fill) = if fits {
            (x0 + 8.0, "start", "#ffffff")
        } else if x1 + 8.0 + 7.0 * sp.label.chars().count() as f64 <= w {
            (x1 + 6.0, "start", INK)
        } else {
            (x0 - 6.0, "end", INK)
        };
        let _ = write!(
            s,
            r#"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
            y + (row_h - 8.0) / 2.0 + 4.0,
            esc(&sp.label)
        );
    }
    s.push_str("</svg>");
    s
}

/// A scatter of y on x with a least-squares line.
#[allow(clippy::too_many_arguments)]
pub fn scatter(
    xs: &[f64],
    ys: &[f64],
    line: Option<(f64, f64)>,
    x_label: &str,
    y_label: &str,
    fmt_x: &dyn Fn(f64) -> String,
    fmt_y: &dyn Fn(f64) -> String,
) -> String {
    let (w, h) = (680.0, 280.0);
    let (ml, mr, mt, mb) = (64.0, 18.0, 14.0, 50.0);
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let pts: Vec<(f64, f64)> = xs
        .iter()
        .zip(ys)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for (a, b) in &pts {
        x0 = x0.min(*a);
        x1 = x1.max(*a);
        y0 = y0.min(*b);
        y1 = y1.max(*b);
    }
    if pts.is_empty() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    y0 = y0.min(0.0);
    y1 = y1.max(0.0);
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let xt = nice_ticks(x0, x1, 6);
    let mut yt = nice_ticks(y0, y1, 5);
    // Close the plot on a labelled gridline rather than on the highest point.
    if let [.., a, b] = yt[..]
        && b < y1
    {
        yt.push(b + (b - a));
        y1 = b + (b - a);
    }
    let px = |v: f64| ml + pw * (v - x0) / (x1 - x0);
    let py = |v: f64| mt + ph - ph * (v - y0) / (y1 - y0);
    let mut s = String::new();
    open(&mut s, w, h, y_label);
    for t in &yt {
        let stroke = if *t == 0.0 { INK } else { GRID };
        let _ = write!(
            s,
            r#"<line x1="{ml}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{stroke}"/><text x="{}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            ml + pw,
            ml - 6.0,
            py(*t) + 4.0,
            esc(&fmt_y(*t)),
            y = py(*t)
        );
    }
    for t in &xt {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
            px(*t),
            mt + ph + 17.0,
            esc(&fmt_x(*t))
        );
    }
    for (a, b) in &pts {
        let _ = write!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.6" fill="{ACCENT}" fill-opacity="0.45"/>"#,
            px(*a),
            py(*b)
        );
    }
    if let Some((slope, intercept)) = line
        && slope.is_finite()
        && intercept.is_finite()
    {
        let (ya, yb) = (intercept + slope * x0, intercept + slope * x1);
        let _ = write!(
            s,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{BAD}" stroke-width="2"/>"#,
            px(x0),
            py(ya.clamp(y0, y1)),
            px(x1),
            py(yb.clamp(y0, y1))
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{INK}">{}</text><text transform="translate(14 {}) rotate(-90)" text-anchor="middle" fill="{INK}">{}</text></svg>"#,
        ml + pw / 2.0,
        h - 8.0,
        esc(x_label),
        mt + ph / 2.0,
        esc(y_label)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 7.0, 4), vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(nice_ticks(-0.3, 0.3, 3), vec![-0.2, 0.0, 0.2]);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
