# METADATA
# title: AWS resource without owner and environment tags
# description: >-
#   An AWS resource that takes tags ends up without an `owner` or an `environment` tag
#   (keys compared case-insensitively), counting both its own `tags` and the
#   `default_tags` of the AWS provider configuration it uses. Resources are checked when
#   they set `tags` or are of a common taggable type (instances, buckets, databases,
#   clusters, queues, functions, networks, keys, roles and the like). Tags or default
#   tags given as an expression (`merge(local.tags, ...)`, `var.tags`) cannot be read and
#   count as complete. A module directory without its own `provider "aws"` block is
#   assumed to get its provider from a root module elsewhere in the repository, so the
#   default tags of every AWS provider in the repository count for it.
# related_resources:
#   - ref: https://docs.aws.amazon.com/whitepapers/latest/tagging-best-practices/tagging-best-practices.html
#     description: AWS tagging best practices
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/resource-tagging
#     description: AWS provider, resource tagging and default_tags
# custom:
#   id: GP-TF-002
#   severity: info
#   level: gold
#   rationale: >-
#     Tags are how a cloud bill, an incident or a security finding is traced back to a
#     team and an environment. An untagged resource has nobody to page, cannot be
#     attributed in cost reports, and is the first candidate for "is this still used?"
#     clean-ups that delete the wrong thing. `owner` and `environment` are the smallest
#     useful pair; the provider's `default_tags` sets them once for every resource.
#   help: >-
#     Set the tags once on the provider,
#     `provider "aws" { default_tags { tags = { owner = "team-payments", environment = "prod" } } }`,
#     or on the resource itself: `tags = { owner = "team-payments", environment = "prod" }`.
#   scope: repository
package goldenpath.tf.required_tags

import rego.v1

required := ["environment", "owner"]

deny contains result if {
	some path, type, name, k
	block := documents[path].resource[type][name][k]
	checked(type, block)
	not is_string(object.get(block, "tags", null))
	have := resource_keys(block) | default_keys(dir_of(path), provider_alias(block))
	not unknown_default(dir_of(path), provider_alias(block))
	missing := [t | some t in required; not t in have]
	count(missing) > 0
	result := {
		"msg": sprintf("%s.%s has no %s tag (neither in its tags nor in the provider's default_tags)", [type, name, concat(" or ", [sprintf("%q", [t]) | some t in missing])]),
		"file": path,
		"path": finding_path(type, name, k, block),
	}
}

finding_path(type, name, k, block) := ["resource", type, name, k, "tags"] if is_object(block.tags)

else := ["resource", type, name, k]

# Terraform files of the repository (not the module cache), parsed.
documents[path] := doc if {
	some f in input.files
	f.format == "hcl2"
	endswith(f.path, ".tf")
	not contains(concat("", ["/", f.path]), "/.terraform/")
	path := f.path
	doc := goldenpath.parse_file(path)
	is_object(doc)
}

dir_of(path) := concat("/", array.slice(parts, 0, count(parts) - 1)) if {
	parts := split(path, "/")
}

checked(type, block) if {
	startswith(type, "aws_")
	is_object(block.tags)
}

checked(type, block) if {
	taggable[type]
	not block.tags
}

resource_keys(block) := {lower(key) | some key, _ in block.tags} if is_object(block.tags)

else := set()

# `provider = aws.west` gives "west"; the default configuration is "".
provider_alias(block) := alias if {
	ref := trim_suffix(trim_prefix(block.provider, "${"), "}")
	startswith(ref, "aws.")
	alias := substring(ref, 4, -1)
} else := ""

# AWS provider configurations: [directory, alias, default tag keys or "unknown"].
aws_providers contains [dir_of(path), alias, keys] if {
	some path, k
	config := documents[path].provider.aws[k]
	alias := object.get(config, "alias", "")
	keys := default_tag_keys(config)
}

default_tag_keys(config) := "unknown" if {
	some d in config.default_tags
	is_string(d.tags)
} else := {lower(key) | some d in config.default_tags; some key, _ in d.tags}

# The AWS provider configurations that can apply to a resource in `dir` with `alias`.
applicable(dir, alias) := {p | some p in aws_providers; p[0] == dir; p[1] == alias}

candidates(dir, alias) := applicable(dir, alias) if count(applicable(dir, alias)) > 0

else := aws_providers

default_keys(dir, alias) := {key |
	some p in candidates(dir, alias)
	is_set(p[2])
	some key in p[2]
}

unknown_default(dir, alias) if {
	some p in candidates(dir, alias)
	p[2] == "unknown"
}

# Common AWS resource types that accept `tags` (any aws_* resource that sets `tags` is
# checked as well).
taggable := {
	"aws_acm_certificate", "aws_api_gateway_rest_api", "aws_apigatewayv2_api",
	"aws_cloudfront_distribution", "aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm",
	"aws_codebuild_project", "aws_db_instance", "aws_docdb_cluster", "aws_dynamodb_table",
	"aws_ebs_volume", "aws_ecr_repository", "aws_ecs_cluster", "aws_ecs_service",
	"aws_ecs_task_definition", "aws_efs_file_system", "aws_eip", "aws_eks_cluster",
	"aws_eks_node_group", "aws_elasticache_cluster", "aws_elasticache_replication_group",
	"aws_iam_policy", "aws_iam_role", "aws_iam_user", "aws_instance",
	"aws_internet_gateway", "aws_kinesis_stream", "aws_kms_key", "aws_lambda_function",
	"aws_launch_template", "aws_lb", "aws_lb_target_group", "aws_msk_cluster",
	"aws_nat_gateway", "aws_opensearch_domain", "aws_rds_cluster", "aws_route53_zone",
	"aws_route_table", "aws_s3_bucket", "aws_secretsmanager_secret", "aws_security_group",
	"aws_sfn_state_machine", "aws_sns_topic", "aws_sqs_queue", "aws_ssm_parameter",
	"aws_subnet", "aws_vpc", "aws_wafv2_web_acl",
}
