//! The dashboard (`--format html`, `--report html=PATH`) and the badges: snapshots of what
//! the binary writes, and the page in a real headless Chromium (`tests/browser`), which
//! must load without console errors or requests, show each repository's level, filter,
//! sort and page, work from the keyboard, with JavaScript off and in print, and run no
//! script from a repository full of `</script><script>alert(1)</script>`.
//!
//! Without Chromium the browser tests skip on a developer's machine and fail in CI.
//! The demo's screenshot is saved as `target/dashboard/dashboard.png` (a CI artifact).

mod browser;
mod common;

use std::path::{Path, PathBuf};

use common::{fixtures, goldenpath, root, write};
use serde_json::Value;

/// The bundled demo repositories, as the README's dashboard shows them (the demo first:
/// its goldenpath.toml, which only makes it a repository root, is the run's).
const DEMO: [&str; 4] = [
    "golden-demo",
    "scorecard/none",
    "scorecard/bronze",
    "scorecard/gold",
];

/// The style sheet and script replaced by placeholders, and the hashes of the policy:
/// the snapshot is of the generated markup and data.
fn redact_assets(html: &str) -> String {
    let cut = |text: &str, open: &str, close: &str, placeholder: &str| -> String {
        let start = text.find(open).expect("the opening tag") + open.len();
        let end = start + text[start..].find(close).expect("the closing tag");
        format!("{}{placeholder}{}", &text[..start], &text[end..])
    };
    let html = cut(html, "<style>", "</style>", "[dashboard.css]");
    let html = cut(&html, "<script>", "</script>", "[dashboard.js]");
    let sha = regex::Regex::new(r"'sha256-[A-Za-z0-9+/=]{44}'").expect("a regex");
    let html = sha.replace_all(&html, "'sha256-[HASH]'").into_owned();
    html.replace(
        &format!("goldenpath {}", env!("CARGO_PKG_VERSION")),
        "goldenpath [VERSION]",
    )
}

#[test]
fn the_html_of_two_repositories() {
    let out = goldenpath("")
        .args(["check", "--no-fail", "--format", "html"])
        .args(["scorecard/bronze", "scorecard/gold"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("two_repositories_html", redact_assets(&out.stdout));
}

#[test]
fn same_bytes_with_one_thread_or_many_and_a_time_only_when_asked() {
    let run = |threads: &str| {
        goldenpath("")
            .args(["check", "--no-fail", "--format", "html", threads])
            .args(DEMO)
            .run()
            .stdout
    };
    let one = run("-j1");
    assert_eq!(one, run("-j4"));
    assert!(!one.contains(" UTC"));
    let dated = goldenpath("")
        .args(["check", "--no-fail", "--format", "html"])
        .arg("scorecard/gold")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .run()
        .stdout;
    assert!(dated.contains("Made by goldenpath"));
    assert!(dated.contains(" on 2023-11-14 22:13 UTC."), "{dated}");
}

#[test]
fn badges_per_repository() {
    let temp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(temp.path().join("badges")).expect("mkdir");
    let badge = temp.path().join("badges/{repo}.svg");
    let shields = temp.path().join("{repo}.json");
    let out = goldenpath("")
        .args(["check", "--no-fail", "--format", "badge"])
        .args(DEMO)
        .arg(format!("--report=badge={}", badge.display()))
        .arg(format!("--report=shields={}", shields.display()))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("aria-label=\"golden path, lowest of 4: none\""),
        "on standard output, the badge of the whole run: {}",
        out.stdout
    );
    let mut endpoints = String::new();
    for name in [
        "scorecard-none",
        "scorecard-bronze",
        "scorecard-gold",
        "golden-demo",
    ] {
        let text = std::fs::read_to_string(temp.path().join(format!("{name}.json")))
            .expect("one endpoint per repository");
        endpoints.push_str(&format!("{name}: {text}"));
        let svg = std::fs::read_to_string(temp.path().join(format!("badges/{name}.svg")))
            .expect("one badge per repository");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }
    insta::assert_snapshot!("shields_endpoints", endpoints);
    let gold = std::fs::read_to_string(temp.path().join("badges/scorecard-gold.svg"))
        .expect("the gold badge");
    insta::assert_snapshot!("badge_gold_svg", gold);
}

#[test]
fn repo_placeholder_is_for_the_dashboard_and_badges() {
    let out = goldenpath("")
        .args(["check", "--report", "sarif={repo}.sarif", "scorecard/gold"])
        .run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "`{repo}` in a report path is for html, badge and shields reports, not sarif"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn suppressed_findings_are_shown_apart_with_their_reasons() {
    let policy = fixtures().join("suppress/policy");
    let run = |format: &str| {
        goldenpath("suppress/inline")
            .env("GOLDENPATH_TODAY", "2027-01-15")
            .args(["check", "--no-fail", "--format", format, "-p"])
            .arg(&policy)
            .run()
    };
    let report = run("json").json();
    let suppressed = report["suppressed"]
        .as_array()
        .expect("suppressed findings");
    assert!(!suppressed.is_empty());
    let html = run("html").stdout;
    let (findings, apart) = html
        .split_once("<section id=\"suppressed\"")
        .expect("a section of their own");
    assert!(apart.contains(&format!(
        "Suppressed findings <span class=\"count\">({})</span>",
        suppressed.len()
    )));
    let rows: Vec<&str> = apart
        .split("</tbody>")
        .next()
        .expect("a table")
        .lines()
        .filter(|l| l.starts_with("<tr><td>"))
        .collect();
    assert_eq!(rows.len(), suppressed.len());
    for (row, s) in rows.iter().zip(suppressed) {
        let location = format!(
            "<code>{}:{}:{}</code>",
            s["file"].as_str().unwrap_or(""),
            s["line"],
            s["column"]
        );
        assert!(row.contains(&location), "{row} has {location}");
        match s["suppression"]["reason"].as_str() {
            Some(reason) => assert!(row.contains(&format!("<td>{reason} ")), "{row}: {reason}"),
            None => assert!(row.contains("no reason given"), "{row}"),
        }
    }
    // Not among the findings, and counted apart.
    let table = findings
        .split("id=\"findings-table\"")
        .nth(1)
        .expect("findings");
    assert!(
        table.contains("<td class=\"loc\"><code>"),
        "rows as matched below"
    );
    for s in suppressed {
        let row = format!(
            "<td class=\"loc\"><code>{}:{}:{}</code></td><td class=\"rule\"><a href=\"#rule-{}\">",
            s["file"].as_str().unwrap_or(""),
            s["line"],
            s["column"],
            s["rule"].as_str().unwrap_or("")
        );
        assert!(!table.contains(&row), "{row}");
    }
    assert!(findings.contains(&format!("<dt>Suppressed</dt><dd>{}</dd>", suppressed.len())));
}

/// `check --no-fail --format json ARGS --report html=DIR/NAME.html` in `fixtures/` (or
/// `cwd`): the page and the JSON report of the same run.
fn dashboard(cwd: &Path, args: &[&str], dir: &Path, name: &str) -> (PathBuf, Value) {
    let page = dir.join(format!("{name}.html"));
    // Every finding on the page: the per-rule and per-file caps are another test's.
    let out = goldenpath(cwd)
        .args(["check", "--no-fail", "--format", "json"])
        .args([
            "--max-findings-per-rule",
            "0",
            "--max-findings-per-file",
            "0",
        ])
        .args(args)
        .arg(format!("--report=html={}", page.display()))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    (page, out.json())
}

/// The browser's log must be clean: no error, no dialog, and no request but the page's.
fn assert_clean(log: &browser::Log, page: &Path) {
    assert!(log.errors.is_empty(), "console errors: {:?}", log.errors);
    assert!(log.dialogs.is_empty(), "dialogs: {:?}", log.dialogs);
    let url = format!("file://{}", page.canonicalize().expect("page").display());
    let others: Vec<&String> = log.requests.iter().filter(|r| **r != url).collect();
    assert!(others.is_empty(), "requests besides the page: {others:?}");
}

/// The rule ids of the findings table's rows.
const ROW_RULES: &str =
    "Array.from(document.querySelectorAll('#findings-table tbody tr td.rule')).map(td => td.textContent)";

/// Chooses `value` in the filter `name` as a person would (change event).
fn choose(name: &str, value: &str) -> String {
    format!(
        "(() => {{ const s = document.querySelector('#gp-filters [name={name}]'); s.value = {value:?}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})()"
    )
}

/// A browser and the demo's dashboard (in a temporary directory kept while it lives), or
/// `None` without Chromium (see [`browser::require`]).
fn demo() -> Option<(browser::Browser, tempfile::TempDir, PathBuf, Value)> {
    let b = browser::require()?;
    let temp = tempfile::tempdir().expect("tempdir");
    let (page, report) = dashboard(&fixtures(), &DEMO, temp.path(), "demo");
    Some((b, temp, page, report))
}

#[test]
fn the_demo_dashboard_in_a_browser() {
    let Some((mut b, _temp, page, report)) = demo() else {
        return;
    };
    b.open_file(&page);
    assert_clean(&b.take_log(), &page);

    // Each repository's level, in words as well as colour.
    let cards = b.eval(
        "Array.from(document.querySelectorAll('article.card')).map(c => [c.querySelector('h3').textContent, c.dataset.level, c.querySelector('.card-level').textContent.trim()])",
    );
    let expected: Vec<Value> = report["scorecards"]
        .as_array()
        .expect("scorecards")
        .iter()
        .map(|card| {
            let level = card["level"].as_str().expect("level");
            let marks = match level {
                "gold" => "★★★",
                "silver" => "★★☆",
                "bronze" => "★☆☆",
                _ => "☆☆☆",
            };
            serde_json::json!([card["repository"], level, format!("Level: {marks} {level}")])
        })
        .collect();
    assert_eq!(cards, Value::Array(expected));
    let table_levels = b.eval(
        "Array.from(document.querySelectorAll('#repositories-table tbody tr')).map(r => r.cells[1].dataset.level)",
    );
    assert_eq!(
        table_levels,
        serde_json::json!(["none", "none", "bronze", "gold"])
    );

    // Filtering by rule shows that rule's findings and no other.
    let findings = common::findings(&report);
    let rule = "GP-DOCKER-004";
    let count = findings.iter().filter(|f| f.rule == rule).count();
    assert!(count >= 2, "the demo has several {rule} findings");
    let index = b.eval(&format!(
        "Array.from(document.querySelectorAll('#gp-filters [name=rule] option')).find(o => o.textContent.startsWith('{rule} ')).value"
    ));
    b.eval(&choose("rule", index.as_str().expect("an option")));
    let rules = b.eval(ROW_RULES);
    assert_eq!(rules, serde_json::json!(vec![rule; count]));
    let status = b.eval("document.getElementById('gp-status').textContent");
    assert_eq!(
        status,
        format!(
            "Showing 1–{count} of {count} findings (filtered from {}).",
            findings.len()
        )
    );
    // By severity and by level too; then the whole list again.
    b.eval(&choose("rule", ""));
    b.eval(&choose("severity", "2"));
    let severities = b.eval(
        "Array.from(document.querySelectorAll('#findings-table tbody td.sev')).map(td => td.textContent.trim())",
    );
    let info = findings.iter().filter(|f| f.severity == "info").count();
    assert_eq!(severities, serde_json::json!(vec!["● info"; info]));
    b.eval(&choose("severity", ""));
    b.eval(&choose("level", "3"));
    let gold: Vec<String> = b
        .eval(ROW_RULES)
        .as_array()
        .expect("rows")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    assert!(!gold.is_empty());
    for id in &gold {
        let level = b.eval(&format!(
            "document.getElementById('rule-{id}').querySelector('.level').textContent"
        ));
        assert!(
            level.as_str().unwrap_or("").ends_with("gold"),
            "{id}: {level}"
        );
    }
    b.eval(&choose("level", ""));
    assert_eq!(
        b.eval("document.querySelectorAll('#findings-table tbody tr').length"),
        findings.len().min(100)
    );

    // Sorting: the repositories by level, both ways; the findings by severity.
    let sort_by = |b: &mut browser::Browser, table: &str, column: usize| -> Value {
        b.eval(&format!(
            "(() => {{ document.querySelectorAll('#{table} thead th')[{column}].querySelector('button').click(); \
             return Array.from(document.querySelectorAll('#{table} tbody tr')).map(r => r.cells[{column}].dataset.sort); }})()"
        ))
    };
    assert_eq!(
        sort_by(&mut b, "repositories-table", 1),
        serde_json::json!(["0", "0", "1", "3"])
    );
    assert_eq!(
        sort_by(&mut b, "repositories-table", 1),
        serde_json::json!(["3", "1", "0", "0"])
    );
    assert_eq!(
        b.eval("document.querySelectorAll('#repositories-table thead th')[1].getAttribute('aria-sort')"),
        "descending"
    );
    let order = b.eval(
        "(() => { document.querySelector('#findings-table th[data-key=severity] button').click(); \
         return Array.from(document.querySelectorAll('#findings-table tbody td.sev')).map(td => td.className); })()",
    );
    let order: Vec<&str> = order
        .as_array()
        .expect("cells")
        .iter()
        .map(|v| v.as_str().unwrap_or(""))
        .collect();
    let rank = |class: &str| {
        ["sev sev-error", "sev sev-warning", "sev sev-info"]
            .iter()
            .position(|c| *c == class)
    };
    assert!(
        order.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{order:?}"
    );
    assert_eq!(order.first(), Some(&"sev sev-error"));

    // A link from "What to fix first" filters the findings by its rule.
    b.eval("document.querySelector('#fix-first a[data-filter-rule]').click()");
    let first_rule = b.eval("document.querySelector('#fix-first tbody tr th code').textContent");
    let rules = b.eval(ROW_RULES);
    assert!(
        rules
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| *r == first_rule),
        "{rules}"
    );
    assert_clean(&b.take_log(), &page);

    // The screenshot, for CI's artifacts and a look by a person.
    b.open_file(&page);
    let png = b.screenshot(1280);
    assert!(png.starts_with(b"\x89PNG"));
    write(root().join("target/dashboard/dashboard.png"), &png);
    assert_clean(&b.take_log(), &page);
}

#[test]
fn keyboard_print_and_no_javascript() {
    let Some((mut b, _temp, page, report)) = demo() else {
        return;
    };

    // Keyboard: the first Tab reaches the skip link, drawn with a visible focus ring;
    // Enter follows it; a header's sort button sorts on Enter.
    b.open_file(&page);
    b.press("Tab");
    let focused = b.eval(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e); return [e.textContent, s.outlineStyle, s.outlineWidth]; })()",
    );
    assert_eq!(focused[0], "Skip to the findings");
    assert_ne!(focused[1], "none", "a visible focus ring: {focused}");
    assert_ne!(focused[2], "0px");
    b.press("Enter");
    assert_eq!(b.eval("location.hash"), "#findings");
    b.eval("document.querySelector('#repositories-table thead th:nth-child(2) button').focus()");
    b.press("Enter");
    assert_eq!(
        b.eval("document.querySelector('#repositories-table thead th:nth-child(2)').getAttribute('aria-sort')"),
        "ascending"
    );

    // Print: the controls are not printed, the content is.
    b.call(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": "print"}),
    );
    let printed = b.eval(
        "[getComputedStyle(document.getElementById('gp-filters')).display, getComputedStyle(document.querySelector('header nav')).display, getComputedStyle(document.getElementById('findings-table')).display]",
    );
    assert_eq!(printed, serde_json::json!(["none", "none", "table"]));
    b.call(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": ""}),
    );
    assert_clean(&b.take_log(), &page);

    // JavaScript off: the summary, scorecards and tables are there; the filters, which
    // need the script, are not shown.
    b.call(
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({"value": true}),
    );
    b.open_file(&page);
    let total = common::findings(&report).len();
    let shown = b.eval(
        "[document.querySelectorAll('article.card').length, document.querySelectorAll('#findings-table tbody tr').length, document.querySelectorAll('#repositories-table tbody tr').length, document.getElementById('gp-filters').offsetParent === null, document.querySelector('#summary .totals').innerText.includes('Files checked')]",
    );
    assert_eq!(shown, serde_json::json!([4, total.min(100), 4, true, true]));
    b.call(
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({"value": false}),
    );
}

/// `many.yaml` with `n` items: every third bad (an error), every fifth old (a warning),
/// every seventh without owner (an info).
fn many_items(n: usize) -> String {
    let mut text = String::from("items:\n");
    for i in 0..n {
        let kind = if i % 3 == 0 {
            "bad"
        } else if i % 5 == 0 {
            "old"
        } else {
            "ok"
        };
        text.push_str(&format!("  - name: item-{i}\n    kind: {kind}\n"));
        if i % 7 != 0 {
            text.push_str("    owner: team\n");
        }
    }
    text
}

#[test]
fn pages_through_hundreds_of_findings() {
    let Some(mut b) = browser::require() else {
        return;
    };
    let temp = tempfile::tempdir().expect("tempdir");
    write(temp.path().join("repo/many.yaml"), many_items(600));
    let policy = fixtures().join("dashboard/many.rego");
    let (page, report) = dashboard(
        temp.path(),
        &["-p", policy.to_str().expect("a UTF-8 path"), "repo"],
        temp.path(),
        "many",
    );
    let total = common::findings(&report).len();
    assert!(total > 300, "{total}");
    b.open_file(&page);
    let first = |b: &mut browser::Browser| {
        b.eval("Array.from(document.querySelectorAll('#findings-table tbody tr')).map(r => +r.dataset.i)")
    };
    assert_eq!(
        first(&mut b),
        serde_json::json!((0..100).collect::<Vec<_>>())
    );
    b.eval("document.querySelector('.pager [data-page=next]').click()");
    assert_eq!(
        first(&mut b),
        serde_json::json!((100..200).collect::<Vec<_>>())
    );
    b.eval("document.querySelector('.pager [data-page=last]').click()");
    let last_page = (total - 1) / 100 * 100;
    assert_eq!(
        first(&mut b),
        serde_json::json!((last_page..total).collect::<Vec<_>>())
    );
    assert_eq!(
        b.eval("document.querySelector('.pager [data-page=next]').disabled"),
        true
    );
    // The search box filters on the message.
    b.eval("(() => { const q = document.querySelector('#gp-filters [name=q]'); q.value = '(item-42)'; q.dispatchEvent(new Event('input', {bubbles: true})); })()");
    b.settle();
    let messages = b.eval(
        "Array.from(document.querySelectorAll('#findings-table tbody td.msg p')).map(p => p.textContent)",
    );
    let expected: Vec<String> = common::findings(&report)
        .into_iter()
        .filter(|f| f.message.contains("(item-42)"))
        .map(|f| f.message)
        .collect();
    assert_eq!(messages, serde_json::json!(expected));
    // The rows the script renders have the same excerpts as those of the page.
    b.eval("document.querySelector('#gp-filters').reset()");
    b.settle();
    let excerpt = b.eval("document.querySelector('#findings-table tbody tr pre').outerHTML");
    b.open_file(&page);
    assert_eq!(
        b.eval("document.querySelector('#findings-table tbody tr pre').outerHTML"),
        excerpt
    );
    assert_clean(&b.take_log(), &page);
}

/// The payload in every place a file or policy can put a string.
const PAYLOAD: &str = "</script><script>alert(1)</script>";

/// A repository whose file name, source lines and finding messages, a second repository
/// whose name, and a policy whose metadata hold script.
fn hostile_fixture(dir: &Path) -> Vec<String> {
    // `evil/</script><script>alert(1)</script>.yaml`: the path's components are `<`,
    // `script><script>alert(1)<` and `script>.yaml`.
    let file = dir.join(format!("evil/{PAYLOAD}.yaml"));
    let mut text = format!("# {PAYLOAD}\nitems:\n");
    for i in 0..120 {
        text.push_str(&format!(
            "  - name: \"{PAYLOAD} <img src=x onerror=alert({i})>\"\n"
        ));
    }
    write(&file, text);
    let second = "\"><img src=x onerror=alert(2)>";
    write(
        dir.join(second).join("x.yaml"),
        "items:\n  - name: \"<svg onload=alert(3)>\"\n",
    );
    vec!["evil".to_string(), second.to_string()]
}

#[test]
fn a_hostile_repository_runs_no_script() {
    let temp = tempfile::tempdir().expect("tempdir");
    let repositories = hostile_fixture(temp.path());
    let policy = fixtures().join("dashboard/xss.rego");
    let mut args = vec!["-p", policy.to_str().expect("a UTF-8 path")];
    args.extend(repositories.iter().map(String::as_str));
    let (page, report) = dashboard(temp.path(), &args, temp.path(), "hostile");
    assert!(common::findings(&report).len() > 120);
    let html = std::fs::read_to_string(&page).expect("the page");
    // Two script elements (the data and the page's script), one style, no other tag
    // a string could have opened.
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script").count(), 2);
    for tag in ["<img", "<svg onload", "javascript:"] {
        assert!(!html.contains(tag), "{tag} unescaped");
    }

    let Some(mut b) = browser::require() else {
        return;
    };
    // First with the Content-Security-Policy bypassed, so that the escaping alone is
    // tested; then as served.
    for bypass in [true, false] {
        b.call("Page.setBypassCSP", serde_json::json!({"enabled": bypass}));
        b.open_file(&page);
        // Go through what the script renders: other pages, filters, sorting.
        b.eval("document.querySelector('.pager [data-page=next]').click()");
        b.eval("document.querySelector('.pager [data-page=last]').click()");
        b.eval("document.querySelector('#findings-table th[data-key=message] button').click()");
        b.eval(&choose("repository", "1"));
        b.eval(&choose("repository", ""));
        b.eval("document.querySelector('#repositories-table thead th button').click()");
        b.settle();
        let dom = b.eval(
            "[document.scripts.length, document.querySelectorAll('img, iframe, object, embed').length, \
             document.querySelectorAll('body svg[onload], [onerror], [onload]').length, \
             document.querySelectorAll('a[href^=\"javascript\"]').length, \
             document.body.innerText.includes('</script><script>alert(1)</script>'), \
             document.body.innerText.includes('\"><img src=x onerror=alert(2)>')]",
        );
        assert_eq!(
            dom,
            serde_json::json!([2, 0, 0, 0, true, true]),
            "bypass CSP: {bypass}"
        );
        assert_clean(&b.take_log(), &page);
    }
}
