# METADATA
# title: ADD used where COPY would do
# description: >-
#   An ADD instruction copies local files or directories that are not tar archives,
#   which is exactly what COPY does. ADD of a remote URL (`http://`, `https://`,
#   `git@`) or of a local tar archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tbz2`,
#   `.tar.xz`, `.txz`, `.tar.zst`) that ADD unpacks is left alone; a source given as a
#   variable is not judged.
# related_resources:
#   - ref: https://github.com/hadolint/hadolint/wiki/DL3020
#     description: hadolint DL3020
#   - ref: https://docs.docker.com/build/building/best-practices/#add-or-copy
#     description: Docker build best practices, ADD or COPY
# custom:
#   id: GP-DOCKER-005
#   severity: warning
#   level: silver
#   rationale: >-
#     ADD has side effects COPY does not: a source that turns out to be a tar archive is
#     unpacked, and a source that is a URL is downloaded. Using it for plain files hides
#     which of these a reader should expect and lets a renamed file change behaviour.
#     COPY says "copy these files" and nothing else. ADD keeps its place for what only it
#     does, so remote sources (best with `--checksum`) and local tar archives to unpack
#     are allowed here; checkov's CKV_DOCKER_4 is stricter and reports every ADD.
#   help: >-
#     Replace `ADD` with `COPY` for local files and directories, keeping the flags:
#     `COPY --chown=app:app config/ /etc/app/`. To unpack an archive keep
#     `ADD app.tar.gz /opt/app/`; a `.zip` is never unpacked by ADD, so use COPY and
#     `RUN unzip`.
#   peers:
#     hadolint: DL3020
#     checkov: CKV_DOCKER_4
#     trivy: AVD-DS-0005
#   formats: [dockerfile]
package goldenpath.docker.add_instead_of_copy

import rego.v1

deny contains {"msg": msg, "path": [i, "Value", first]} if {
	some i
	input[i].Cmd == "add"
	local := local_sources(i)
	count(local) > 0
	first := min(local)
	names := [sprintf("%q", [input[i].Value[j]]) | some j in sort(local)]
	msg := sprintf("ADD copies local %s; use COPY", [concat(", ", names)])
}

# Indices of the sources (every value but the destination) that are plain local paths.
local_sources(i) := {j |
	some j, src in input[i].Value
	j < count(input[i].Value) - 1
	not remote(src)
	not archive(src)
	not contains(src, "$")
}

remote(src) if regex.match(`^(https?|git)://`, lower(src))

remote(src) if startswith(src, "git@")

archive(src) if regex.match(`\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst)$`, lower(src))
