# METADATA
# title: A huge file is committed
# description: >-
#   The repository contains a file larger than 5 MiB (5,242,880 bytes). Files
#   stored with Git LFS are checked out as small pointer files and are not reported.
# related_resources:
#   - ref: https://docs.github.com/en/repositories/working-with-files/managing-large-files/about-large-files-on-github
#     description: GitHub, About large files on GitHub
# custom:
#   id: GP-REPO-009
#   severity: warning
#   level: silver
#   rationale: >-
#     Git keeps every version of every file in every clone. A large file makes
#     clones, CI checkouts and code search slow for everyone, forever, even after it
#     is deleted; code hosts warn at 50 MB and refuse files over 100 MB. Large files
#     are usually data sets, dumps or build outputs that belong elsewhere.
#   help: >-
#     Remove the file and store it where large data belongs: an artifact registry,
#     object storage, a data-versioning tool, or Git LFS if it must travel with the
#     code. To drop it from the history too, rewrite it with `git filter-repo`.
#   scope: repository
package goldenpath.repo.huge_file

import rego.v1

limit := 5242880

deny contains {"msg": msg, "file": f.path} if {
	some f in input.files
	f.size > limit
	msg := sprintf("`%s` is %.1f MiB, over the 5 MiB limit for committed files", [f.path, f.size / 1048576])
}
