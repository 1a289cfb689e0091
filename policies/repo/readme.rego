# METADATA
# title: Repository has no README
# description: >-
#   There is no README at the root of the repository (`README`, `README.md`,
#   `README.rst`, `README.txt`, `README.adoc` or `README.markdown`, in any letter
#   case). A README in a sub-directory does not count: the root README is what the code
#   host shows on the repository's front page.
# related_resources:
#   - ref: https://github.com/todogroup/repolinter
#     description: repolinter's readme-file-exists rule
#   - ref: https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-readmes
#     description: GitHub, About READMEs
# custom:
#   id: GP-REPO-001
#   severity: warning
#   level: bronze
#   rationale: >-
#     The README is the entry point for every new reader, from a colleague on call to
#     a platform team auditing ownership. Without it, what the service does, how to
#     build and run it and who to ask must be reverse-engineered from the code.
#   help: >-
#     Add a `README.md` at the repository root that says what the project is, how to
#     build, test and run it, and where to ask for help.
#   scope: repository
package goldenpath.repo.readme

import rego.v1

readme_names := {"readme", "readme.md", "readme.markdown", "readme.rst", "readme.txt", "readme.adoc"}

has_readme if {
	some f in input.files
	not contains(f.path, "/")
	lower(f.path) in readme_names
}

deny contains {"msg": "the repository has no README at its root"} if {
	not has_readme
}
