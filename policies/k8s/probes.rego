# METADATA
# title: Container has no liveness or readiness probe
# description: >-
#   A long-running container (in a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet
#   or ReplicationController) does not define a `livenessProbe`, a `readinessProbe`,
#   or either. Jobs, CronJobs and init containers run to completion and are not
#   checked.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     description: Configure liveness, readiness and startup probes
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=no-readiness-probe
#     description: kube-linter no-liveness-probe and no-readiness-probe
# custom:
#   id: GP-K8S-002
#   severity: warning
#   level: silver
#   rationale: >-
#     Without a readiness probe a pod receives traffic as soon as its process starts,
#     before it can serve, and keeps receiving it while it is overloaded or
#     disconnected from its dependencies; rollouts then replace healthy pods with
#     broken ones. Without a liveness probe a deadlocked process stays up forever,
#     since Kubernetes only restarts containers that exit.
#   help: >-
#     Add both probes, usually HTTP checks on a lightweight endpoint, e.g.
#     `readinessProbe: {httpGet: {path: /ready, port: 8080}}` and
#     `livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 10}`.
#     For a slow start add a `startupProbe` rather than a long initial delay.
#   peers:
#     kube-linter: no-liveness-probe / no-readiness-probe
#     checkov: CKV_K8S_8 / CKV_K8S_9
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.probes

import rego.v1

deny contains {"msg": msg, "path": c.path} if {
	not input.kind in {"Job", "CronJob"}
	some c in containers
	c.list == "containers"
	missing := [probe |
		some probe in ["livenessProbe", "readinessProbe"]
		not is_object(object.get(c.container, probe, null))
	]
	count(missing) > 0
	msg := sprintf("container %q has no %s", [c.name, concat(" or ", missing)])
}

# The workload helpers every K8S rule shares (`policies/lib/k8s.rego`): evaluated once
# per document for all of them.
pod_spec_path := data.goldenpath.lib.k8s.pod_spec_path

pod_spec := data.goldenpath.lib.k8s.pod_spec

containers := data.goldenpath.lib.k8s.containers
