# METADATA
# title: Workload has no owner label
# description: >-
#   A workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
#   ReplicationController, Job, CronJob) has no non-empty `owner` label in
#   `metadata.labels`. goldenpath asks for `owner`, the label kube-linter's
#   required-label-owner check uses, naming the team responsible; it does not accept
#   `app.kubernetes.io/managed-by`, which names the tool that applied the object
#   (Helm, Argo CD), not the people who answer for it. Labels on the pod template do
#   not count: the object itself must carry it.
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
#     description: Kubernetes labels and selectors
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=required-label-owner
#     description: kube-linter required-label-owner
# custom:
#   id: GP-K8S-009
#   severity: info
#   level: gold
#   rationale: >-
#     When a workload misbehaves at 3 a.m., the on-call engineer needs to know whose it
#     is from the cluster alone. An owner label also lets cost reports, alerts and
#     policy exceptions be routed to the right team, and keeps orphaned workloads from
#     running forever because nobody knows whether they are still needed.
#   help: >-
#     Add the owning team to the object's labels, e.g.
#     `metadata: {labels: {owner: team-payments}}`, using the same team name as the
#     repository's CODEOWNERS or catalog-info.yaml.
#   peers:
#     kube-linter: required-label-owner
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.owner_label

import rego.v1

workload_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}

deny contains {"msg": msg, "path": ["metadata", "labels", "owner"]} if {
	not kustomize_patch
	is_string(input.apiVersion)
	input.kind in workload_kinds
	not has_owner
	msg := sprintf("%s %q has no owner label (metadata.labels.owner)", [input.kind, name])
}

has_owner if {
	owner := input.metadata.labels.owner
	is_string(owner)
	trim_space(owner) != ""
}

name := input.metadata.name if is_string(input.metadata.name) else := "(unnamed)"

# A file a kustomization applies as a patch is a partial object merged into its base at
# build time, not a resource of its own: the base is judged instead.
kustomize_patch if data.goldenpath.lib.k8s.kustomize_patch
