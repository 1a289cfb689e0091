# METADATA
# title: Container may run as root
# description: >-
#   A container or init container of a workload is not guaranteed to run as a
#   non-root user: neither its `securityContext` nor the pod's sets
#   `runAsNonRoot: true` (a container's value overrides the pod's), or the effective
#   `runAsUser` is 0. An explicit non-zero `runAsUser` is accepted as well, since it
#   cannot be root either.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     description: Configure a security context for a pod or container
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     description: Pod Security Standards, restricted profile (running as non-root)
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=run-as-non-root
#     description: kube-linter run-as-non-root
# custom:
#   id: GP-K8S-003
#   severity: error
#   level: bronze
#   rationale: >-
#     Most images run as root unless told otherwise. Root in a container is root on
#     the node's kernel with a thin layer of namespaces around it: a container escape,
#     a writable host mount or a kernel bug turns an application compromise into a
#     node compromise. `runAsNonRoot: true` makes the kubelet refuse to start a
#     container whose image would run as UID 0.
#   help: >-
#     Set `securityContext: {runAsNonRoot: true}` on the pod (or on each container) and
#     make the image run as an unprivileged user (`USER 10001` in the Dockerfile), or
#     set `runAsUser: 10001` explicitly.
#   peers:
#     kube-linter: run-as-non-root
#     checkov: CKV_K8S_23
#   tags: [security]
#   security-severity: "7.0"
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.run_as_non_root

import rego.v1

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", culprit(c.container)])} if {
	some c in containers
	not non_root(c.container)
	msg := sprintf("container %q %s", [c.name, reason(c.container)])
}

non_root(container) if {
	effective(container, "runAsNonRoot") == true
	not root_uid(container)
}

root_uid(container) if effective(container, "runAsUser") == 0

non_root(container) if {
	uid := effective(container, "runAsUser")
	is_number(uid)
	uid > 0
}

# A container's securityContext value, else the pod's.
effective(container, key) := value if {
	value := container.securityContext[key]
	value != null
} else := value if {
	value := pod_spec.securityContext[key]
	value != null
}

reason(container) := "runs as UID 0 (runAsUser: 0)" if {
	effective(container, "runAsUser") == 0
} else := "has runAsNonRoot: false" if {
	effective(container, "runAsNonRoot") == false
} else := "may run as root: neither it nor the pod sets runAsNonRoot: true"

# Point at the container's own runAsUser: 0 when that is the cause.
culprit(container) := "runAsUser" if container.securityContext.runAsUser == 0 else := "runAsNonRoot"

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
