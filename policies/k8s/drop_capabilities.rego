# METADATA
# title: Container does not drop all capabilities
# description: >-
#   A container or init container of a workload does not list `ALL` in
#   `securityContext.capabilities.drop`, so it keeps the container runtime's default
#   Linux capabilities (such as NET_RAW, CHOWN, SETUID and DAC_OVERRIDE). Capabilities
#   it really needs can be added back with `capabilities.add`.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
#     description: Set capabilities for a container
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     description: Pod Security Standards, restricted profile (capabilities)
# custom:
#   id: GP-K8S-006
#   severity: warning
#   level: silver
#   rationale: >-
#     Default capabilities are far more than a typical service needs and are what many
#     container escapes and lateral moves rely on: NET_RAW allows packet spoofing on the
#     pod network, SETUID and SETGID allow switching users, DAC_OVERRIDE ignores file
#     permissions. Dropping all of them and adding back only what is needed keeps the
#     kernel attack surface small; the restricted Pod Security Standard requires it.
#   help: >-
#     Add `securityContext: {capabilities: {drop: ["ALL"]}}` to the container, and
#     `add: ["NET_BIND_SERVICE"]` (or another specific capability) only if it needs one.
#   peers:
#     checkov: CKV_K8S_37
#   tags: [security]
#   security-severity: "5.0"
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.drop_capabilities

import rego.v1

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "capabilities", "drop"])} if {
	some c in containers
	dropped := object.get(c.container, ["securityContext", "capabilities", "drop"], null)
	not drops_all(dropped)
	msg := sprintf("container %q %s", [c.name, reason(dropped)])
}

drops_all(dropped) if {
	is_array(dropped)
	some capability in dropped
	is_string(capability)
	upper(trim_space(capability)) == "ALL"
}

reason(dropped) := sprintf("drops only %s, not ALL capabilities", [concat(", ", [sprintf("%v", [x]) | some x in dropped])]) if {
	is_array(dropped)
	count(dropped) > 0
} else := "does not drop ALL capabilities (securityContext.capabilities.drop)"

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
