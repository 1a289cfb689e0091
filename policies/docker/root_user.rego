# METADATA
# title: Final stage runs as root
# description: >-
#   The image's final stage sets no USER, or its last USER is `root` or `0`, so the
#   container's process runs as root unless whoever starts it overrides the user. A final
#   stage built `FROM` an earlier stage inherits that stage's USER; earlier stages that
#   only build artifacts may use root freely.
# related_resources:
#   - ref: https://github.com/hadolint/hadolint/wiki/DL3002
#     description: hadolint DL3002
#   - ref: https://docs.docker.com/build/building/best-practices/#user
#     description: Docker build best practices, USER
# custom:
#   id: GP-DOCKER-004
#   severity: error
#   level: silver
#   rationale: >-
#     Root in a container is root on the host's kernel: a process that escapes through a
#     kernel or runtime bug, or a writable host mount, keeps full privileges. Running as
#     an unprivileged user also stops an exploited application from rewriting its own
#     binaries or installing tools in the image. Kubernetes `runAsNonRoot` refuses images
#     whose user is root, so fixing it in the Dockerfile is what lets the workload run
#     under a restricted Pod Security profile. An image that needs no USER because its
#     base already sets one (e.g. distroless `:nonroot`) still states it, so the intent
#     survives a base-image change.
#   help: >-
#     Create an unprivileged user in the final stage and switch to it after the steps that
#     need root, e.g. `RUN useradd --system --uid 10001 app` then `USER 10001`
#     (a numeric UID lets Kubernetes verify `runAsNonRoot`). On distroless images use
#     `USER nonroot` or `USER 65532`.
#   peers:
#     hadolint: DL3002
#     checkov: CKV_DOCKER_3, CKV_DOCKER_8
#     trivy: AVD-DS-0002
#   tags: [security]
#   security-severity: "6.5"
#   formats: [dockerfile]
package goldenpath.docker.root_user

import rego.v1

# The last USER that applies to the final stage is root.
deny contains {"msg": msg, "path": [u, "Value", 0]} if {
	u := max(chain_users)
	is_root(input[u].Value[0])
	msg := sprintf("The final image runs as root: its last USER is %q", [input[u].Value[0]])
}

# No USER applies to the final stage.
deny contains {"msg": msg, "path": [f]} if {
	count(chain_users) == 0
	f := final_from
	msg := sprintf("The final stage (FROM %s) sets no USER, so the container runs as the base image's user, root for most images", [input[f].Value[0]])
}

is_root(user) if regex.match(`^(root|0)(:.*)?$`, trim_space(user))

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

# USER instructions of those stages; instructions are numbered in file order and a parent
# stage always comes earlier, so the highest index is the USER in effect.
chain_users := {i |
	some i
	input[i].Cmd == "user"
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
