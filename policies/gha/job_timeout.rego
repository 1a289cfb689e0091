# METADATA
# title: Job has no timeout
# description: >-
#   A job that runs steps does not set `timeout-minutes`, so it falls back to GitHub's
#   default of 360 minutes. Jobs that call a reusable workflow (`uses:` on the job)
#   are exempt: their timeouts belong to the called workflow's jobs.
# related_resources:
#   - ref: https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idtimeout-minutes
#     description: jobs.<job_id>.timeout-minutes
# custom:
#   id: GP-GHA-006
#   severity: warning
#   level: gold
#   rationale: >-
#     A hung test, a deadlocked build or a prompt waiting for input keeps a runner busy
#     for six hours before GitHub stops it. That blocks the queue for everyone on
#     self-hosted or concurrency-limited runners, burns paid minutes, and delays the
#     failure signal. An explicit timeout a little above the job's normal duration
#     turns a hang into a fast, visible failure.
#   help: >-
#     Add `timeout-minutes:` to the job with a value comfortably above its usual run
#     time, e.g. `timeout-minutes: 15` for a test job that normally takes five minutes.
#   files: ["**/.github/workflows/*.yml", "**/.github/workflows/*.yaml"]
package goldenpath.gha.job_timeout

import rego.v1

deny contains {"msg": msg, "path": ["jobs", job_id]} if {
	is_object(input.jobs)
	some job_id, job in input.jobs
	is_object(job)
	not calls_reusable_workflow(job)
	not has_timeout(job)
	msg := sprintf("job %q has no timeout-minutes, so a hang runs for GitHub's default 360 minutes", [job_id])
}

calls_reusable_workflow(job) if job.uses != null

has_timeout(job) if job["timeout-minutes"] != null
