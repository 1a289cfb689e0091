//! The concise report: one line per finding, `path:line:col: severity[rule] message`
//! (`path: severity[rule] message` for a finding about a whole file), the form editors,
//! terminals and `grep` understand; then the notes, the summary line and one line per
//! scorecard.

use super::human::{
    headline, notes, scorecard_line, skipped_repositories, statistics, summary_line,
};
use super::{Listing, RenderOptions, Report};

/// Renders the concise report.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let paint = options.style.paint();
    let mut out = String::new();
    match options.listing {
        Listing::Findings => {
            for d in &report.diagnostics {
                out.push_str(&headline(d, &paint));
                out.push('\n');
            }
        }
        Listing::Statistics => out.push_str(&statistics(report, usize::MAX)),
        Listing::Summary => {}
    }
    if options.listing != Listing::Summary {
        out.push_str(&notes(report));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out.push_str(&skipped_repositories(report));
    for card in &report.scorecards {
        out.push_str(&scorecard_line(card));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn one_line_per_finding() {
        let report = sample::report(
            vec![
                sample::diagnostic(
                    "main.deny",
                    "k8s/a.yaml",
                    3,
                    "  image: x:latest",
                    "no\nlatest",
                ),
                sample::file_level("parse-error", "b.json", "cannot read"),
            ],
            &["k8s/a.yaml", "b.json"],
        );
        assert_eq!(
            render(&report, &RenderOptions::default()),
            "b.json: error[parse-error] cannot read\n\
             k8s/a.yaml:3:3: error[main.deny] no\\u{a}latest\n\
             2 files checked: 2 errors, 0 warnings, 0 info\n"
        );
        let quiet = RenderOptions {
            listing: Listing::Summary,
            ..RenderOptions::default()
        };
        assert_eq!(
            render(&report, &quiet),
            "2 files checked: 2 errors, 0 warnings, 0 info\n"
        );
    }
}
