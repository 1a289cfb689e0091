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

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
