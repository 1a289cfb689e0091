//! The incremental cache on a monorepo: a cold run (empty cache), a warm run (nothing
//! changed) and a run after 10 files changed, each as a ratio to the cold run. Runs are
//! interleaved and the medians taken, because the machines are shared and noisy.
//!
//! ```text
//! cargo bench --bench cache                  # 1000 generated services, 5 rounds
//! cargo bench --bench cache -- 200 3         # 200 services, 3 rounds
//! GOLDENPATH_BENCH_TREE=DIR cargo bench --bench cache   # an existing tree instead
//! ```
//!
//! The tree is generated into `target/` by the tests' generator (`tests/common/corpus.rs`)
//! unless `GOLDENPATH_BENCH_TREE` names one (a checkout, or another generated corpus);
//! the 10 edited files are restored after each round. The built-in pack runs, with its
//! repository rules: an edit changes the repository's listing, so those run again too.

#[path = "../tests/common/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    // `cargo bench` passes `--bench`; the numbers are ours.
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let services = args.first().copied().unwrap_or(1000);
    let rounds = args.get(1).copied().unwrap_or(5).max(1);
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let tree = match std::env::var_os("GOLDENPATH_BENCH_TREE") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = target.join(format!("bench-cache-{services}"));
            if !dir.is_dir() {
                corpus::generate(&dir, services, 1);
            }
            dir
        }
    };
    let cache = target.join("bench-cache-dir");
    let edited = ten_files(&tree);
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut changed = Vec::new();
    let mut uncached = Vec::new();
    for round in 1..=rounds {
        let _ = std::fs::remove_dir_all(&cache);
        uncached.push(time(&tree, None));
        cold.push(time(&tree, Some(&cache)));
        warm.push(time(&tree, Some(&cache)));
        let originals: Vec<(PathBuf, Vec<u8>)> = edited
            .iter()
            .map(|p| (p.clone(), std::fs::read(p).unwrap_or_default()))
            .collect();
        for (path, bytes) in &originals {
            let mut text = bytes.clone();
            text.extend_from_slice(format!("\n# edited in round {round}\n").as_bytes());
            let _ = std::fs::write(path, text);
        }
        changed.push(time(&tree, Some(&cache)));
        for (path, bytes) in &originals {
            let _ = std::fs::write(path, bytes);
        }
        eprintln!("round {round}/{rounds} done");
    }
    let _ = std::fs::remove_dir_all(&cache);
    let base = median(&mut cold);
    println!(
        "goldenpath check on {} ({rounds} rounds, medians)",
        tree.display()
    );
    for (name, samples) in [
        ("no cache", &mut uncached),
        ("cold cache", &mut cold),
        ("warm, nothing changed", &mut warm),
        ("10 files changed", &mut changed),
    ] {
        let m = median(samples);
        println!(
            "{name:<22} {:>8.3} s  {:>6.1}% of cold",
            m.as_secs_f64(),
            100.0 * m.as_secs_f64() / base.as_secs_f64()
        );
    }
}

/// Ten YAML files spread over the tree (sorted, evenly spaced), to edit.
fn ten_files(tree: &Path) -> Vec<PathBuf> {
    let mut yaml = Vec::new();
    let mut stack = vec![tree.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "node_modules" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".yaml") && !path.to_string_lossy().contains("/templates/") {
                yaml.push(path);
            }
        }
    }
    yaml.sort();
    let step = (yaml.len() / 10).max(1);
    yaml.into_iter().step_by(step).take(10).collect()
}

/// The wall time of one `check` of `tree`, with the cache in `cache` or none.
fn time(tree: &Path, cache: Option<&Path>) -> Duration {
    let mut command = Command::new(env!("CARGO_BIN_EXE_goldenpath"));
    command
        .args(["check", "--no-fail", "--format", "json"])
        .arg(tree);
    match cache {
        Some(dir) => command.arg("--cache-dir").arg(dir),
        None => command.arg("--no-cache"),
    };
    command.stdout(std::process::Stdio::null());
    let start = Instant::now();
    let status = command.status().expect("goldenpath runs");
    let elapsed = start.elapsed();
    assert!(
        status.code().is_some_and(|c| c < 2),
        "goldenpath failed: {status}"
    );
    elapsed
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
