# METADATA
# title: Checkout leaves the token in .git/config
# description: >-
#   An `actions/checkout` step does not set `persist-credentials: false`. By default
#   the action writes the job's GITHUB_TOKEN into the checked-out repository's
#   `.git/config` so that later `git` commands are authenticated, where every later
#   step, and anything that uploads or caches the workspace, can read it.
# related_resources:
#   - ref: https://github.com/actions/checkout#usage
#     description: actions/checkout inputs (persist-credentials)
#   - ref: https://unit42.paloaltonetworks.com/github-repo-artifacts-leak-tokens/
#     description: "Unit 42: GitHub tokens leaked through build artifacts"
#   - ref: https://docs.zizmor.sh/audits/#artipacked
#     description: zizmor artipacked
# custom:
#   id: GP-GHA-005
#   severity: warning
#   level: gold
#   rationale: >-
#     Most jobs never push, yet they keep a usable token on disk for their whole run.
#     Tokens persisted this way have leaked through uploaded artifacts of whole
#     workspaces, and are one file read away for any compromised build tool. Jobs that
#     do push can pass the token explicitly to the one step that needs it.
#   help: >-
#     Add `with: {persist-credentials: false}` to the checkout step. If a later step
#     must push, give it the token explicitly (for example
#     `git push "https://x-access-token:${GITHUB_TOKEN}@github.com/${GITHUB_REPOSITORY}"`
#     with `GITHUB_TOKEN` in its `env:`) instead of persisting it for the whole job.
#   peers:
#     zizmor: artipacked
#   tags: [security]
#   security-severity: "4.0"
#   files: ["**/.github/workflows/*.yml", "**/.github/workflows/*.yaml"]
package goldenpath.gha.persist_credentials

import rego.v1

deny contains {"msg": msg, "path": ["jobs", job_id, "steps", i, "uses"]} if {
	some job_id, job in as_object(input.jobs)
	some i, step in as_array(job.steps)
	is_checkout(step.uses)
	not has_input(step)
	msg := sprintf("%s does not set persist-credentials: false, so the GITHUB_TOKEN stays in .git/config for every later step", [step.uses])
}

deny contains {"msg": msg, "path": ["jobs", job_id, "steps", i, "with", "persist-credentials"]} if {
	some job_id, job in as_object(input.jobs)
	some i, step in as_array(job.steps)
	is_checkout(step.uses)
	value := step["with"]["persist-credentials"]
	value != null
	not is_false(value)
	msg := sprintf("persist-credentials: %v keeps the GITHUB_TOKEN in .git/config for every later step; set it to false", [value])
}

has_input(step) if step["with"]["persist-credentials"] != null

is_checkout(uses) if {
	is_string(uses)
	regex.match(`^actions/checkout(@|$)`, lower(trim_space(uses)))
}

is_false(value) if value == false

is_false(value) if {
	is_string(value)
	lower(trim_space(value)) == "false"
}

as_object(x) := x if is_object(x) else := {}

as_array(x) := x if is_array(x) else := []
