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

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
