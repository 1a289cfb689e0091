# METADATA
# title: Catalog owner does not match CODEOWNERS
# description: >-
#   The `spec.owner` of a `Component` in the root `catalog-info.yaml` is not among the
#   owners of the CODEOWNERS catch-all rule (the last `*`, `/`, `/*`, `**` or `/**`
#   line of the CODEOWNERS file the code host uses). Names are compared
#   case-insensitively after dropping the entity-ref kind and namespace
#   (`group:default/platform` is `platform`), the `@` and organisation of a
#   CODEOWNERS team (`@acme/platform` is `platform`) and the domain of an email
#   owner. Nothing is reported when either file is missing or CODEOWNERS has no
#   catch-all owner (GP-REPO-003 and GP-REPO-004 report those).
# related_resources:
#   - ref: https://backstage.io/docs/features/software-catalog/descriptor-format#specowner-required
#     description: Backstage, spec.owner
#   - ref: https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
#     description: GitHub, About code owners
# custom:
#   id: GP-CAT-003
#   severity: warning
#   level: gold
#   rationale: >-
#     Ownership recorded in two places drifts. When the catalog says one team owns a
#     service and CODEOWNERS routes its reviews to another, pages, security reports
#     and review requests go to different people, and neither list can be trusted.
#   help: >-
#     Make both files name the same team: set `spec.owner` to the catalog group of
#     the team in the CODEOWNERS catch-all (`* @acme/payments` goes with `owner:
#     group:payments`), or change the catch-all to the team the catalog names.
#   scope: repository
package goldenpath.cat.owner_codeowners

import rego.v1

paths := {f.path | some f in input.files}

catalog := [p | some p in ["catalog-info.yaml", "catalog-info.yml"]; p in paths][0]

parsed := goldenpath.parse_file(catalog)

# Each entity of the catalog file with the path prefix of its document: none for a
# single document, the document's index for a multi-document file.
documents contains [[], parsed] if is_object(parsed)

documents contains [[i], d] if {
	is_array(parsed)
	some i, d in parsed
	is_object(d)
}

# CODEOWNERS, as the code host reads it: the first file found, in GitHub's order.
precedence := [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"]

codeowners := [p | some p in precedence; p in paths][0]

codeowners_text := t if {
	t := goldenpath.read_file(codeowners)
	is_string(t)
}

entries contains {"line": i + 1, "pattern": tokens[0], "owners": array.slice(tokens, 1, count(tokens))} if {
	some i, raw in split(codeowners_text, "\n")
	content := trim_space(regex.replace(replace(trim_space(raw), `\ `, "\u0000"), `(^|\s)#.*$`, ""))
	content != ""
	not regex.match(`^\^?\[`, content)
	tokens := regex.split(`\s+`, content)
}

catch_all := {"*", "/", "/*", "**", "/**", "**/*", "/**/*"}

last_catch_all := max({e.line | some e in entries; e.pattern in catch_all})

root_owners := {o | some e in entries; e.line == last_catch_all; some o in e.owners}

# `@acme/platform` -> platform, `@alice` -> alice, `alice@acme.example` -> alice.
codeowner_name(o) := lower(regex.replace(trim_prefix(o, "@"), `^.*/`, "")) if startswith(o, "@")

codeowner_name(o) := lower(split(o, "@")[0]) if {
	not startswith(o, "@")
	contains(o, "@")
}

# `group:default/platform` -> platform, `user:alice` -> alice, `Platform` -> platform.
catalog_name(owner) := lower(regex.replace(regex.replace(trim_space(owner), `^[A-Za-z]+:`, ""), `^.*/`, ""))

root_names := {codeowner_name(o) | some o in root_owners}

deny contains {"msg": msg, "file": catalog, "path": array.concat(prefix, ["spec", "owner"])} if {
	count(root_names) > 0
	some document in documents
	prefix := document[0]
	d := document[1]
	d.kind == "Component"
	owner := d.spec.owner
	is_string(owner)
	not catalog_name(owner) in root_names
	msg := sprintf("catalog owner `%s` is not an owner of the CODEOWNERS catch-all rule in %s (%s)", [owner, codeowners, concat(" ", sort(root_owners))])
}
