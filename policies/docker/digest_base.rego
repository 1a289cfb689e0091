# METADATA
# title: Base image not pinned by digest
# description: >-
#   A FROM instruction names a registry image without a `@sha256:` digest, so the bytes
#   it builds on are chosen by the registry at build time. Scratch and earlier build
#   stages are not reported; an image given as `${ARG}` is resolved from a global ARG
#   default when it has one.
#   Precision: an image the repository builds itself is not reported (a build stage
#   of another of its Dockerfiles, as `docker build --target` produces, a skaffold,
#   Tilt or Compose artifact, or a `docker build -t NAME` in a Makefile or script);
#   its own Dockerfile is judged instead.
# related_resources:
#   - ref: https://docs.docker.com/reference/dockerfile/#from
#     description: Dockerfile reference, FROM (image@digest)
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies
#     description: OpenSSF Scorecard, Pinned-Dependencies (container images)
# custom:
#   id: GP-DOCKER-003
#   severity: info
#   level: gold
#   rationale: >-
#     Tags are mutable: a publisher can re-push `node:20.11` with a patched (or broken,
#     or compromised) image and every later build picks it up silently. A digest names
#     exactly one image, so builds are reproducible and a base-image change shows up as
#     a reviewed diff. Keeping the tag next to the digest (`node:20.11@sha256:...`)
#     keeps it readable, and Renovate or Dependabot keep the digest current.
#   help: >-
#     Append the digest of the image you tested with, e.g.
#     `FROM node:20.11-slim@sha256:<digest>`; `docker buildx imagetools inspect
#     node:20.11-slim` prints it. Let a dependency bot update tag and digest together.
#   peers:
#     scorecard: Pinned-Dependencies
#   formats: [dockerfile]
package goldenpath.docker.digest_base

import rego.v1

deny contains {"msg": msg, "path": [i, "Value", 0]} if {
	some i
	input[i].Cmd == "from"
	raw := input[i].Value[0]
	ref := resolve(raw)
	registry_image(i, ref)
	not regex.match(`^sha256:[0-9a-f]{64}$`, digest_of(ref))
	msg := sprintf("Base image %s is not pinned by a sha256 digest", [describe(raw, ref)])
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
