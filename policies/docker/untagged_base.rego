# METADATA
# title: Base image has no tag or digest
# description: >-
#   A FROM instruction names a registry image with neither a tag nor a digest, which
#   Docker reads as `:latest`. Scratch and earlier build stages are not reported; an
#   image given as `${ARG}` is resolved from a global ARG default when it has one.
#   Precision: an image the repository builds itself is not reported (a build stage
#   of another of its Dockerfiles, as `docker build --target` produces, a skaffold,
#   Tilt or Compose artifact, or a `docker build -t NAME` in a Makefile or script);
#   its own Dockerfile is judged instead.
# related_resources:
#   - ref: https://github.com/hadolint/hadolint/wiki/DL3006
#     description: hadolint DL3006
#   - ref: https://docs.docker.com/reference/dockerfile/#from
#     description: Dockerfile reference, FROM
# custom:
#   id: GP-DOCKER-002
#   severity: error
#   level: bronze
#   rationale: >-
#     An untagged image is the `latest` tag in disguise: the build starts from whatever
#     was pushed last, so rebuilding the same commit can change the operating system or
#     runtime under the application, and the Dockerfile does not say which version it
#     was written for.
#   help: >-
#     Add the version you build on, e.g. `FROM nginx:1.27-alpine` instead of
#     `FROM nginx`, or pin a digest (`FROM nginx@sha256:...`). For an image taken from a
#     build argument, give the argument a versioned default: `ARG BASE=nginx:1.27-alpine`.
#   peers:
#     hadolint: DL3006
#     checkov: CKV_DOCKER_7
#     trivy: AVD-DS-0001
#   formats: [dockerfile]
package goldenpath.docker.untagged_base

import rego.v1

deny contains {"msg": msg, "path": [i, "Value", 0]} if {
	some i
	input[i].Cmd == "from"
	raw := input[i].Value[0]
	ref := resolve(raw)
	registry_image(i, ref)
	digest_of(ref) == ""
	tag_of(ref) == ""
	msg := sprintf("Base image %s has no tag or digest, so it means `latest`; pin a version", [describe(raw, ref)])
}

# A FROM that names a registry image: not `scratch` and not an earlier stage.
registry_image(i, ref) if {
	lower(ref) != "scratch"
	not earlier_stage(i, ref)
	not built_here(ref)
}

# An image this repository builds itself (a build stage of another Dockerfile, a
# skaffold, Tilt or Compose artifact, `docker build -t` in a Makefile or script): its
# own Dockerfile pins what it is built from.
built_here(ref) if {
	name := lower(split(split(ref, "@")[0], ":")[0])
	not contains(ref, "/")
	data.goldenpath.context.built_images[name]
}

built_here(ref) if {
	contains(ref, "/")
	parts := split(split(ref, "@")[0], "/")
	last := split(parts[count(parts) - 1], ":")[0]
	name := concat("/", array.concat(array.slice(parts, 0, count(parts) - 1), [last]))
	data.goldenpath.context.built_images[name]
}

earlier_stage(i, ref) if {
	some k
	input[k].Cmd == "from"
	k < i
	count(input[k].Value) >= 3
	lower(input[k].Value[1]) == "as"
	lower(input[k].Value[2]) == lower(ref)
}

describe(raw, ref) := sprintf("%q", [raw]) if raw == ref

describe(raw, ref) := sprintf("%q (resolves to %q)", [raw, ref]) if raw != ref

# The digest after `@`, or "".
digest_of(ref) := substring(ref, indexof(ref, "@") + 1, -1) if contains(ref, "@")

else := ""

# The tag after the last `:` of the last path component (a registry port is not a tag), or "".
tag_of(ref) := tag if {
	name := split(ref, "@")[0]
	parts := split(name, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := substring(last, indexof(last, ":") + 1, -1)
} else := ""

# ARG defaults declared before the first FROM (the only ones a FROM can use);
# a later declaration of the same name wins.
first_from := min({i | input[i].Cmd == "from"})

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
