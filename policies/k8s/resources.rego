# METADATA
# title: Container has no CPU/memory requests or memory limit
# description: >-
#   A container or init container of a workload (Pod, Deployment, StatefulSet,
#   DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) does not set
#   `resources.requests.cpu`, `resources.requests.memory` or
#   `resources.limits.memory`. A CPU limit is not required: it throttles a container
#   even when the node has idle CPU, and many teams leave it unset on purpose.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource management for pods and containers
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=unset-memory-requirements
#     description: kube-linter unset-cpu-requirements and unset-memory-requirements
# custom:
#   id: GP-K8S-001
#   severity: warning
#   level: silver
#   rationale: >-
#     The scheduler places pods by their requests: a container without them is packed
#     onto nodes as if it needed nothing, then competes for CPU and memory with its
#     neighbours and is the first to be evicted under pressure. Without a memory limit
#     one leaking container can exhaust the node's memory and get other workloads
#     killed. Requests are also what autoscalers and capacity planning are based on.
#   help: >-
#     Set requests from the container's observed usage and a memory limit above its
#     peak, e.g. `resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}`.
#     A namespace LimitRange can supply defaults, but explicit values keep the
#     manifest honest.
#   peers:
#     kube-linter: unset-cpu-requirements / unset-memory-requirements
#     checkov: CKV_K8S_10 / CKV_K8S_12 / CKV_K8S_13
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.resources

import rego.v1

required := [
	["cpu request", ["resources", "requests", "cpu"]],
	["memory request", ["resources", "requests", "memory"]],
	["memory limit", ["resources", "limits", "memory"]],
]

deny contains {"msg": msg, "path": array.concat(c.path, place(missing))} if {
	some c in containers
	missing := [what |
		some [what, key] in required
		not is_set(object.get(c.container, key, null))
	]
	count(missing) > 0
	msg := sprintf("container %q has no %s", [c.name, either(missing)])
}

either(items) := items[0] if count(items) == 1

either(items) := sprintf("%s or %s", [concat(", ", array.slice(items, 0, n - 1)), items[n - 1]]) if {
	n := count(items)
	n > 1
}

is_set(value) if {
	value != null
	value != ""
}

# Point at `resources.requests` when a request is missing, else at `resources.limits`;
# missing keys resolve to the nearest object that exists.
place(missing) := ["resources", "requests"] if {
	some what in missing
	endswith(what, "request")
} else := ["resources", "limits", "memory"]

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
