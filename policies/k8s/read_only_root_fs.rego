# METADATA
# title: Container root filesystem is writable
# description: >-
#   A container or init container of a workload does not set
#   `securityContext.readOnlyRootFilesystem: true`, so its processes can modify the
#   image's files.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     description: Configure a security context for a pod or container
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=no-read-only-root-fs
#     description: kube-linter no-read-only-root-fs
# custom:
#   id: GP-K8S-005
#   severity: warning
#   level: silver
#   rationale: >-
#     An attacker who gets code execution in a container usually wants to drop a tool,
#     replace a binary or plant persistence; a read-only root filesystem makes that
#     much harder. It also keeps containers immutable, so every replica runs exactly
#     the image that was built and scanned, and stray writes that would fill the
#     node's disk fail fast instead.
#   help: >-
#     Set `securityContext: {readOnlyRootFilesystem: true}` on the container and mount
#     an `emptyDir` volume at each path the application must write to (for example
#     `/tmp` or a cache directory).
#   peers:
#     kube-linter: no-read-only-root-fs
#     checkov: CKV_K8S_22
#   tags: [security]
#   security-severity: "4.0"
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.read_only_root_fs

import rego.v1

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "readOnlyRootFilesystem"])} if {
	some c in containers
	value := object.get(c.container, ["securityContext", "readOnlyRootFilesystem"], null)
	value != true
	msg := sprintf("container %q %s", [c.name, reason(value)])
}

reason(null) := "does not set readOnlyRootFilesystem: true, so its root filesystem is writable"

reason(value) := sprintf("sets readOnlyRootFilesystem: %v", [value]) if value != null

# --- workload helpers (each K8S rule is self-contained) ---

# Where each workload kind keeps its pod spec.
pod_spec_path := ["spec"] if input.kind == "Pod"

pod_spec_path := ["spec", "template", "spec"] if {
	input.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
}

pod_spec_path := ["spec", "jobTemplate", "spec", "template", "spec"] if input.kind == "CronJob"

# The pod spec of a Kubernetes workload; undefined for any other YAML document.
pod_spec := spec if {
	not kustomize_patch
	is_string(input.apiVersion)
	spec := object.get(input, pod_spec_path, null)
	is_object(spec)
}

# Every container and init container: its path in the document, the container, its
# name and which list it is in.
containers contains {"path": array.concat(pod_spec_path, [list, i]), "container": c, "name": name, "list": list} if {
	some list in ["containers", "initContainers"]
	some i, c in as_array(pod_spec[list])
	is_object(c)
	name := container_name(c, i)
}

container_name(c, _) := c.name if is_string(c.name)

container_name(c, i) := sprintf("#%d", [i]) if not is_string(object.get(c, "name", null))

as_array(x) := x if is_array(x) else := []

# A file a kustomization applies as a patch is a partial object merged into its base at
# build time, not a resource of its own: the base is judged instead.
kustomize_patch if data.goldenpath.context.kustomize_patches[data.goldenpath.context.file]
