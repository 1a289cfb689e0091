# METADATA
# title: Repository has no Backstage catalog-info.yaml
# description: >-
#   There is no `catalog-info.yaml` (or `catalog-info.yml`) at the root of the
#   repository, the file Backstage's catalog discovers to register the repository's
#   components. A catalog file in a sub-directory (one of several in a monorepo) does
#   not replace the root one.
# related_resources:
#   - ref: https://backstage.io/docs/features/software-catalog/descriptor-format
#     description: Backstage, Descriptor Format of Catalog Entities
#   - ref: https://backstage.io/docs/integrations/github/discovery
#     description: Backstage, GitHub discovery
# custom:
#   id: GP-CAT-001
#   severity: warning
#   level: bronze
#   rationale: >-
#     The software catalog is where people find what a repository is, who owns it,
#     how mature it is and what it depends on. A repository that is not in the
#     catalog is invisible to scorecards, on-call routing and ownership reports, and
#     discovery only looks for the root file.
#   help: >-
#     Add `catalog-info.yaml` at the repository root describing at least one entity,
#     e.g. a `Component` with `metadata.name`, `spec.type`, `spec.lifecycle` and
#     `spec.owner`; monorepos can list their sub-directories' catalog files with a
#     `Location` entity.
#   scope: repository
package goldenpath.cat.catalog_info

import rego.v1

has_catalog_info if {
	some f in input.files
	f.path in {"catalog-info.yaml", "catalog-info.yml"}
}

deny contains {"msg": "the repository has no catalog-info.yaml at its root, so it is not in the Backstage catalog"} if {
	not has_catalog_info
}
