//! `check --profile`: where a run spends its time, for policy authors keeping their packs
//! fast (as `opa eval --profile` does for one query).
//!
//! The stages of the run (loading policies, walking, reading repository context, the
//! repository and file stages) are wall-clock times of the run itself; the repository
//! and file stages run side by side, so their times overlap. Parsing (per
//! format) and evaluation (per package and per rule) happen on the worker threads: their
//! times are summed over the threads, so with `-j2` they can add up to twice the wall time
//! of the file stage.
//!
//! A [`Recorder`] collects from every thread; it does nothing, and costs nothing but a
//! branch, when profiling is off.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Total time and number of occurrences of one thing (a format, a package, a rule).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Summed time.
    pub total: Duration,
    /// How many times it ran.
    pub count: u64,
}

impl Stat {
    /// Adds one occurrence that took `elapsed`.
    pub fn add(&mut self, elapsed: Duration) {
        self.total += elapsed;
        self.count += 1;
    }

    fn merge(&mut self, other: Stat) {
        self.total += other.total;
        self.count += other.count;
    }

    /// The mean time of one occurrence.
    pub fn mean(&self) -> Duration {
        match u32::try_from(self.count) {
            Ok(0) => Duration::ZERO,
            Ok(n) => self.total / n,
            Err(_) => Duration::from_secs_f64(self.total.as_secs_f64() / self.count as f64),
        }
    }
}

/// Where the time of one run went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// Wall-clock time of each stage of the run, in order.
    pub stages: Vec<(String, Duration)>,
    /// Parsing, by format name (summed over threads).
    pub parse: BTreeMap<String, Stat>,
    /// Evaluation of each package against one input (all its rules), by package name.
    pub packages: BTreeMap<String, Stat>,
    /// Evaluation of each rule against one input, by (rule id, package).
    pub rules: BTreeMap<(String, String), Stat>,
}

impl Profile {
    /// Adds `other`'s counts to this profile (stages are appended).
    pub fn merge(&mut self, other: Profile) {
        self.stages.extend(other.stages);
        for (name, stat) in other.parse {
            self.parse.entry(name).or_default().merge(stat);
        }
        for (name, stat) in other.packages {
            self.packages.entry(name).or_default().merge(stat);
        }
        for (key, stat) in other.rules {
            self.rules.entry(key).or_default().merge(stat);
        }
    }

    /// The profile as it appears under `profile` in the JSON report: every list sorted by
    /// cost, times in nanoseconds.
    pub fn to_json(&self) -> serde_json::Value {
        let stages: Vec<JsonStage> = self
            .stages
            .iter()
            .map(|(name, d)| JsonStage {
                stage: name,
                total_ns: nanos(*d),
            })
            .collect();
        let parse: Vec<JsonEntry> = by_cost(&self.parse)
            .into_iter()
            .map(|(name, stat)| JsonEntry::new(stat).named("format", name))
            .collect();
        let packages: Vec<JsonEntry> = by_cost(&self.packages)
            .into_iter()
            .map(|(name, stat)| JsonEntry::new(stat).named("package", name))
            .collect();
        let rules: Vec<JsonEntry> = by_cost(&self.rules)
            .into_iter()
            .map(|((rule, package), stat)| {
                JsonEntry::new(stat)
                    .named("rule", rule)
                    .named("package", package)
            })
            .collect();
        serde_json::json!({
            "stages": stages,
            "parse": parse,
            "packages": packages,
            "rules": rules,
        })
    }

    /// The profile as text, for standard error after the report.
    pub fn render_text(&self) -> String {
        let mut out = String::from(
            "profile: stages are wall-clock; parse and evaluation times are summed over worker threads\n",
        );
        let stages: Vec<Vec<String>> = self
            .stages
            .iter()
            .map(|(name, d)| vec![name.clone(), duration_text(*d)])
            .collect();
        table(&mut out, &["stage", "time"], &stages);
        let rows = |stats: Vec<(&String, &Stat)>| -> Vec<Vec<String>> {
            stats
                .into_iter()
                .map(|(name, stat)| stat_row(vec![name.clone()], stat))
                .collect()
        };
        table(
            &mut out,
            &["parse", "total", "count", "mean"],
            &rows(by_cost(&self.parse)),
        );
        table(
            &mut out,
            &["package", "total", "count", "mean"],
            &rows(by_cost(&self.packages)),
        );
        let rules: Vec<Vec<String>> = by_cost(&self.rules)
            .into_iter()
            .map(|((rule, package), stat)| stat_row(vec![rule.clone(), package.clone()], stat))
            .collect();
        table(
            &mut out,
            &["rule", "package", "total", "count", "mean"],
            &rules,
        );
        out
    }
}

#[derive(Serialize)]
struct JsonStage<'a> {
    stage: &'a str,
    total_ns: u64,
}

#[derive(Serialize)]
struct JsonEntry {
    #[serde(flatten)]
    names: serde_json::Map<String, serde_json::Value>,
    total_ns: u64,
    count: u64,
    mean_ns: u64,
}

impl JsonEntry {
    fn new(stat: &Stat) -> Self {
        JsonEntry {
            names: serde_json::Map::new(),
            total_ns: nanos(stat.total),
            count: stat.count,
            mean_ns: nanos(stat.mean()),
        }
    }

    fn named(mut self, key: &str, value: &str) -> Self {
        self.names.insert(
            key.to_string(),
            serde_json::Value::String(value.to_string()),
        );
        self
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Entries by total time, the most expensive first (ties by name).
fn by_cost<K: Ord>(map: &BTreeMap<K, Stat>) -> Vec<(&K, &Stat)> {
    let mut entries: Vec<(&K, &Stat)> = map.iter().collect();
    entries.sort_by(|a, b| b.1.total.cmp(&a.1.total).then_with(|| a.0.cmp(b.0)));
    entries
}

fn stat_row(mut names: Vec<String>, stat: &Stat) -> Vec<String> {
    names.push(duration_text(stat.total));
    names.push(stat.count.to_string());
    names.push(duration_text(stat.mean()));
    names
}

/// Appends a table: names left-aligned, the numeric columns (after the names) right-aligned.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        return;
    }
    let names = header.len() - if header.len() > 2 { 3 } else { 1 };
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    out.push('\n');
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = width.saturating_sub(cell.chars().count());
            if i < names {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for row in rows {
        line(row);
    }
}

/// `1.23s`, `45.6ms`, `789µs`, `12ns`: three significant digits.
pub fn duration_text(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    let (value, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    if value >= 100.0 || unit == "ns" {
        format!("{value:.0}{unit}")
    } else if value >= 10.0 {
        format!("{value:.1}{unit}")
    } else {
        format!("{value:.2}{unit}")
    }
}

/// Collects a [`Profile`] from any thread when profiling is on; a no-op otherwise.
#[derive(Clone, Debug, Default)]
pub struct Recorder(Option<Arc<Mutex<Profile>>>);

impl Recorder {
    /// A recorder that records.
    pub fn enabled() -> Self {
        Recorder(Some(Arc::new(Mutex::new(Profile::default()))))
    }

    /// Whether timings are wanted.
    pub fn is_enabled(&self) -> bool {
        self.0.is_some()
    }

    /// The start of something to time: `None` when profiling is off.
    pub fn start(&self) -> Option<Instant> {
        self.0.as_ref().map(|_| Instant::now())
    }

    /// Records a stage of the run that began at `start`.
    pub fn stage(&self, name: &str, start: Option<Instant>) {
        if let Some(start) = start {
            let elapsed = start.elapsed();
            self.with(|p| p.stages.push((name.to_string(), elapsed)));
        }
    }

    /// Runs `f`, and says how long it took when profiling is on.
    pub fn time<T>(&self, f: impl FnOnce() -> T) -> (T, Option<Duration>) {
        let started = self.start();
        let value = f();
        (value, started.map(|s| s.elapsed()))
    }

    /// Records a stage of the run that took `elapsed` (`None` when profiling is off).
    pub fn took(&self, name: &str, elapsed: Option<Duration>) {
        if let Some(elapsed) = elapsed {
            self.with(|p| p.stages.push((name.to_string(), elapsed)));
        }
    }

    /// Records the parsing of one file as `format`, begun at `start`.
    pub fn parse(&self, format: &str, start: Option<Instant>) {
        if let Some(start) = start {
            let elapsed = start.elapsed();
            self.with(|p| p.parse.entry(format.to_string()).or_default().add(elapsed));
        }
    }

    /// Adds what a worker gathered.
    pub fn merge(&self, part: Profile) {
        self.with(|p| p.merge(part));
    }

    /// What was recorded, when profiling is on.
    pub fn snapshot(&self) -> Option<Profile> {
        let shared = self.0.as_ref()?;
        let profile = match shared.lock() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        Some(profile)
    }

    fn with(&self, f: impl FnOnce(&mut Profile)) {
        if let Some(shared) = &self.0 {
            match shared.lock() {
                Ok(mut p) => f(&mut p),
                Err(poisoned) => f(&mut poisoned.into_inner()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_three_digits() {
        let cases = [
            (Duration::from_nanos(12), "12ns"),
            (Duration::from_nanos(1_234), "1.23µs"),
            (Duration::from_micros(45_600), "45.6ms"),
            (Duration::from_millis(789), "789ms"),
            (Duration::from_millis(1_230), "1.23s"),
            (Duration::from_secs(125), "125s"),
        ];
        for (d, want) in cases {
            assert_eq!(duration_text(d), want, "{d:?}");
        }
    }

    #[test]
    fn sorted_by_cost_then_name() {
        let mut p = Profile::default();
        let mut add = |name: &str, ms: u64, times: u32| {
            for _ in 0..times {
                p.packages
                    .entry(name.to_string())
                    .or_default()
                    .add(Duration::from_millis(ms));
            }
        };
        add("b", 1, 3);
        add("a", 3, 1);
        add("c", 5, 2);
        let order: Vec<&str> = by_cost(&p.packages)
            .into_iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(order, vec!["c", "a", "b"]);
        assert_eq!(p.packages["c"].mean(), Duration::from_millis(5));
        let json = p.to_json();
        assert_eq!(json["packages"][0]["package"], "c");
        assert_eq!(json["packages"][0]["total_ns"], 10_000_000);
        assert_eq!(json["packages"][0]["count"], 2);
        assert_eq!(json["packages"][0]["mean_ns"], 5_000_000);
        let text = p.render_text();
        assert!(
            text.ends_with(
                "\npackage   total  count    mean\n\
                 c        10.0ms      2  5.00ms\n\
                 a        3.00ms      1  3.00ms\n\
                 b        3.00ms      3  1.00ms\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn merging_adds_counts() {
        let recorder = Recorder::enabled();
        let mut part = Profile::default();
        part.rules
            .entry(("R-1".into(), "p".into()))
            .or_default()
            .add(Duration::from_micros(2));
        recorder.merge(part.clone());
        recorder.merge(part);
        let got = recorder.snapshot().expect("enabled");
        assert_eq!(got.rules[&("R-1".to_string(), "p".to_string())].count, 2);
        assert!(Recorder::default().snapshot().is_none());
        assert!(Recorder::default().start().is_none());
    }
}
