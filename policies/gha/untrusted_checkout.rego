# METADATA
# title: Privileged trigger checks out pull request code
# description: >-
#   A workflow triggered by `pull_request_target` or `workflow_run` checks out the
#   head of a pull request (`actions/checkout` with a `ref:` such as
#   `${{ github.event.pull_request.head.sha }}`, `${{ github.head_ref }}`,
#   `refs/pull/…`, or the head of the triggering run, or with `repository:` set to the
#   fork). These triggers run in the context of the base repository, with its secrets
#   and a token that can write to it, so any build or test step that follows executes
#   code written by whoever opened the pull request.
# related_resources:
#   - ref: https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/
#     description: "GitHub Security Lab: preventing pwn requests"
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#dangerous-workflow
#     description: OpenSSF Scorecard Dangerous-Workflow
#   - ref: https://docs.zizmor.sh/audits/#dangerous-triggers
#     description: zizmor dangerous-triggers
# custom:
#   id: GP-GHA-003
#   severity: error
#   level: bronze
#   rationale: >-
#     This is the "pwn request": anyone who can open a pull request from a fork can
#     change the build scripts, test files or package manifests that the privileged job
#     then runs, and steal its secrets or push to the repository. It has been used to
#     compromise real projects and their releases.
#   help: >-
#     Build and test pull requests with the unprivileged `pull_request` trigger. If the
#     workflow must use `pull_request_target` (to label or comment), do not check out
#     the pull request's code in it; if results of an untrusted build are needed, have
#     a `pull_request` workflow upload them as an artifact and only read that artifact,
#     as data, in the `workflow_run` workflow.
#   peers:
#     scorecard: Dangerous-Workflow
#     zizmor: dangerous-triggers
#   tags: [security]
#   security-severity: "9.0"
#   files: ["**/.github/workflows/*.yml", "**/.github/workflows/*.yaml"]
package goldenpath.gha.untrusted_checkout

import rego.v1

privileged := {"pull_request_target", "workflow_run"}

triggers contains t if {
	is_string(input.on)
	t := input.on
}

triggers contains t if {
	is_array(input.on)
	some t in input.on
}

triggers contains t if {
	is_object(input.on)
	some t, _ in input.on
}

deny contains {"msg": msg, "path": path} if {
	count(triggers & privileged) > 0
	trigger := concat(" and ", sort([t | some t in triggers & privileged]))
	some job_id, job in as_object(input.jobs)
	some i, step in as_array(job.steps)
	is_checkout(step.uses)
	some key, value in untrusted_inputs(step)
	path := ["jobs", job_id, "steps", i, "with", key]
	msg := sprintf("workflow runs on %s and checks out untrusted code (%s: %s) with the base repository's secrets and token", [trigger, key, value])
}

# One finding per step: `ref` when it names the pull request's head, else `repository`.
untrusted_inputs(step) := {"ref": ref} if {
	ref := step["with"].ref
	untrusted_ref(ref)
} else := {"repository": repository} if {
	repository := step["with"].repository
	untrusted_repository(repository)
}

is_checkout(uses) if {
	is_string(uses)
	regex.match(`^actions/checkout(@|$)`, lower(trim_space(uses)))
}

untrusted_ref(ref) if {
	is_string(ref)
	some pattern in [
		`github\.event\.pull_request\.head\b`,
		`github\.event\.pull_request\.merge_commit_sha`,
		`github\.head_ref`,
		`github\.event\.workflow_run\.head_(sha|branch|commit)`,
		`refs/pull/`,
	]
	regex.match(pattern, lower(ref))
}

untrusted_repository(repository) if {
	is_string(repository)
	some pattern in [
		`github\.event\.pull_request\.head\.repo\b`,
		`github\.event\.workflow_run\.head_repository\b`,
	]
	regex.match(pattern, lower(repository))
}

as_object(x) := x if is_object(x) else := {}

as_array(x) := x if is_array(x) else := []
