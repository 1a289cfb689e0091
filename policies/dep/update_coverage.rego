# METADATA
# title: Dependency updates do not cover GitHub Actions or Docker
# description: >-
#   The repository has GitHub Actions workflows (`.github/workflows/*.yml`) or
#   Dockerfiles, but its update bot does not update them. For Dependabot, no entry of
#   `updates` has `package-ecosystem: github-actions` (or `docker`); reported at the
#   `updates` key of `dependabot.yml`. For Renovate, whose `github-actions` and
#   `dockerfile` managers are on by default, the manager is left out of a non-empty
#   `enabledManagers` list or turned off with `"<manager>": {"enabled": false}`;
#   reported at that line of the Renovate configuration. An ecosystem counts as
#   covered when either tool covers it. JSON5 configurations are read for these two
#   settings only; presets pulled in with `extends` are not resolved and are assumed
#   to keep the defaults. The check is per ecosystem; it does not check that a
#   Dependabot `docker` entry's `directory` is the one holding the Dockerfiles.
# related_resources:
#   - ref: https://docs.github.com/en/code-security/dependabot/working-with-dependabot/keeping-your-actions-up-to-date-with-dependabot
#     description: GitHub, Keeping your actions up to date with Dependabot
#   - ref: https://docs.renovatebot.com/configuration-options/#enabledmanagers
#     description: Renovate, enabledManagers
# custom:
#   id: GP-DEP-002
#   severity: info
#   level: gold
#   rationale: >-
#     Actions and base images are dependencies too, and ones that run with the
#     repository's credentials or ship in its images. Pinning them (by commit SHA, by
#     digest) is only safe when a bot proposes the updates; otherwise pinned versions
#     quietly rot and miss security fixes.
#   help: >-
#     With Dependabot, add `updates` entries for `package-ecosystem: github-actions`
#     (`directory: "/"`) and `package-ecosystem: docker` (the directory of each
#     Dockerfile), each with a `schedule`. With Renovate, add `github-actions` and
#     `dockerfile` to `enabledManagers`, or remove the setting that turns them off.
#   scope: repository
package goldenpath.dep.update_coverage

import rego.v1

paths := {f.path | some f in input.files}

needed contains "github-actions" if {
	some f in input.files
	regex.match(`^\.github/workflows/[^/]+\.ya?ml$`, f.path)
}

needed contains "docker" if {
	some f in input.files
	f.format == "dockerfile"
}

# Renovate's manager for each Dependabot ecosystem.
renovate_manager := {"github-actions": "github-actions", "docker": "dockerfile"}

# Dependabot

dependabot := [p | some p in [".github/dependabot.yml", ".github/dependabot.yaml"]; p in paths][0]

dependabot_ecosystems contains eco if {
	doc := goldenpath.parse_file(dependabot)
	some update in doc.updates
	eco := update["package-ecosystem"]
}

# Renovate, in the order Renovate looks for its configuration.

renovate_files := [
	"renovate.json", "renovate.json5",
	".github/renovate.json", ".github/renovate.json5",
	".gitlab/renovate.json", ".gitlab/renovate.json5",
	".renovaterc", ".renovaterc.json", ".renovaterc.json5",
]

renovate_in_package_json if {
	not renovate_file_present
	"package.json" in paths
	is_object(goldenpath.parse_file("package.json").renovate)
}

renovate_file_present if {
	some p in renovate_files
	p in paths
}

renovate := [p | some p in renovate_files; p in paths][0]

renovate := "package.json" if renovate_in_package_json

renovate_present if renovate

renovate_text := t if {
	t := goldenpath.read_file(renovate)
	is_string(t)
}

renovate_config := c if {
	renovate != "package.json"
	json.is_valid(renovate_text)
	c := json.unmarshal(renovate_text)
	is_object(c)
}

renovate_config := c if {
	renovate == "package.json"
	c := goldenpath.parse_file("package.json").renovate
}

renovate_enabled_managers := managers if {
	managers := renovate_config.enabledManagers
	is_array(managers)
}

# JSON5 (comments, unquoted keys, single quotes) is not JSON: read the list from the text.
renovate_enabled_managers := managers if {
	not renovate_config
	found := regex.find_all_string_submatch_n(`enabledManagers["']?\s*:\s*\[([^\]]*)\]`, renovate_text, 1)
	count(found) == 1
	managers := [trim(quoted, `"'`) | some quoted in regex.find_n(`"[^"]*"|'[^']*'`, found[0][1], -1)]
}

# [manager, pattern of the line that turns it off, why]
renovate_off contains [manager, `enabledManagers["']?\s*:`, "is not in `enabledManagers`"] if {
	count(renovate_enabled_managers) > 0
	some manager in renovate_manager
	not manager in renovate_enabled_managers
}

renovate_off contains [manager, key_pattern(manager), "is turned off (`enabled: false`)"] if {
	some manager in renovate_manager
	renovate_config[manager].enabled == false
}

renovate_off contains [manager, key_pattern(manager), "is turned off (`enabled: false`)"] if {
	not renovate_config
	some manager in renovate_manager
	regex.match(sprintf(`%s\s*\{\s*["']?enabled["']?\s*:\s*false`, [key_pattern(manager)]), renovate_text)
}

key_pattern(manager) := sprintf(`["']?%s["']?\s*:`, [manager])

renovate_covers(eco) if {
	renovate_present
	manager := renovate_manager[eco]
	not manager_off(manager)
}

manager_off(manager) if {
	some off in renovate_off
	off[0] == manager
}

covered(eco) if eco in dependabot_ecosystems

covered(eco) if renovate_covers(eco)

line_of(text, pattern) := n if {
	lines := {number | some i, l in split(text, "\n"); regex.match(pattern, l); number := i + 1}
	count(lines) > 0
	n := min(lines)
} else := 1

deny contains {"msg": msg, "file": dependabot, "path": ["updates"]} if {
	some eco in needed
	not covered(eco)
	msg := sprintf("%s has no `updates` entry for `package-ecosystem: %s`, so %s are never updated", [dependabot, eco, what(eco)])
}

deny contains {"msg": msg, "file": renovate, "line": line_of(renovate_text, off[1])} if {
	some eco in needed
	not covered(eco)
	manager := renovate_manager[eco]
	some off in renovate_off
	off[0] == manager
	msg := sprintf("Renovate's `%s` manager %s in %s, so %s are never updated", [manager, off[2], renovate, what(eco)])
}

what("github-actions") := "the actions used by workflows"

what("docker") := "Dockerfile base images"
