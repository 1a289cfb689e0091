# METADATA
# title: Container runs without a seccomp profile
# description: >-
#   A container or init container of a workload has no seccomp profile of type
#   `RuntimeDefault` or `Localhost`, neither in its own
#   `securityContext.seccompProfile` nor inherited from the pod's (a container's
#   profile overrides the pod's). Without one, or with `Unconfined`, its processes can
#   make any system call. The old `seccomp.security.alpha.kubernetes.io` annotations
#   are no longer honoured by current Kubernetes versions and are not accepted.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/tutorials/security/seccomp/
#     description: Restrict a container's syscalls with seccomp
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     description: Pod Security Standards, restricted profile (seccomp)
# custom:
#   id: GP-K8S-007
#   severity: warning
#   level: gold
#   rationale: >-
#     Kubernetes runs containers unconfined by default. The runtime's default seccomp
#     profile blocks a few dozen system calls that applications do not use but kernel
#     exploits and container escapes often do (for example `unshare`, `keyctl`,
#     `bpf`), at no cost for ordinary workloads. The restricted Pod Security Standard
#     requires it.
#   help: >-
#     Set `securityContext: {seccompProfile: {type: RuntimeDefault}}` on the pod so
#     every container inherits it, or `type: Localhost` with a `localhostProfile` for a
#     custom profile.
#   peers:
#     checkov: CKV_K8S_31
#   tags: [security]
#   security-severity: "4.0"
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.seccomp

import rego.v1

confined := {"RuntimeDefault", "Localhost"}

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "seccompProfile", "type"])} if {
	some c in containers
	not confined_profile(c.container)
	msg := sprintf("container %q %s", [c.name, reason(c.container)])
}

# The container's seccomp profile type, else the pod's.
confined_profile(container) if effective_type(container) in confined

effective_type(container) := type if {
	type := container.securityContext.seccompProfile.type
	type != null
} else := type if {
	type := pod_spec.securityContext.seccompProfile.type
	type != null
}

reason(container) := sprintf("runs with seccomp profile %v; use RuntimeDefault or Localhost", [effective_type(container)]) if {
	effective_type(container)
} else := "has no seccomp profile, neither its own nor the pod's, so it runs unconfined"

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
