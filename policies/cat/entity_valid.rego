# METADATA
# title: Backstage entity is invalid
# description: >-
#   A document in `catalog-info.yaml` is not an entity the Backstage catalog accepts.
#   Checked, one finding per problem: `apiVersion` present and of the form
#   `group/version`, and for the `backstage.io` group one of `backstage.io/v1alpha1`
#   or `backstage.io/v1beta1` (the scaffolder's `Template` uses
#   `scaffolder.backstage.io/v1beta3`); `kind` present, and one of the built-in
#   kinds, spelled exactly, under a `backstage.io` apiVersion; `metadata.name` present,
#   1 to 63 characters, letters and digits separated by single `-`, `_` or `.`;
#   `spec.owner` for Component, API, Resource, System and Domain; `spec.type` for
#   Component, API and Resource; `spec.lifecycle` for Component and API, one of the
#   stages Backstage names (`experimental`, `production`, `deprecated`); and
#   `spec.definition` for API. Missing keys are reported at the object that should
#   hold them.
# related_resources:
#   - ref: https://backstage.io/docs/features/software-catalog/descriptor-format
#     description: Backstage, Descriptor Format of Catalog Entities
#   - ref: https://backstage.io/docs/features/software-catalog/descriptor-format#name-required
#     description: Backstage, entity name format
# custom:
#   id: GP-CAT-002
#   severity: error
#   level: silver
#   rationale: >-
#     The catalog rejects an invalid entity as a whole, usually with an error that
#     only shows up in the catalog backend's logs: the component silently disappears
#     from the catalog, along with its owner, API docs and scorecards. Owner,
#     lifecycle and type are what make an entry useful to the people reading it.
#   help: >-
#     Fix the reported field. A minimal Component is `apiVersion:
#     backstage.io/v1alpha1`, `kind: Component`, `metadata.name: payments-api`, and
#     `spec` with `type: service`, `lifecycle: production` and `owner:
#     group:payments`.
#   files: ["**/catalog-info.yaml", "**/catalog-info.yml"]
#   formats: [yaml]
package goldenpath.cat.entity_valid

import rego.v1

backstage_versions := {"backstage.io/v1alpha1", "backstage.io/v1beta1"}

builtin_kinds := {"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location"}

needs_owner := {"Component", "API", "Resource", "System", "Domain"}

needs_type := {"Component", "API", "Resource"}

needs_lifecycle := {"Component", "API"}

needs_definition := {"API"}

name_pattern := `^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$`

entity := input if is_object(input)

deny contains {"msg": "this document is not an entity: a catalog entity is a mapping with `apiVersion`, `kind`, `metadata` and `spec`", "path": []} if {
	not is_object(input)
	input != null
}

non_empty_string(v) if {
	is_string(v)
	trim_space(v) != ""
}

# The kind as the catalog's built-in processor understands it, spelled exactly.
kind := entity.kind if entity.kind in builtin_kinds

kind := "Template" if {
	entity.kind == "Template"
	entity.apiVersion == "scaffolder.backstage.io/v1beta3"
}

# apiVersion

deny contains {"msg": "entity has no `apiVersion` (use `backstage.io/v1alpha1`)", "path": ["apiVersion"]} if {
	is_object(entity)
	not entity.apiVersion
}

deny contains {"msg": msg, "path": ["apiVersion"]} if {
	v := entity.apiVersion
	not valid_api_version(v)
	msg := sprintf("`apiVersion: %v` is not valid; Backstage entities use `backstage.io/v1alpha1` or `backstage.io/v1beta1`", [v])
}

valid_api_version(v) if v in backstage_versions

valid_api_version(v) if v == "scaffolder.backstage.io/v1beta3"

# Entities of custom kinds, handled by an organisation's own processors. A built-in
# kind (Component, API, ...) under another group is a typo such as `backstage/v1alpha1`:
# no processor accepts it.
valid_api_version(v) if {
	is_string(v)
	regex.match(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?/[A-Za-z0-9]+$`, v)
	not regex.match(`(^|\.)backstage\.io/`, v)
	not entity.kind in builtin_kinds
}

# kind

deny contains {"msg": "entity has no `kind` (e.g. `Component`)", "path": ["kind"]} if {
	is_object(entity)
	not entity.kind
}

deny contains {"msg": msg, "path": ["kind"]} if {
	k := entity.kind
	not non_empty_string(k)
	msg := sprintf("`kind: %v` is not a kind name", [k])
}

deny contains {"msg": msg, "path": ["kind"]} if {
	entity.apiVersion in backstage_versions
	k := entity.kind
	is_string(k)
	not k in builtin_kinds
	msg := unknown_kind_message(k)
}

unknown_kind_message(k) := sprintf("`kind: %s` must be spelled `%s`", [k, known]) if {
	some known in builtin_kinds
	lower(known) == lower(k)
} else := sprintf("`kind: %s` is not a Backstage kind (%s)", [k, concat(", ", sort(builtin_kinds))])

# metadata.name

deny contains {"msg": "entity has no `metadata.name`", "path": ["metadata", "name"]} if {
	is_object(entity)
	not entity.metadata.name
}

deny contains {"msg": msg, "path": ["metadata", "name"]} if {
	name := entity.metadata.name
	not valid_name(name)
	msg := sprintf("`metadata.name: %v` is not a valid entity name: 1 to 63 letters or digits, separated by single `-`, `_` or `.`", [name])
}

valid_name(name) if {
	is_string(name)
	count(name) <= 63
	regex.match(name_pattern, name)
}

# spec

required_fields contains "owner" if kind in needs_owner

required_fields contains "type" if kind in needs_type

required_fields contains "lifecycle" if kind in needs_lifecycle

deny contains {"msg": msg, "path": ["spec", field]} if {
	some field in required_fields
	not non_empty_string(object.get(entity, ["spec", field], null))
	msg := sprintf("%s entity needs a non-empty `spec.%s`", [kind, field])
}

lifecycles := {"experimental", "production", "deprecated"}

deny contains {"msg": msg, "path": ["spec", "lifecycle"]} if {
	kind in needs_lifecycle
	lifecycle := object.get(entity, ["spec", "lifecycle"], null)
	non_empty_string(lifecycle)
	not lifecycle in lifecycles
	msg := sprintf("`spec.lifecycle` is `%s`; it must be one of: experimental, production, deprecated", [lifecycle])
}

deny contains {"msg": "API entity needs a `spec.definition` (the API's schema, or `$text: ./openapi.yaml`)", "path": ["spec", "definition"]} if {
	kind in needs_definition
	not valid_definition(object.get(entity, ["spec", "definition"], null))
}

valid_definition(d) if non_empty_string(d)

valid_definition(d) if {
	is_object(d)
	count(d) > 0
}
