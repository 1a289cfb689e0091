# METADATA
# title: Dependency manifest without a committed lockfile
# description: >-
#   A dependency manifest is committed without the lockfile that pins what it
#   resolves to. Checked manifests and the lockfiles that satisfy them: `package.json`
#   with dependencies (`package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
#   `pnpm-lock.yaml`, `bun.lock` or `bun.lockb`; in its directory or, for
#   workspaces, any directory above); `pyproject.toml` with a `[tool.poetry]` table
#   and dependencies (`poetry.lock` beside it) or a `[tool.uv]` table (`uv.lock`
#   beside it or above, for uv workspaces); `Pipfile` (`Pipfile.lock`); `go.mod`
#   with `require` directives (`go.sum`); `Gemfile` (`Gemfile.lock`, unless a
#   `.gemspec` beside it makes it a library); `Cargo.toml` of a binary crate, one
#   with `[[bin]]`, `src/main.rs` or `src/bin/` (`Cargo.lock` beside it or in the
#   workspace root above). Manifests under `node_modules/` are skipped, and so are
#   pyproject files of other tools, whose lockfile cannot be told from the manifest.
# related_resources:
#   - ref: https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json
#     description: npm, package-lock.json
#   - ref: https://doc.rust-lang.org/cargo/faq.html#why-have-cargolock-in-version-control
#     description: Cargo FAQ, Why have Cargo.lock in version control?
#   - ref: https://python-poetry.org/docs/basic-usage/#committing-your-poetrylock-file-to-version-control
#     description: Poetry, committing poetry.lock
# custom:
#   id: GP-DEP-003
#   severity: warning
#   level: silver
#   rationale: >-
#     Without a lockfile every install resolves version ranges again: two builds of
#     the same commit can ship different dependency trees, a compromised release of a
#     transitive dependency is picked up silently, and "works on my machine" bugs
#     cannot be reproduced. A committed lockfile makes builds repeatable and
#     dependency changes reviewable.
#   help: >-
#     Generate the lockfile with the project's package manager (`npm install`,
#     `yarn`, `pnpm install`, `poetry lock`, `uv lock`, `pipenv lock`, `go mod tidy`,
#     `bundle install`, `cargo generate-lockfile`), commit it next to the manifest,
#     and make CI install from it (`npm ci`, `poetry install --sync`, `uv sync
#     --locked`, `cargo build --locked`).
#   scope: repository
package goldenpath.dep.lockfile

import rego.v1

paths := {f.path | some f in input.files}

manifest_names := {"package.json", "pyproject.toml", "Pipfile", "go.mod", "Gemfile", "Cargo.toml"}

# The manifests, found in one pass over the file list (rules below look only at these,
# so a monorepo of tens of thousands of files is walked once).
manifests := {p | some p in paths; base(p) in manifest_names}

# Directories holding a `.gemspec` (gem libraries, which do not commit Gemfile.lock).
gemspec_dirs := {dir(q) | some q in paths; endswith(q, ".gemspec")}

# Crate directories with binaries under `src/bin/`.
bin_crate_dirs := {d |
	some q in paths
	endswith(q, ".rs")
	i := indexof(q, "src/bin/")
	i >= 0
	d := trim_suffix(substring(q, 0, i), "/")
}

base(p) := parts[count(parts) - 1] if parts := split(p, "/")

dir(p) := concat("/", array.slice(parts, 0, count(parts) - 1)) if parts := split(p, "/")

join(d, name) := name if d == ""

join(d, name) := concat("/", [d, name]) if d != ""

# The directory itself and every directory above it, up to the root ("").
self_and_above(d) := {concat("/", array.slice(parts, 0, n)) |
	parts := split(d, "/")
	some n in numbers.range(0, count(parts))
}

locked_here(d, locks) if {
	some lock in locks
	join(d, lock) in paths
}

locked_here_or_above(d, locks) if {
	some up in self_and_above(d)
	locked_here(up, locks)
}

npm_locks := ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"]

# [manifest, expected lockfiles] for each manifest that lacks its lockfile.

missing contains [p, concat(", ", npm_locks)] if {
	some p in manifests
	base(p) == "package.json"
	not contains(concat("", ["/", p]), "/node_modules/")
	npm_has_dependencies(goldenpath.parse_file(p))
	not locked_here_or_above(dir(p), npm_locks)
}

npm_has_dependencies(manifest) if {
	some field in ["dependencies", "devDependencies", "optionalDependencies"]
	count(manifest[field]) > 0
}

missing contains [p, "poetry.lock"] if {
	some p in manifests
	base(p) == "pyproject.toml"
	project := goldenpath.parse_file(p)
	is_object(project.tool.poetry)
	poetry_has_dependencies(project)
	not locked_here(dir(p), ["poetry.lock"])
}

poetry_has_dependencies(project) if {
	some name, _ in project.tool.poetry.dependencies
	lower(name) != "python"
}

poetry_has_dependencies(project) if {
	some group in project.tool.poetry.group
	count(group.dependencies) > 0
}

poetry_has_dependencies(project) if count(project.project.dependencies) > 0

missing contains [p, "uv.lock"] if {
	some p in manifests
	base(p) == "pyproject.toml"
	project := goldenpath.parse_file(p)
	is_object(project.tool.uv)
	not is_object(object.get(project, ["tool", "poetry"], null))
	not locked_here_or_above(dir(p), ["uv.lock"])
}

missing contains [p, "Pipfile.lock"] if {
	some p in manifests
	base(p) == "Pipfile"
	not locked_here(dir(p), ["Pipfile.lock"])
}

missing contains [p, "go.sum"] if {
	some p in manifests
	base(p) == "go.mod"
	text := goldenpath.read_file(p)
	is_string(text)
	# `require example.com/x v1` or a `require (` block with at least one line.
	regex.match(`(?m)^require\s*(\(\s*[^)\s]|[^(\s])`, text)
	not locked_here(dir(p), ["go.sum"])
}

missing contains [p, "Gemfile.lock"] if {
	some p in manifests
	base(p) == "Gemfile"
	not gem_library(dir(p))
	not locked_here(dir(p), ["Gemfile.lock"])
}

gem_library(d) if d in gemspec_dirs

missing contains [p, "Cargo.lock"] if {
	some p in manifests
	base(p) == "Cargo.toml"
	crate := goldenpath.parse_file(p)
	is_object(crate.package)
	binary_crate(dir(p), crate)
	not locked_here_or_above(dir(p), ["Cargo.lock"])
}

binary_crate(_, crate) if count(crate.bin) > 0

binary_crate(d, _) if join(d, "src/main.rs") in paths

binary_crate(d, _) if d in bin_crate_dirs

deny contains {"msg": msg, "file": m[0]} if {
	some m in missing
	msg := sprintf("`%s` has no committed lockfile (%s)", [m[0], m[1]])
}
