# METADATA
# title: A .env file is committed
# description: >-
#   A dotenv file is part of the repository: `.env`, `.env.<anything>` or
#   `<anything>.env`, at any depth. Templates are allowed: a file whose name has a
#   dot-separated part `example`, `sample`, `template` or `dist` (`.env.example`,
#   `.env.local.sample`, `example.env`). `.envrc` (direnv) is not a dotenv file.
#   Files excluded by `.gitignore` are not part of the repository and are not
#   reported.
# related_resources:
#   - ref: https://12factor.net/config
#     description: The Twelve-Factor App, Config
#   - ref: https://cwe.mitre.org/data/definitions/540.html
#     description: CWE-540, Inclusion of Sensitive Information in Source Code
# custom:
#   id: GP-REPO-006
#   severity: error
#   level: bronze
#   rationale: >-
#     `.env` files hold the local values of an application's secrets: database
#     passwords, API tokens, signing keys. Once committed they are in every clone and
#     in the history forever, readable by anyone with read access to the repository
#     or to a leaked copy of it.
#   help: >-
#     Remove the file from the repository (`git rm --cached .env`), add it to
#     `.gitignore`, commit a `.env.example` with placeholder values instead, and
#     rotate every secret the file contained: deleting it does not remove it from
#     the history. Non-secret defaults that a framework reads from a committed
#     `.env.development` belong in the application's configuration or in a
#     `.env.example`; if the team deliberately follows that convention, turn this
#     rule off in `goldenpath.toml`.
#   tags: [security]
#   security-severity: "7.5"
#   scope: repository
package goldenpath.repo.env_file

import rego.v1

template_parts := {"example", "sample", "template", "dist"}

dotenv_name(name) if name == ".env"

dotenv_name(name) if startswith(name, ".env.")

dotenv_name(name) if {
	endswith(name, ".env")
	name != ".env"
}

template(name) if {
	some part in split(name, ".")
	part in template_parts
}

deny contains {"msg": msg, "file": f.path} if {
	some f in input.files
	parts := split(f.path, "/")
	name := lower(parts[count(parts) - 1])
	dotenv_name(name)
	not template(name)
	msg := sprintf("`%s` is a committed .env file; environment files hold secrets and must not be in the repository", [f.path])
}
