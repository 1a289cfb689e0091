# METADATA
# title: Container allows privilege escalation
# description: >-
#   A container or init container of a workload does not set
#   `securityContext.allowPrivilegeEscalation: false`. The field defaults to true, so
#   a process in the container can gain more privileges than it started with, through
#   setuid or setgid binaries or file capabilities.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     description: Configure a security context for a pod or container
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     description: Pod Security Standards, restricted profile (privilege escalation)
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=privilege-escalation-container
#     description: kube-linter privilege-escalation-container
# custom:
#   id: GP-K8S-004
#   severity: error
#   level: bronze
#   rationale: >-
#     `allowPrivilegeEscalation: false` sets the kernel's no_new_privs flag on the
#     container's processes: a compromised non-root process cannot become root through
#     a setuid binary left in the image. It costs nothing for almost every
#     application, and the restricted Pod Security Standard requires it.
#   help: >-
#     Add `securityContext: {allowPrivilegeEscalation: false}` to every container and
#     init container (it has no pod-level equivalent).
#   peers:
#     kube-linter: privilege-escalation-container
#     checkov: CKV_K8S_20
#   tags: [security]
#   security-severity: "7.0"
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.privilege_escalation

import rego.v1

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "allowPrivilegeEscalation"])} if {
	some c in containers
	value := object.get(c.container, ["securityContext", "allowPrivilegeEscalation"], null)
	value != false
	msg := sprintf("container %q %s", [c.name, reason(value)])
}

reason(null) := "does not set allowPrivilegeEscalation: false (it defaults to true)"

reason(value) := sprintf("sets allowPrivilegeEscalation: %v", [value]) if value != null

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
