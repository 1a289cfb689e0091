# METADATA
# title: Repository has no CODEOWNERS file
# description: >-
#   There is no `CODEOWNERS` file in any of the places code hosts read it from: the
#   repository root, `.github/` or `docs/` (GitHub), or `.gitlab/` (GitLab). The file
#   name is case-sensitive.
# related_resources:
#   - ref: https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
#     description: GitHub, About code owners
#   - ref: https://docs.gitlab.com/ee/user/project/codeowners/
#     description: GitLab, Code Owners
# custom:
#   id: GP-REPO-003
#   severity: warning
#   level: silver
#   rationale: >-
#     CODEOWNERS turns ownership into something tools act on: reviews are requested
#     from the right team automatically, branch protection can require their
#     approval, and incident responders and platform teams can find who owns a
#     repository without asking around.
#   help: >-
#     Add `.github/CODEOWNERS` with a catch-all line naming the owning team, e.g.
#     `* @acme/payments`, followed by more specific paths if parts of the repository
#     belong to other teams.
#   scope: repository
package goldenpath.repo.codeowners

import rego.v1

locations := {"CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

has_codeowners if {
	some f in input.files
	f.path in locations
}

deny contains {"msg": "the repository has no CODEOWNERS file (looked in the root, .github/, docs/ and .gitlab/)"} if {
	not has_codeowners
}
