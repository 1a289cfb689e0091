# METADATA
# title: Hard-coded credentials in a provider or backend
# description: >-
#   A `provider` block, or a `backend` block under `terraform`, sets a credential
#   argument (`access_key`, `secret_key`, `token`, `password`, `client_secret`,
#   `api_key`, `api_token`) to a literal string instead of taking it from a variable or
#   the environment. Expressions (`var.x`, `data.x`, functions) and empty strings are
#   not reported.
# related_resources:
#   - ref: https://www.checkov.io/5.Policy%20Index/terraform.html
#     description: checkov CKV_AWS_41 (AWS provider keys)
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration
#     description: AWS provider, authentication and configuration
# custom:
#   id: GP-TF-003
#   severity: error
#   level: bronze
#   rationale: >-
#     A credential written into a `.tf` file is in every clone, fork and CI log of the
#     repository and in its history after it is deleted, and it usually has the broad
#     rights Terraform needs. Providers and backends all read credentials from the
#     environment, shared credential files, or workload identity, so the literal is
#     never necessary; a `sensitive` variable keeps it out of plans when it must be
#     passed explicitly.
#   help: >-
#     Delete the argument and let the provider find credentials itself (for AWS:
#     `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, or OIDC in CI via
#     `aws-actions/configure-aws-credentials`), or pass a variable declared with
#     `sensitive = true`: `password = var.db_password`. Rotate the credential: it is
#     already in the Git history.
#   peers:
#     checkov: CKV_AWS_41
#   tags: [security]
#   security-severity: "9.0"
#   files: ["**/*.tf"]
#   formats: [hcl2]
package goldenpath.tf.hardcoded_credentials

import rego.v1

credential_arguments := {
	"access_key", "secret_key", "token", "password",
	"client_secret", "api_key", "api_token",
}

deny contains {"msg": msg, "path": ["provider", name, k, arg]} if {
	some name, k, arg
	value := input.provider[name][k][arg]
	arg in credential_arguments
	literal(value)
	msg := sprintf("provider %q sets `%s` to a literal value; read it from the environment or a sensitive variable", [name, arg])
}

deny contains {"msg": msg, "path": ["terraform", t, "backend", kind, k, arg]} if {
	some t, kind, k, arg
	value := input.terraform[t].backend[kind][k][arg]
	arg in credential_arguments
	literal(value)
	msg := sprintf("backend %q sets `%s` to a literal value; pass it with -backend-config or the environment", [kind, arg])
}

literal(value) if {
	is_string(value)
	trim_space(value) != ""
	not contains(value, "${")
}
