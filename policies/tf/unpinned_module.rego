# METADATA
# title: Module source not pinned
# description: >-
#   A `module` block takes its code from a Git or Mercurial repository without pinning a
#   tag or commit (`?ref=` missing, or naming a branch such as `main`), or from a module
#   registry without a `version`, or with a constraint that has no upper bound
#   (`>= 5.0`). Local paths (`./`, `../`) are part of the repository and always fine;
#   HTTP, S3 and GCS archive sources have no version to pin and are not reported.
# related_resources:
#   - ref: https://github.com/terraform-linters/tflint-ruleset-terraform/blob/main/docs/rules/terraform_module_pinned_source.md
#     description: tflint terraform_module_pinned_source
#   - ref: https://github.com/terraform-linters/tflint-ruleset-terraform/blob/main/docs/rules/terraform_module_version.md
#     description: tflint terraform_module_version
#   - ref: https://developer.hashicorp.com/terraform/language/modules/sources
#     description: Terraform module sources
# custom:
#   id: GP-TF-001
#   severity: warning
#   level: silver
#   rationale: >-
#     Terraform's dependency lock file records providers, not modules: a module that
#     follows a branch or an open version range is fetched afresh by every
#     `terraform init`, so a plan can change because someone pushed to another
#     repository. Pinning makes module upgrades a reviewed change and keeps a
#     compromised upstream from reaching production on the next run. A Git ref counts as
#     pinned when it is a full commit SHA or a release tag with a version number
#     (`v1.4.2`); registry versions may be exact (`5.8.1`) or bounded (`~> 5.8`).
#   help: >-
#     Add a tag or commit to Git sources,
#     `source = "git::https://github.com/org/terraform-network.git?ref=v2.3.1"` (a full
#     commit SHA is stricter still), and a version to registry modules,
#     `version = "5.8.1"` or `version = "~> 5.8"`. Renovate and Dependabot update both.
#   peers:
#     tflint: terraform_module_pinned_source
#     checkov: CKV_TF_2
#   files: ["**/*.tf"]
#   formats: [hcl2]
package goldenpath.tf.unpinned_module

import rego.v1

# Git or Mercurial source without a usable ref.
deny contains {"msg": msg, "path": ["module", name, k, "source"]} if {
	some name, k
	source := input.module[name][k].source
	is_string(source)
	vcs := vcs_kind(source)
	problem := vcs_problem(vcs, query_params(source))
	msg := sprintf("Module %q: source %q %s", [name, source, problem])
}

# Registry source without a version.
deny contains {"msg": msg, "path": ["module", name, k, "source"]} if {
	some name, k
	block := input.module[name][k]
	registry(block.source)
	not has_version(block)
	msg := sprintf("Module %q: registry source %q has no `version`, so every `terraform init` takes the newest release", [name, block.source])
}

# Registry source with a constraint that has no upper bound.
deny contains {"msg": msg, "path": ["module", name, k, "version"]} if {
	some name, k
	block := input.module[name][k]
	registry(block.source)
	has_version(block)
	not bounded(block.version)
	msg := sprintf("Module %q: version constraint %q has no upper bound; pin a version or use `~>`", [name, block.version])
}

has_version(block) if {
	is_string(block.version)
	trim_space(block.version) != ""
}

# An exact version, a pessimistic constraint or an explicit upper bound.
bounded(v) if regex.match(`^\s*=?\s*v?[0-9]+(\.[0-9]+){0,2}(-[0-9A-Za-z.-]+)?\s*$`, v)

bounded(v) if contains(v, "~>")

bounded(v) if contains(v, "<")

vcs_kind(source) := "git" if {
	not contains(source, "${")
	some prefix in ["git::", "git@", "git://", "github.com/", "bitbucket.org/"]
	startswith(lower(source), prefix)
}

vcs_kind(source) := "hg" if {
	not contains(source, "${")
	startswith(lower(source), "hg::")
}

ref_key := {"git": "ref", "hg": "rev"}

default_branches := {"main", "master", "develop", "development", "default", "trunk", "head"}

# The query parameters of a source address (after the first `?`).
query_params(source) := {k: v |
	contains(source, "?")
	query := substring(source, indexof(source, "?") + 1, -1)
	some pair in split(query, "&")
	contains(pair, "=")
	k := substring(pair, 0, indexof(pair, "="))
	v := substring(pair, indexof(pair, "=") + 1, -1)
}

vcs_problem(vcs, params) := sprintf("is not pinned: add `?%s=` with a release tag or commit", [ref_key[vcs]]) if {
	not params[ref_key[vcs]]
}

vcs_problem(vcs, params) := sprintf("follows %s=%s, a branch; pin a release tag or commit", [ref_key[vcs], ref]) if {
	ref := params[ref_key[vcs]]
	not pinned_ref(ref)
}

pinned_ref(ref) if regex.match(`^([0-9a-f]{40}|[0-9a-f]{64})$`, lower(ref))

pinned_ref(ref) if {
	regex.match(`[0-9]+\.[0-9]+`, ref)
	not lower(ref) in default_branches
}

# A module registry address: [<host>/]<namespace>/<name>/<provider>[//<subdirectory>].
registry(source) if {
	is_string(source)
	not contains(source, "::")
	not contains(source, "${")
	not startswith(source, ".")
	address := split(source, "//")[0]
	not contains(address, ":")
	not contains(address, "?")
	parts := split(address, "/")
	registry_parts(parts)
	not lower(parts[0]) in {"github.com", "bitbucket.org"}
}

registry_parts(parts) if {
	count(parts) == 3
	every p in parts {
		regex.match(`^[A-Za-z0-9][A-Za-z0-9_-]*$`, p)
	}
}

registry_parts(parts) if {
	count(parts) == 4
	contains(parts[0], ".")
	every p in array.slice(parts, 1, 4) {
		regex.match(`^[A-Za-z0-9][A-Za-z0-9_-]*$`, p)
	}
}
