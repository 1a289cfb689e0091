# METADATA
# title: Repository has no LICENSE
# description: >-
#   There is no license file at the root of the repository: a file named `LICENSE`,
#   `LICENCE`, `UNLICENSE` or `COPYING` in any letter case, optionally with a suffix
#   (`LICENSE-MIT`, `LICENSE-APACHE`) and an extension (`.md`, `.txt`, `.rst`,
#   `.markdown`), or a REUSE-style `LICENSES/` directory with at least one file. A
#   `license` field in a package manifest does not count.
# related_resources:
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#license
#     description: OpenSSF Scorecard, License check
#   - ref: https://reuse.software/spec/
#     description: REUSE specification (LICENSES/ directory)
# custom:
#   id: GP-REPO-002
#   severity: warning
#   level: bronze
#   rationale: >-
#     Without a license file nobody, inside or outside the company, knows under which
#     terms the code may be used, copied or distributed, and license scanners
#     classify the repository as unknown. Most licenses also require their text to be
#     shipped with the code.
#   help: >-
#     Add the license text in a `LICENSE` file at the repository root (for internal
#     code, the company's standard proprietary notice), or one file per license under
#     `LICENSES/`.
#   peers:
#     scorecard: License
#   scope: repository
package goldenpath.repo.license

import rego.v1

# LICENSE, LICENCE, UNLICENSE, COPYING; LICENSE-MIT, LICENSE-APACHE-2.0, COPYING.LESSER;
# then an optional documentation extension. `license_check.py` is not a license.
license_name := `^((un)?licen[cs]e|copying)(-[a-z0-9.-]+|\.lesser)?(\.(md|markdown|txt|rst|html))?$`

has_license if {
	some f in input.files
	not contains(f.path, "/")
	regex.match(license_name, lower(f.path))
}

has_license if {
	some f in input.files
	startswith(f.path, "LICENSES/")
}

deny contains {"msg": "the repository has no LICENSE file at its root"} if {
	not has_license
}
