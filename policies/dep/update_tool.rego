# METADATA
# title: No automated dependency updates are configured
# description: >-
#   The repository has neither a Dependabot configuration (`.github/dependabot.yml`
#   or `.yaml`) nor a Renovate configuration (`renovate.json`, `renovate.json5`,
#   `.github/renovate.json[5]`, `.gitlab/renovate.json[5]`, `.renovaterc`,
#   `.renovaterc.json[5]`, or a `renovate` object in the root `package.json`).
#   Renovate presets applied organisation-wide by a self-hosted bot are not visible in
#   the repository and are not detected.
# related_resources:
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#dependency-update-tool
#     description: OpenSSF Scorecard, Dependency-Update-Tool check
#   - ref: https://docs.github.com/en/code-security/dependabot/dependabot-version-updates/configuration-options-for-the-dependabot.yml-file
#     description: Dependabot options reference
#   - ref: https://docs.renovatebot.com/configuration-options/
#     description: Renovate configuration options
# custom:
#   id: GP-DEP-001
#   severity: warning
#   level: silver
#   rationale: >-
#     Dependencies that are only updated by hand fall behind until an upgrade is a
#     project, and security fixes wait for someone to notice them. An update bot keeps
#     versions current in small, reviewable pull requests that CI tests one at a time.
#   help: >-
#     Add `.github/dependabot.yml` with one `updates` entry per ecosystem the
#     repository uses (for example `npm`, `docker` and `github-actions`, each with
#     `directory: "/"` and a `schedule`), or a `renovate.json` such as
#     `{"extends": ["config:recommended"]}`.
#   peers:
#     scorecard: Dependency-Update-Tool
#   scope: repository
package goldenpath.dep.update_tool

import rego.v1

config_files := {
	".github/dependabot.yml", ".github/dependabot.yaml",
	"renovate.json", "renovate.json5",
	".github/renovate.json", ".github/renovate.json5",
	".gitlab/renovate.json", ".gitlab/renovate.json5",
	".renovaterc", ".renovaterc.json", ".renovaterc.json5",
}

configured if {
	some f in input.files
	f.path in config_files
}

configured if {
	some f in input.files
	f.path == "package.json"
	manifest := goldenpath.parse_file("package.json")
	is_object(manifest.renovate)
}

deny contains {"msg": "no Dependabot or Renovate configuration: dependencies are only updated by hand"} if {
	not configured
}
