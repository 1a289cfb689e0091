# METADATA
# title: No HEALTHCHECK in the final stage
# description: >-
#   The image's final stage, and the earlier stages it is built FROM, define no
#   HEALTHCHECK, or the one in effect is `HEALTHCHECK NONE`, so Docker cannot tell a
#   running but broken container from a healthy one.
# related_resources:
#   - ref: https://docs.docker.com/reference/dockerfile/#healthcheck
#     description: Dockerfile reference, HEALTHCHECK
# custom:
#   id: GP-DOCKER-006
#   severity: info
#   level: gold
#   rationale: >-
#     Without a health check a container counts as healthy as long as its main process
#     lives, so a deadlocked server keeps receiving traffic. Docker, Compose
#     (`depends_on: condition: service_healthy`), Swarm and ECS act on the image's
#     HEALTHCHECK, and `docker ps` shows the status. Kubernetes ignores it in favour of
#     liveness and readiness probes, which is why this is an informational, gold-level
#     rule; the check is still the image's own statement of how to tell it works.
#   help: >-
#     Add a cheap check to the final stage, e.g.
#     `HEALTHCHECK --interval=30s --timeout=3s CMD ["/app", "healthcheck"]` or
#     `HEALTHCHECK CMD curl -fsS http://localhost:8080/healthz || exit 1` when the image
#     has curl. Prefer a subcommand of the application over installing curl just for it.
#   peers:
#     checkov: CKV_DOCKER_2
#     trivy: AVD-DS-0026
#   formats: [dockerfile]
package goldenpath.docker.no_healthcheck

import rego.v1

deny contains {"msg": msg, "path": [f]} if {
	count(chain_healthchecks) == 0
	f := final_from
	msg := sprintf("The final stage (FROM %s) defines no HEALTHCHECK", [input[f].Value[0]])
}

deny contains {"msg": msg, "path": [h]} if {
	h := max(chain_healthchecks)
	upper(input[h].Value[0]) == "NONE"
	msg := "The HEALTHCHECK in effect for the final image is `HEALTHCHECK NONE`, which disables health checking"
}

froms := [i | some i; input[i].Cmd == "from"]

final_from := froms[count(froms) - 1]

final_stage := input[final_from].Stage

# Stage number -> the earlier stage it is built FROM (an empty list for a registry image).
parents[s] := ps if {
	some f in froms
	s := input[f].Stage
	ps := [p | some p in stage_parent(f)]
}

stage_parent(f) := {input[k].Stage |
	some k in froms
	k < f
	count(input[k].Value) >= 3
	lower(input[k].Value[1]) == "as"
	lower(input[k].Value[2]) == lower(resolve(input[f].Value[0]))
}

# The final stage and the stages it inherits from.
chain := graph.reachable(parents, {final_stage})

# HEALTHCHECK instructions of those stages; the highest index is the one in effect.
chain_healthchecks := {i |
	some i
	input[i].Cmd == "healthcheck"
	input[i].Stage in chain
}

# ARG defaults declared before the first FROM (the only ones a FROM can use);
# a later declaration of the same name wins.
first_from := froms[0]

arg_decls contains [i, j, name, value] if {
	some i, j
	input[i].Cmd == "arg"
	i < first_from
	raw := input[i].Value[j]
	contains(raw, "=")
	name := substring(raw, 0, indexof(raw, "="))
	value := unquote(substring(raw, indexof(raw, "=") + 1, -1))
	value != ""
}

global_args[name] := value if {
	some decl in arg_decls
	[i, j, name, value] := decl
	not redeclared(i, j, name)
}

redeclared(i, j, name) if {
	some later in arg_decls
	later[2] == name
	later[0] > i
}

redeclared(i, j, name) if {
	some later in arg_decls
	later[2] == name
	later[0] == i
	later[1] > j
}

unquote(s) := substring(s, 1, count(s) - 2) if {
	count(s) >= 2
	some q in ["\"", "'"]
	startswith(s, q)
	endswith(s, q)
} else := s

var_pattern := `\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}$]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*`

# The value of `$NAME`, `${NAME}` or `${NAME:-word}` (word when NAME has no default).
var_value(r) := global_args[trim_prefix(r, "$")] if not startswith(r, "${")

var_value(r) := global_args[name] if {
	startswith(r, "${")
	not contains(r, ":-")
	name := trim_suffix(trim_prefix(r, "${"), "}")
}

var_value(r) := value if {
	startswith(r, "${")
	contains(r, ":-")
	inner := trim_suffix(trim_prefix(r, "${"), "}")
	name := substring(inner, 0, indexof(inner, ":-"))
	word := substring(inner, indexof(inner, ":-") + 2, -1)
	value := object.get(global_args, name, word)
	value != ""
}

# The reference with `$NAME`, `${NAME}` and `${NAME:-word}` replaced by global ARG
# defaults; undefined when a variable has no default or another expansion form is used.
resolve(s) := s if not contains(s, "$")

resolve(s) := out if {
	contains(s, "$")
	refs := regex.find_n(var_pattern, s, -1)
	values := [var_value(r) | some r in refs]
	count(values) == count(refs)
	pieces := regex.split(var_pattern, s)
	out := concat("", [concat("", [piece, at(values, k)]) | some k, piece in pieces])
	not contains(out, "$")
}

at(arr, k) := arr[k] if k < count(arr)

else := ""
