# A conftest-style Kubernetes policy set used by benches/corpus.sh: 20 rules over the
# workloads in the generated corpus, with locations.
package main

import rego.v1

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "Job"}

is_workload if input.kind in workload_kinds

pod_spec := input.spec.template.spec if is_workload

pod_path := ["spec", "template", "spec"]

container_path(i) := array.concat(pod_path, ["containers", i])

deny contains {"msg": sprintf("container `%s` uses the latest tag", [c.name]), "path": array.concat(container_path(i), ["image"])} if {
	some i, c in pod_spec.containers
	endswith(c.image, ":latest")
}

deny contains {"msg": sprintf("container `%s` has an untagged image", [c.name]), "path": array.concat(container_path(i), ["image"])} if {
	some i, c in pod_spec.containers
	not contains(c.image, ":")
}

deny contains {"msg": sprintf("container `%s` is privileged", [c.name]), "path": array.concat(container_path(i), ["securityContext", "privileged"])} if {
	some i, c in pod_spec.containers
	c.securityContext.privileged == true
}

deny contains {"msg": sprintf("container `%s` allows privilege escalation", [c.name]), "path": array.concat(container_path(i), ["securityContext", "allowPrivilegeEscalation"])} if {
	some i, c in pod_spec.containers
	not c.securityContext.allowPrivilegeEscalation == false
}

deny contains {"msg": sprintf("container `%s` has a writable root filesystem", [c.name]), "path": array.concat(container_path(i), ["securityContext", "readOnlyRootFilesystem"])} if {
	some i, c in pod_spec.containers
	not c.securityContext.readOnlyRootFilesystem == true
}

deny contains {"msg": sprintf("container `%s` does not drop ALL capabilities", [c.name]), "path": array.concat(container_path(i), ["securityContext", "capabilities", "drop"])} if {
	some i, c in pod_spec.containers
	not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
}

deny contains {"msg": "pod may run as root", "path": array.concat(pod_path, ["securityContext", "runAsNonRoot"])} if {
	is_workload
	not pod_spec.securityContext.runAsNonRoot == true
}

deny contains {"msg": "pod uses the host network", "path": array.concat(pod_path, ["hostNetwork"])} if pod_spec.hostNetwork == true

deny contains {"msg": "pod shares the host PID namespace", "path": array.concat(pod_path, ["hostPID"])} if pod_spec.hostPID == true

warn contains {"msg": sprintf("container `%s` has no memory limit", [c.name]), "path": array.concat(container_path(i), ["resources", "limits", "memory"])} if {
	some i, c in pod_spec.containers
	not c.resources.limits.memory
}

warn contains {"msg": sprintf("container `%s` has no CPU request", [c.name]), "path": array.concat(container_path(i), ["resources", "requests", "cpu"])} if {
	some i, c in pod_spec.containers
	not c.resources.requests.cpu
}

warn contains {"msg": sprintf("container `%s` has no memory request", [c.name]), "path": array.concat(container_path(i), ["resources", "requests", "memory"])} if {
	some i, c in pod_spec.containers
	not c.resources.requests.memory
}

warn contains {"msg": sprintf("container `%s` has no liveness probe", [c.name]), "path": container_path(i)} if {
	some i, c in pod_spec.containers
	not c.livenessProbe
}

warn contains {"msg": sprintf("container `%s` has no readiness probe", [c.name]), "path": container_path(i)} if {
	some i, c in pod_spec.containers
	not c.readinessProbe
}

warn contains {"msg": "seccomp profile is not RuntimeDefault", "path": array.concat(pod_path, ["securityContext", "seccompProfile", "type"])} if {
	is_workload
	not pod_spec.securityContext.seccompProfile.type == "RuntimeDefault"
}

warn contains {"msg": "workload is in the default namespace", "path": ["metadata", "namespace"]} if {
	is_workload
	object.get(input.metadata, "namespace", "default") == "default"
}

warn contains {"msg": "workload has no owner label", "path": ["metadata", "labels"]} if {
	is_workload
	not input.metadata.labels.owner
}

warn contains {"msg": sprintf("container `%s` pulls with imagePullPolicy Always", [c.name]), "path": array.concat(container_path(i), ["imagePullPolicy"])} if {
	some i, c in pod_spec.containers
	c.imagePullPolicy == "Always"
}

warn contains {"msg": "Deployment has a single replica", "path": ["spec", "replicas"]} if {
	input.kind == "Deployment"
	object.get(input.spec, "replicas", 1) < 2
}

warn contains {"msg": "Service exposes a NodePort", "path": ["spec", "type"]} if {
	input.kind == "Service"
	input.spec.type == "NodePort"
}
