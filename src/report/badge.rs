//! Badges of the golden-path level: an SVG badge for a README (`badge`) and the JSON
//! that shields.io-style endpoint badges read (`shields`).
//!
//! A report with one repository shows its level; with several, the label says so and the
//! message is the lowest level any of them reaches ("golden path, lowest of 3 | bronze"),
//! so a badge of a monorepo never claims more than its weakest service. A run with no
//! rule that has a level is "unrated". Per-repository badges come from `--report` paths
//! holding `{repo}` (see [`super::ReportTarget::outputs`]).

use std::fmt::Write as _;

use serde::Serialize;

use super::Report;
use crate::finding::Level;

/// What a badge says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    /// The left text.
    pub label: String,
    /// The right text: the level, `none` or `unrated`.
    pub message: &'static str,
    /// The right colour, six hex digits.
    pub color: &'static str,
}

/// The badge of `report`.
pub fn of(report: &Report) -> Badge {
    let cards = &report.scorecards;
    let label = match cards.len() {
        0 | 1 => "golden path".to_string(),
        n => format!("golden path, lowest of {n}"),
    };
    let Some(lowest) = cards.iter().map(|c| c.level).min() else {
        return Badge {
            label,
            message: "unrated",
            color: "9f9f9f",
        };
    };
    let (message, color) = match lowest {
        Some(Level::Gold) => ("gold", "b8860b"),
        Some(Level::Silver) => ("silver", "708090"),
        Some(Level::Bronze) => ("bronze", "a0522d"),
        None => ("none", "e05d44"),
    };
    Badge {
        label,
        message,
        color,
    }
}

/// The shields endpoint JSON, with a trailing newline.
pub fn shields(report: &Report) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Endpoint<'a> {
        schema_version: u8,
        label: &'a str,
        message: &'a str,
        color: &'a str,
    }
    let badge = of(report);
    let endpoint = Endpoint {
        schema_version: 1,
        label: &badge.label,
        message: badge.message,
        color: badge.color,
    };
    let mut text = serde_json::to_string(&endpoint).unwrap_or_default();
    text.push('\n');
    text
}

/// Approximate advance widths of Verdana at 11px, the face badges are drawn in; the
/// `textLength` of each text makes the real font fit the computed box.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'f' | ' ' | ',' | '.' => 3.9,
            'i' | 'l' | 'j' => 3.1,
            't' => 4.3,
            'r' => 4.7,
            'c' | 's' | 'z' => 5.8,
            'm' => 10.7,
            'w' => 9.0,
            _ => 6.8,
        })
        .sum()
}

/// The SVG badge, flat style, 20px high, with a trailing newline.
pub fn svg(report: &Report) -> String {
    let badge = of(report);
    let label_text = text_width(&badge.label).round();
    let message_text = text_width(badge.message).round();
    let label_width = label_text + 10.0;
    let message_width = message_text + 10.0;
    let width = label_width + message_width;
    let title = format!("{}: {}", badge.label, badge.message);
    let mut out = String::new();
    let _ = write!(
        out,
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{title}">"##,
            r##"<title>{title}</title>"##,
            r##"<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>"##,
            r##"<clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>"##,
            r##"<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="#{color}"/><rect width="{w}" height="20" fill="url(#s)"/></g>"##,
            r##"<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">"##,
            r##"<text x="{lx}" y="15" fill="#010101" fill-opacity=".3" textLength="{lt}">{label}</text><text x="{lx}" y="14" textLength="{lt}">{label}</text>"##,
            r##"<text x="{mx}" y="15" fill="#010101" fill-opacity=".3" textLength="{mt}">{message}</text><text x="{mx}" y="14" textLength="{mt}">{message}</text>"##,
            "</g></svg>\n"
        ),
        w = width,
        lw = label_width,
        mw = message_width,
        lx = label_width / 2.0,
        mx = label_width + message_width / 2.0,
        lt = label_text,
        mt = message_text,
        title = title,
        label = badge.label,
        message = badge.message,
        color = badge.color,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::report;
    use crate::report::scorecard::{Scorecard, Tally};

    fn card(repository: &str, level: Option<Level>) -> Scorecard {
        Scorecard {
            repository: repository.into(),
            level,
            bronze: Tally::default(),
            silver: Tally::default(),
            gold: Tally::default(),
            failed_rules: Vec::new(),
        }
    }

    #[test]
    fn one_repository_shows_its_level_several_the_lowest() {
        let mut r = report(Vec::new(), &[]);
        assert_eq!(of(&r).message, "unrated");
        r.scorecards = vec![card("a", Some(Level::Silver))];
        assert_eq!(
            of(&r),
            Badge {
                label: "golden path".into(),
                message: "silver",
                color: "708090"
            }
        );
        r.scorecards.push(card("b", Some(Level::Gold)));
        r.scorecards.push(card("c", Some(Level::Bronze)));
        assert_eq!(of(&r).label, "golden path, lowest of 3");
        assert_eq!(of(&r).message, "bronze");
        r.scorecards.push(card("d", None));
        assert_eq!(of(&r).message, "none");
    }

    #[test]
    fn shields_endpoint_and_svg() {
        let mut r = report(Vec::new(), &[]);
        r.scorecards = vec![card("a", Some(Level::Gold))];
        assert_eq!(
            shields(&r),
            "{\"schemaVersion\":1,\"label\":\"golden path\",\"message\":\"gold\",\"color\":\"b8860b\"}\n"
        );
        let image = svg(&r);
        assert!(image.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""));
        assert!(image.contains("aria-label=\"golden path: gold\""));
        assert!(image.contains("fill=\"#b8860b\""));
        assert!(image.ends_with("</g></svg>\n"));
    }
}
