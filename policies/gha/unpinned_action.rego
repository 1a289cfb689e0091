# METADATA
# title: Action not pinned to a full commit SHA
# description: >-
#   A step's `uses:` (or a job's reusable workflow `uses:`) names an action by a tag,
#   a branch or no ref at all instead of a full 40-character commit SHA. Tags and
#   branches are mutable: whoever controls the action's repository can change the code
#   your workflow runs without any change in your repository. Local actions (`./…`) and
#   Docker images pinned by digest (`docker://…@sha256:…`) are accepted. Precision:
#   a short list of projects that require a release tag is not reported when called
#   by a full version tag (`vX.Y.Z`): `slsa-framework/slsa-github-generator`, whose
#   reusable workflows verify their own ref and cannot be called by SHA.
# related_resources:
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions
#     description: GitHub's hardening guide on pinning third-party actions
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies
#     description: OpenSSF Scorecard Pinned-Dependencies
#   - ref: https://docs.zizmor.sh/audits/#unpinned-uses
#     description: zizmor unpinned-uses
# custom:
#   id: GP-GHA-001
#   severity: warning
#   level: silver
#   rationale: >-
#     A commit SHA is the only reference to an action that cannot be moved after you
#     reviewed it. Compromised or retagged actions (tj-actions/changed-files in 2025) ran
#     attacker code in every workflow that followed a tag; workflows pinned by SHA kept
#     running the code they had reviewed. Pinning also makes builds reproducible, and
#     Dependabot or Renovate keep SHA pins up to date.
#   help: >-
#     Replace the ref with the full commit SHA it points to and keep the version in a
#     comment, e.g. `uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`.
#     Let Dependabot (`package-ecosystem: github-actions`) or Renovate update the pins.
#     For container steps pin the digest: `docker://alpine@sha256:…`.
#   peers:
#     scorecard: Pinned-Dependencies
#     zizmor: unpinned-uses
#   tags: [security]
#   security-severity: "6.5"
#   files: ["**/.github/workflows/*.yml", "**/.github/workflows/*.yaml"]
package goldenpath.gha.unpinned_action

import rego.v1

deny contains {"msg": msg, "path": ["jobs", job_id, "steps", i, "uses"]} if {
	some job_id, job in as_object(input.jobs)
	some i, step in as_array(job.steps)
	uses := step.uses
	is_string(uses)
	not pinned(trim_space(uses))
	msg := sprintf("action %q %s", [uses, problem(trim_space(uses))])
}

deny contains {"msg": msg, "path": ["jobs", job_id, "uses"]} if {
	some job_id, job in as_object(input.jobs)
	uses := job.uses
	is_string(uses)
	not pinned(trim_space(uses))
	msg := sprintf("reusable workflow %q %s", [uses, problem(trim_space(uses))])
}

# A local action or workflow lives in this repository, at this commit.
pinned(uses) if startswith(uses, "./")

pinned(uses) if regex.match(`^docker://[^@]+@sha256:[0-9a-fA-F]{64}$`, uses)

pinned(uses) if {
	not startswith(uses, "docker://")
	regex.match(`^[^@]+@[0-9a-fA-F]{40}$`, uses)
}

# Projects that require callers to use a release tag, not a commit SHA. Keep this list
# small and documented: each entry is a project whose own documentation says so.
tag_required := {
	# SLSA's generators verify the provenance they produce against the ref of the
	# reusable workflow being called, which must be a release tag (vX.Y.Z); a SHA
	# makes the builder fail. zizmor and Scorecard make the same exception.
	"slsa-framework/slsa-github-generator",
}

pinned(uses) if {
	some project in tag_required
	startswith(uses, concat("", [project, "/"]))
	regex.match(`@v[0-9]+\.[0-9]+\.[0-9]+$`, uses)
}

problem(uses) := "runs an image that is not pinned by digest (@sha256:…)" if {
	startswith(uses, "docker://")
}

problem(uses) := "has no ref, so it runs whatever its default branch holds" if {
	not startswith(uses, "docker://")
	not contains(uses, "@")
}

problem(uses) := sprintf("is pinned to %q, a ref that can be moved to other code; pin the full 40-character commit SHA", [ref]) if {
	not startswith(uses, "docker://")
	parts := split(uses, "@")
	count(parts) > 1
	ref := parts[count(parts) - 1]
}

as_object(x) := x if is_object(x) else := {}

as_array(x) := x if is_array(x) else := []
