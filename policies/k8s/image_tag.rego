# METADATA
# title: Container image uses the latest tag or no tag
# description: >-
#   A container or init container of a workload runs an image tagged `latest`, or
#   with no tag at all (which means `latest`). Images pinned by digest
#   (`name@sha256:…`) are accepted with or without a tag, and values that still
#   contain template syntax (`{{ … }}`) are skipped. Precision: placeholders that a
#   build tool replaces at deploy time are not reported: untagged images the repository's
#   skaffold or Tilt configuration builds (`image: adservice` where `skaffold.yaml`
#   builds `adservice`), images a kustomization's `images:` gives a version tag or
#   digest, and ko import paths (`ko://…`).
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
#     description: Kubernetes image names, tags and digests
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=latest-tag
#     description: kube-linter latest-tag
# custom:
#   id: GP-K8S-008
#   severity: error
#   level: bronze
#   rationale: >-
#     `latest` names whatever was pushed last. Two replicas of the same Deployment can
#     run different code, a node restart silently upgrades a pod, a rollback to the
#     previous manifest restores nothing, and nobody can tell from the manifest which
#     version is in production. Kubernetes also pulls `latest` on every start
#     (imagePullPolicy Always), which ties pod starts to the registry's availability.
#   help: >-
#     Reference an immutable version: a release tag such as `ghcr.io/acme/api:1.8.2`,
#     or better a digest, `ghcr.io/acme/api:1.8.2@sha256:…`, and let your deployment
#     tooling bump it.
#   peers:
#     kube-linter: latest-tag
#     checkov: CKV_K8S_14
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.image_tag

import rego.v1

deny contains {"msg": msg, "path": array.concat(c.path, ["image"])} if {
	some c in containers
	image := c.container.image
	is_string(image)
	not contains(image, "{{")
	not contains(image, "@")
	not set_at_deploy(trim_space(image))
	problem := tag_problem(trim_space(image))
	msg := sprintf("container %q runs image %q, %s", [c.name, image, problem])
}

# A placeholder that a build tool replaces with the image it built, tagged, when it
# deploys: a skaffold or Tilt artifact, an image a kustomization gives a `newTag` or
# `digest`, or a ko import path (`ko://…`).
set_at_deploy(image) if startswith(image, "ko://")

# Only a bare name is a placeholder: an explicit `:latest` is what the manifest says.
set_at_deploy(image) if {
	image_name(image) == image
	data.goldenpath.context.deploy_images[image]
}

# The image without its tag: the last ":" of the last path segment starts the tag.
image_name(image) := name if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	not contains(last, ":")
	name := image
}

image_name(image) := name if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	bare := substring(last, 0, indexof(last, ":"))
	name := concat("/", array.concat(array.slice(parts, 0, count(parts) - 1), [bare]))
}

# The tag is what follows the last ":" of the last path segment; a ":" before a "/"
# is a registry port (`registry:5000/app`).
tag_problem(image) := "which has no tag and so means whatever latest is when the node pulls it" if {
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

tag_problem(image) := "whose latest tag moves with every push; pin a version or a digest" if {
	parts := split(image, "/")
	name := parts[count(parts) - 1]
	segments := split(name, ":")
	segments[count(segments) - 1] == "latest"
}

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
