//! Sharding: `check --shard K/N` checks a deterministic 1/N of a run's work, and
//! `goldenpath merge` puts the N reports back together (see [`crate::partial`]).
//!
//! Work is assigned by a digest of a stable name, the same on every machine and
//! operating system: a file by its path relative to its repository root (prefixed with
//! the checked directory when a run checks several, so that files every repository has
//! do not all land in one shard), a repository's repository-scope rules by the checked
//! directory, a directory that could not be read by its path. Each is in exactly one
//! shard.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::digest::Hasher;

/// One shard of a run: `index` of `count`, from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, 1 to `count`.
    pub index: usize,
    /// How many shards the run has.
    pub count: usize,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// A shard, when `index` is between 1 and `count`.
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".to_string());
        }
        if index == 0 || index > count {
            return Err(format!(
                "shard {index}/{count}: the index counts from 1 to {count}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Which shard of `count` the work named `name` belongs to.
    pub fn of(name: &str, count: usize) -> usize {
        let mut hasher = Hasher::new("goldenpath shard");
        hasher.str(name);
        let count = count.max(1) as u64;
        // `count` fits in a usize, so the remainder does too.
        (hasher.finish().prefix() % count) as usize + 1
    }

    /// Whether the work named `name` is this shard's.
    pub fn owns(&self, name: &str) -> bool {
        self.count <= 1 || Shard::of(name, self.count) == self.index
    }

    /// The shard the CI system or Kubernetes says this job is (`--shard auto`):
    /// `CI_NODE_INDEX`/`CI_NODE_TOTAL` (GitLab `parallel:`, from 1),
    /// `BUILDKITE_PARALLEL_JOB`/`BUILDKITE_PARALLEL_JOB_COUNT` (from 0), or
    /// `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job, from 0) with `count` (the Job's
    /// `completions`, from `--shard-count`). `var` reads a variable.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        count: Option<usize>,
    ) -> Result<Shard, String> {
        let number = |name: &str| -> Result<Option<usize>, String> {
            match var(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{name}={v} is not a number")),
            }
        };
        let with_count = |index: usize, total: Option<usize>, names: &str| match count.or(total) {
            Some(total) => Shard::new(index, total).map_err(|e| format!("{names}: {e}")),
            None => Err(format!("{names}: the number of shards is not set")),
        };
        if let Some(index) = number("CI_NODE_INDEX")? {
            return with_count(
                index,
                number("CI_NODE_TOTAL")?,
                "CI_NODE_INDEX/CI_NODE_TOTAL",
            );
        }
        if let Some(index) = number("BUILDKITE_PARALLEL_JOB")? {
            return with_count(
                index + 1,
                number("BUILDKITE_PARALLEL_JOB_COUNT")?,
                "BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT",
            );
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            return match count {
                Some(total) => Shard::new(index + 1, total)
                    .map_err(|e| format!("JOB_COMPLETION_INDEX with --shard-count: {e}")),
                None => Err(
                    "JOB_COMPLETION_INDEX is set: give the Job's `completions` as --shard-count N"
                        .to_string(),
                ),
            };
        }
        Err("--shard auto: none of CI_NODE_INDEX (GitLab), BUILDKITE_PARALLEL_JOB (Buildkite) or JOB_COMPLETION_INDEX (Kubernetes Indexed Job) is set; give --shard K/N".to_string())
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N`, e.g. `2/4`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected K/N (shard K of N, from 1), e.g. 2/4, got `{text}`");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let index = index.trim().parse().map_err(|_| bad())?;
        let count = count.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count)
    }
}

/// What `--shard` says: a shard, or `auto` (from the environment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardArg {
    /// `K/N`.
    Given(Shard),
    /// `auto`.
    Auto,
}

impl FromStr for ShardArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "auto" {
            return Ok(ShardArg::Auto);
        }
        text.parse().map(ShardArg::Given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_parse_and_are_checked() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x/2", "2", "", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!("auto".parse(), Ok(ShardArg::Auto));
        assert_eq!(Shard { index: 3, count: 7 }.to_string(), "3/7");
    }

    #[test]
    fn assignment_is_stable_and_spreads_work() {
        // Pinned: the same on every machine, release after release (a change would
        // mix shards of two versions; merge refuses those anyway).
        assert_eq!(
            Shard::of("deploy/api.yaml", 7),
            Shard::of("deploy/api.yaml", 7)
        );
        let pinned: Vec<usize> = ["a", "b", "c", "deploy/api.yaml"]
            .iter()
            .map(|n| Shard::of(n, 4))
            .collect();
        assert_eq!(pinned, [4, 4, 3, 3]);
        let mut counts = [0usize; 4];
        for i in 0..4000 {
            counts[Shard::of(&format!("services/s{i}/deploy.yaml"), 4) - 1] += 1;
        }
        assert!(counts.iter().all(|c| (800..1200).contains(c)), "{counts:?}");
        let whole = Shard::WHOLE;
        assert!(whole.owns("anything"));
    }

    #[test]
    fn ci_systems_name_the_shard() {
        assert_eq!(
            Shard::from_env(env(&[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "4")]), None),
            Ok(Shard { index: 2, count: 4 })
        );
        assert_eq!(
            Shard::from_env(
                env(&[
                    ("BUILDKITE_PARALLEL_JOB", "0"),
                    ("BUILDKITE_PARALLEL_JOB_COUNT", "3")
                ]),
                None
            ),
            Ok(Shard { index: 1, count: 3 })
        );
        assert_eq!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "6")]), Some(7)),
            Ok(Shard { index: 7, count: 7 })
        );
        assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "6")]), None)
            .unwrap_err()
            .contains("--shard-count"));
        assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "7")]), Some(7)).is_err());
        assert!(Shard::from_env(env(&[("CI_NODE_INDEX", "x")]), None).is_err());
        assert!(Shard::from_env(env(&[]), Some(3))
            .unwrap_err()
            .contains("--shard K/N"));
    }
}
