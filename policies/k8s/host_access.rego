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

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
