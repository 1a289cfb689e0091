# METADATA
# title: Repository has no security policy
# description: >-
#   There is no `SECURITY.md` (or `SECURITY.markdown`, `.rst`, `.txt`, `.adoc`, in any
#   letter case) at the repository root, in `.github/` or in `docs/`, so there is no
#   documented way to report a vulnerability.
# related_resources:
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#security-policy
#     description: OpenSSF Scorecard, Security-Policy check
#   - ref: https://docs.github.com/en/code-security/getting-started/adding-a-security-policy-to-your-repository
#     description: GitHub, Adding a security policy to your repository
# custom:
#   id: GP-REPO-005
#   severity: info
#   level: gold
#   rationale: >-
#     Whoever finds a vulnerability needs to know where to report it privately and
#     what to expect. Without a policy, reports end up in public issues, in the wrong
#     inbox, or nowhere. GitHub links the file from the repository's Security tab.
#   help: >-
#     Add `SECURITY.md` (root or `.github/`) saying how to report a vulnerability
#     privately (a security contact, a private advisory form or the company's PSIRT
#     process), which versions are supported, and the expected response time. Note
#     that an organisation-wide policy in a separate `.github` repository is not
#     visible to this check.
#   peers:
#     scorecard: Security-Policy
#   scope: repository
package goldenpath.repo.security_policy

import rego.v1

policy_file := `^((\.github|docs)/)?security\.(md|markdown|rst|txt|adoc)$`

has_policy if {
	some f in input.files
	regex.match(policy_file, lower(f.path))
}

deny contains {"msg": "the repository has no SECURITY.md security policy"} if {
	not has_policy
}
