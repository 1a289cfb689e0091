//! The dashboard at scale: a run with about 100,000 findings over 100 repositories, its
//! page's size, and how long headless Chromium takes to open it and to filter, sort and
//! page through it.
//!
//! ```sh
//! cargo bench --bench dashboard                # 100000 findings, 5 runs
//! cargo bench --bench dashboard -- 250000 3    # FINDINGS RUNS
//! ```
//!
//! The repositories are generated under `target/bench-dashboard/` (each file's items are
//! flagged by `fixtures/dashboard/many.rego`: errors, warnings and info with excerpts).
//! Times are medians of the runs; the generation time of the page is given as a ratio
//! to the same run writing the JSON report (the baseline), as these machines are shared
//! and noisy. Needs Chromium (`apt-get install chromium`).

#[path = "../tests/browser/mod.rs"]
mod browser;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Findings per generated item (an error for 1 in 3, a warning for 2 in 15, an info for
/// 1 in 7).
const PER_ITEM: f64 = 0.61;
/// Repositories.
const REPOSITORIES: usize = 100;
/// Files per repository.
const FILES: usize = 4;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Writes the repositories for about `findings` findings; gives their paths.
fn generate(dir: &Path, findings: usize) -> Vec<String> {
    let items = (findings as f64 / PER_ITEM / (REPOSITORIES * FILES) as f64).ceil() as usize;
    let _ = std::fs::remove_dir_all(dir);
    let mut repositories = Vec::new();
    for r in 0..REPOSITORIES {
        let name = format!("service-{r:03}");
        for f in 0..FILES {
            let mut text = format!("# service {r}, file {f}\nitems:\n");
            for i in 0..items {
                let kind = match (i + r + f) % 15 {
                    0 | 3 | 6 | 9 | 12 => "bad",
                    5 | 10 => "old",
                    _ => "ok",
                };
                text.push_str(&format!("  - name: item-{r}-{f}-{i}\n    kind: {kind}\n"));
                if (i + f) % 7 != 0 {
                    text.push_str("    owner: team-platform\n");
                }
            }
            let path = dir.join(&name).join(format!("config/items-{f:03}.yaml"));
            std::fs::create_dir_all(path.parent().expect("a directory")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
        }
        repositories.push(name);
    }
    repositories
}

fn goldenpath(dir: &Path, repositories: &[String], report: &[&str]) -> Duration {
    let policy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/dashboard/many.rego");
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_goldenpath"))
        .current_dir(dir)
        // Each generated directory is a repository of its own, not a part of this
        // checkout (whose .git is above target/).
        .env("GIT_CEILING_DIRECTORIES", dir)
        .args(["check", "--no-fail", "-p"])
        .arg(&policy)
        .args(report)
        .args(repositories)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("goldenpath runs");
    assert!(status.success(), "goldenpath failed: {status}");
    start.elapsed()
}

/// Evaluates `expression` in the page, timed.
fn timed(b: &mut browser::Browser, expression: &str) -> Duration {
    let start = Instant::now();
    b.eval(expression);
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let findings: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-dashboard");
    let tree = root.join("repositories");
    let repositories = generate(&tree, findings);
    let page = root.join("dashboard.html");
    let page_arg = format!("--report=html={}", page.display());

    let mut json = Vec::new();
    let mut html = Vec::new();
    for _ in 0..runs {
        json.push(goldenpath(&tree, &repositories, &["--format", "json"]));
        html.push(goldenpath(
            &tree,
            &repositories,
            &["--format", "json", &page_arg],
        ));
    }
    let (json, html) = (median(json), median(html));
    let size = std::fs::metadata(&page).expect("the page").len();
    let text = std::fs::read_to_string(&page).expect("the page");
    let total = text
        .rsplit("\"total\":")
        .next()
        .and_then(|t| t.split(',').next())
        .unwrap_or("?")
        .to_string();
    println!("findings: {total} in {} repositories", repositories.len());
    println!(
        "page: {size} bytes ({:.1} MiB), {} bytes per finding",
        size as f64 / (1 << 20) as f64,
        total.parse::<u64>().map_or(0, |n| size / n.max(1))
    );
    println!(
        "check with --format json: {json:.2?}; with the dashboard too: {html:.2?} ({:.2}x)",
        html.as_secs_f64() / json.as_secs_f64()
    );

    let Some(mut b) = browser::require() else {
        return;
    };
    let mut loads = Vec::new();
    let mut filters = Vec::new();
    let mut searches = Vec::new();
    let mut sorts = Vec::new();
    let mut pages = Vec::new();
    for _ in 0..runs {
        loads.push(b.open_file(&page));
        filters.push(timed(
            &mut b,
            "(() => { const s = document.querySelector('#gp-filters [name=severity]'); s.value = '1'; s.dispatchEvent(new Event('change', {bubbles: true})); })()",
        ));
        searches.push(timed(
            &mut b,
            "(() => { const s = document.querySelector('#gp-filters [name=severity]'); s.value = ''; const q = document.querySelector('#gp-filters [name=q]'); q.value = 'item-42-'; q.form.dispatchEvent(new Event('submit', {cancelable: true})); })()",
        ));
        sorts.push(timed(
            &mut b,
            "document.querySelector('#findings-table th[data-key=message] button').click()",
        ));
        pages.push(timed(
            &mut b,
            "document.querySelector('.pager [data-page=last]').click()",
        ));
        let log = b.take_log();
        assert!(log.errors.is_empty(), "console errors: {:?}", log.errors);
    }
    println!(
        "browser (median of {runs}): load {:.0?}, filter by severity {:.0?}, search {:.0?}, sort by message {:.0?}, last page {:.0?}",
        median(loads),
        median(filters),
        median(searches),
        median(sorts),
        median(pages)
    );
}
