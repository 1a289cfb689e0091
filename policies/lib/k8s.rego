# Helpers shared by the K8S rules of the pack. A library, not a rule: no METADATA, no
# `deny`. The interpreter evaluates a rule once per document, so the pod spec and the
# containers are found once for every K8S rule that reads them.
package goldenpath.lib.k8s

import rego.v1

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
