# METADATA
# title: CODEOWNERS does not cover the repository or names invalid owners
# description: >-
#   The CODEOWNERS file code hosts use (the first of `.github/CODEOWNERS`,
#   `CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS`) either has no catch-all
#   rule (`*`, `/`, `/*`, `**` or `/**`) with at least one valid owner as its last
#   catch-all, so files outside the listed paths have no owner, or has entries whose
#   owners are not `@user`, `@org/team` (GitLab: `@group/subgroup`) or an email
#   address. A missing catch-all is reported at line 1, an invalid owner at its line.
#   Entries with a path and no owners at all are allowed: they deliberately leave
#   those paths unowned. GitLab section headers (`[Section]`) are skipped.
# related_resources:
#   - ref: https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-syntax
#     description: GitHub, CODEOWNERS syntax
# custom:
#   id: GP-REPO-004
#   severity: warning
#   level: silver
#   rationale: >-
#     A CODEOWNERS file only helps if every path resolves to a real owner. GitHub
#     silently skips lines with invalid owners (a bare team name, a typo'd email), so
#     reviews are never requested and required code-owner approval cannot be given;
#     and without a catch-all, new directories are born without an owner.
#   help: >-
#     Start CODEOWNERS with a catch-all line for the owning team, e.g.
#     `* @acme/payments`, and write every owner as `@user`, `@org/team` or an email
#     address registered with the code host.
#   scope: repository
package goldenpath.repo.codeowners_valid

import rego.v1

# The order GitHub looks for the file in; it uses the first one it finds.
precedence := [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"]

paths := {f.path | some f in input.files}

codeowners := [p | some p in precedence; p in paths][0]

text := t if {
	t := goldenpath.read_file(codeowners)
	is_string(t)
}

# One entry per rule line: comments (whole-line or after whitespace) removed, escaped
# spaces in patterns (`My\ File.md`) kept inside the pattern.
entries contains {"line": i + 1, "pattern": tokens[0], "owners": array.slice(tokens, 1, count(tokens))} if {
	some i, raw in split(text, "\n")
	content := trim_space(regex.replace(replace(trim_space(raw), `\ `, "\u0000"), `(^|\s)#.*$`, ""))
	content != ""
	not regex.match(`^\^?\[`, content)
	tokens := regex.split(`\s+`, content)
}

user_or_team := `^@[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$`

email := `^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`

valid_owner(o) if regex.match(user_or_team, o)

valid_owner(o) if regex.match(email, o)

catch_all := {"*", "/", "/*", "**", "/**", "**/*", "/**/*"}

# Later rules win, so the last catch-all decides who owns the root.
last_catch_all := max({e.line | some e in entries; e.pattern in catch_all})

covers_root if {
	some e in entries
	e.line == last_catch_all
	some o in e.owners
	valid_owner(o)
}

deny contains {"msg": msg, "file": codeowners, "line": 1} if {
	is_string(text)
	not covers_root
	msg := sprintf("%s has no catch-all rule with an owner, such as `* @org/team`, so files outside its listed paths have no owner", [codeowners])
}

deny contains {"msg": msg, "file": codeowners, "line": e.line} if {
	some e in entries
	invalid := [o | some o in e.owners; not valid_owner(o)]
	count(invalid) > 0
	msg := sprintf("owners of `%s` that are not `@user`, `@org/team` or an email address: %s", [replace(e.pattern, "\u0000", `\ `), concat(", ", invalid)])
}
