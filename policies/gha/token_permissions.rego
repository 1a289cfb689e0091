# METADATA
# title: Workflow token permissions are not read-only by default
# description: >-
#   The workflow has no top-level `permissions:` block and at least one job has none
#   of its own, or the top-level block grants write access (`write-all`, or a scope
#   set to `write`). Without either block a job gets the repository's or
#   organisation's default GITHUB_TOKEN permissions, which are read-write on many
#   repositories; a top-level grant applies to every job, including those that only
#   build and test. Precision: a workflow whose every job declares its own
#   `permissions:` (the per-job style zizmor and Scorecard accept) is not reported,
#   and write grants inside a job are not reported (that is where they belong).
# related_resources:
#   - ref: https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token
#     description: Controlling permissions for GITHUB_TOKEN
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#token-permissions
#     description: OpenSSF Scorecard Token-Permissions
#   - ref: https://docs.zizmor.sh/audits/#excessive-permissions
#     description: zizmor excessive-permissions
# custom:
#   id: GP-GHA-002
#   severity: warning
#   level: silver
#   rationale: >-
#     The GITHUB_TOKEN is handed to every action a job runs. If a dependency, a build
#     script or an injected command is compromised, a read-only token limits the damage
#     to reading the repository; a write token lets it push commits, publish releases
#     or packages, or approve pull requests. Declaring read-only permissions at the top
#     and granting writes per job also documents which jobs need them.
#   help: >-
#     Add `permissions: {contents: read}` (or `permissions: {}`) at the top level of the
#     workflow, and grant the writes a job needs in that job only, e.g.
#     `jobs.release.permissions: {contents: write}`.
#   peers:
#     scorecard: Token-Permissions
#     zizmor: excessive-permissions
#   tags: [security]
#   security-severity: "5.0"
#   files: ["**/.github/workflows/*.yml", "**/.github/workflows/*.yaml"]
package goldenpath.gha.token_permissions

import rego.v1

deny contains {"msg": msg, "path": start} if {
	is_object(input.jobs)
	not has_permissions
	some _, job in input.jobs
	not job_has_permissions(job)
	start := trigger_path
	msg := "workflow has no top-level permissions, so every job gets the default GITHUB_TOKEN permissions (read-write on many repositories); declare `permissions: {contents: read}`"
}

deny contains {"msg": msg, "path": ["permissions"]} if {
	is_object(input.jobs)
	is_string(input.permissions)
	lower(trim_space(input.permissions)) == "write-all"
	msg := "top-level `permissions: write-all` gives every job a token that can write to every scope; declare read-only permissions and grant writes per job"
}

deny contains {"msg": msg, "path": ["permissions", scope]} if {
	is_object(input.jobs)
	is_object(input.permissions)
	some scope, access in input.permissions
	is_string(access)
	lower(trim_space(access)) == "write"
	msg := sprintf("top-level permissions grant `%s: write` to every job; grant it only in the job that needs it", [scope])
}

has_permissions if input.permissions != null

# A job that declares its own `permissions:` (even `{}`) does not get the default token.
job_has_permissions(job) if {
	is_object(job)
	job.permissions != null
}

trigger_path := ["on"] if {
	_ = input.on
} else := []
