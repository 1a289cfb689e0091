# METADATA
# title: Workload is privileged or shares a host namespace
# description: >-
#   A container or init container sets `securityContext.privileged: true`, or the pod
#   sets `hostNetwork`, `hostPID` or `hostIPC: true`. Each of these removes the
#   isolation between the workload and the node it runs on.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     description: Pod Security Standards, baseline profile (privileged containers, host namespaces)
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=privileged-container
#     description: kube-linter privileged-container
# custom:
#   id: GP-K8S-011
#   severity: error
#   level: bronze
#   rationale: >-
#     A privileged container has every capability and access to the node's devices; a
#     pod in the host's network, process or IPC namespace can see and reach the node's
#     other workloads. A compromise of such a workload is a compromise of the node. The
#     baseline Pod Security Standard, the least a cluster should enforce, forbids all
#     four.
#   help: >-
#     Remove `privileged: true` and grant only the capabilities the container needs
#     (`securityContext.capabilities.add`); remove `hostNetwork`, `hostPID` and
#     `hostIPC` from the pod spec. Node agents that truly need them belong in a
#     separate, reviewed namespace with its own policy exception.
#   peers:
#     kube-linter: privileged-container / host-network / host-pid / host-ipc
#     checkov: CKV_K8S_16 / CKV_K8S_19 / CKV_K8S_17 / CKV_K8S_18
#   tags: [security]
#   security-severity: "8.5"
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.host_access

import rego.v1

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "privileged"])} if {
	some c in containers
	object.get(c.container, ["securityContext", "privileged"], false) == true
	msg := sprintf("container %q runs privileged (securityContext.privileged: true)", [c.name])
}

deny contains {"msg": msg, "path": array.concat(pod_spec_path, [field])} if {
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	pod_spec[field] == true
	msg := sprintf("%s %q sets %s: true and shares the node's namespace", [input.kind, object.get(input, ["metadata", "name"], ""), field])
}

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
