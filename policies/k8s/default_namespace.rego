# METADATA
# title: Object is placed in the default namespace
# description: >-
#   A namespaced Kubernetes object sets `metadata.namespace: default`. Only an explicit
#   `default` is reported: manifests without a namespace are common and correct when
#   the namespace is chosen at deploy time (`kubectl -n`, Kustomize, Helm, Argo CD),
#   so a missing namespace is not a finding. Cluster-scoped kinds (Namespace,
#   ClusterRole, CustomResourceDefinition, …), the `default` ServiceAccount and the
#   `kubernetes` Service, which live in `default` by design, are not reported, nor are
#   documents that look like Kubernetes objects but are not applied to a cluster
#   (Backstage entities, whose `namespace: default` is Backstage's own; Kustomize and
#   component configuration files).
#   Precision: files a `kustomization.yaml` applies as patches (`patches`,
#   `patchesStrategicMerge`, `patchesJson6902`) are partial objects and are not
#   judged; their base is. Manifests written as JSON are checked like YAML.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
#     description: Kubernetes namespaces
#   - ref: https://docs.kubelinter.io/#/generated/checks?id=use-namespace
#     description: kube-linter use-namespace
# custom:
#   id: GP-K8S-010
#   severity: warning
#   level: silver
#   rationale: >-
#     Namespaces are where access control, resource quotas, network policies and Pod
#     Security admission levels are applied. The default namespace usually has none
#     of them, is shared by everything deployed without thought, and makes it easy for
#     unrelated workloads to see and affect each other. A namespace per application or
#     team gives each a boundary that can be secured and cleaned up on its own.
#   help: >-
#     Deploy into a namespace of the application's or team's own, e.g.
#     `metadata: {namespace: payments}`, or drop the field and set the namespace at
#     deploy time.
#   peers:
#     kube-linter: use-namespace
#     checkov: CKV_K8S_21
#   files: ["**/*.yaml", "**/*.yml", "**/*.json"]
#   formats: [yaml, json]
package goldenpath.k8s.default_namespace

import rego.v1

# Kinds that are not namespaced: a namespace on them is ignored by the API server.
cluster_scoped := {
	"APIService",
	"CSIDriver",
	"CSINode",
	"CertificateSigningRequest",
	"ClusterIssuer",
	"ClusterRole",
	"ClusterRoleBinding",
	"ComponentStatus",
	"CustomResourceDefinition",
	"FlowSchema",
	"IngressClass",
	"MutatingWebhookConfiguration",
	"Namespace",
	"Node",
	"PersistentVolume",
	"PriorityClass",
	"PriorityLevelConfiguration",
	"RuntimeClass",
	"StorageClass",
	"ValidatingAdmissionPolicy",
	"ValidatingAdmissionPolicyBinding",
	"ValidatingWebhookConfiguration",
	"VolumeAttachment",
}

deny contains {"msg": msg, "path": ["metadata", "namespace"]} if {
	not kustomize_patch
	is_string(input.apiVersion)
	is_string(input.kind)
	not input.kind in cluster_scoped
	input.metadata.namespace == "default"
	not default_by_design
	not not_a_cluster_object(input.apiVersion)
	msg := sprintf("%s %q is placed in the default namespace; use a namespace of its own", [input.kind, name])
}

default_by_design if {
	input.kind == "ServiceAccount"
	input.metadata.name == "default"
}

default_by_design if {
	input.kind == "Service"
	input.metadata.name == "kubernetes"
}

# Files shaped like Kubernetes objects that no API server sees.
not_a_cluster_object(api_version) if {
	some prefix in ["backstage.io/", "kustomize.config.k8s.io/", "kind.x-k8s.io/", "kubeadm.k8s.io/", "skaffold/"]
	startswith(api_version, prefix)
}

not_a_cluster_object(api_version) if regex.match(`^[a-z0-9.-]+\.config\.k8s\.io/`, api_version)

name := input.metadata.name if is_string(input.metadata.name) else := "(unnamed)"

# A file a kustomization applies as a patch is a partial object merged into its base at
# build time, not a resource of its own: the base is judged instead.
kustomize_patch if data.goldenpath.lib.k8s.kustomize_patch
