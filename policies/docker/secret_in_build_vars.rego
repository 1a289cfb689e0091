# METADATA
# title: Secret-looking value in ARG or ENV
# description: >-
#   An ARG default or ENV value whose name looks like a credential (PASSWORD, PASSWD,
#   SECRET, TOKEN, API_KEY, PRIVATE_KEY, ACCESS_KEY, in any case and position) is set to
#   a literal. Empty values, values that reference another variable (`$VAR`, `${VAR}`),
#   `true`/`false`, and names that only point at a secret (ending in `_FILE`, `_PATH`,
#   `_DIR`, `_URL`, `_URI`, `_ENDPOINT`, `_NAME`, `_TYPE`, `_HEADER`) are not reported.
# related_resources:
#   - ref: https://docs.docker.com/build/building/secrets/
#     description: Docker build secrets
#   - ref: https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/
#     description: Docker build check SecretsUsedInArgOrEnv
# custom:
#   id: GP-DOCKER-007
#   severity: error
#   level: bronze
#   rationale: >-
#     A literal in a Dockerfile is a secret committed to the repository, and ENV values
#     and ARG values used by a RUN are also recorded in the image's configuration and
#     history, where anyone who can pull the image can read them with `docker history`
#     or `docker inspect`. Rotating the credential is the only cure once it has shipped.
#     Matching is by name, so a finding can be a placeholder rather than a real secret;
#     a placeholder default is still a credential someone may forget to override.
#   help: >-
#     Remove the value and pass the secret at build time with a secret mount,
#     `RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci`
#     (`docker build --secret id=npm_token,env=NPM_TOKEN .`), or at run time through the
#     orchestrator's secrets (`*_FILE` variables pointing at mounted files). Rotate the
#     credential if it was real.
#   tags: [security]
#   security-severity: "8.0"
#   formats: [dockerfile]
package goldenpath.docker.secret_in_build_vars

import rego.v1

# ARG NAME=value: each value is one "NAME=default" string.
deny contains {"msg": msg, "path": [i, "Value", j]} if {
	some i, j
	input[i].Cmd == "arg"
	raw := input[i].Value[j]
	contains(raw, "=")
	name := substring(raw, 0, indexof(raw, "="))
	value := unquote(substring(raw, indexof(raw, "=") + 1, -1))
	secret_name(name)
	literal(value)
	msg := sprintf("ARG %s has a literal default; secrets must not be written in the Dockerfile", [name])
}

# ENV: values come in [name, value, separator] triples.
deny contains {"msg": msg, "path": [i, "Value", j + 1]} if {
	some i, j
	input[i].Cmd == "env"
	j % 3 == 0
	name := input[i].Value[j]
	value := unquote(trim_space(input[i].Value[j + 1]))
	secret_name(name)
	literal(value)
	msg := sprintf("ENV %s is set to a literal value; secrets must not be written in the Dockerfile", [name])
}

secret_name(name) if {
	regex.match(`(?i)(password|passwd|secret|token|api_?key|private_?key|access_?key)`, name)
	not regex.match(`(?i)_(file|path|dir|url|uri|endpoint|name|type|header)$`, name)
}

literal(value) if {
	value != ""
	not contains(value, "$")
	not lower(value) in {"true", "false"}
}

unquote(s) := substring(s, 1, count(s) - 2) if {
	count(s) >= 2
	some q in ["\"", "'"]
	startswith(s, q)
	endswith(s, q)
} else := s
