# METADATA
# title: A compiled binary is committed
# description: >-
#   The repository contains a binary file that is a compiled artifact: an
#   executable, shared or static library, Java archive or class, compiled Python, object
#   file or package (`.exe`, `.dll`, `.so`/`.so.N`, `.dylib`, `.jar`, `.war`,
#   `.ear`, `.class`, `.pyc`, `.pyo`, `.o`, `.obj`, `.a`, `.lib`, `.wasm`,
#   `.deb`, `.rpm`, `.msi`, `.apk`, `.whl`), or any other binary file with the
#   executable bit set. Only files whose content is binary are reported, so a text
#   file with one of these extensions is not. Images, fonts, documents and archives
#   of data are fine. Precision: the Gradle and Maven wrappers are meant to be
#   committed, so `gradle/wrapper/gradle-wrapper.jar` and
#   `.mvn/wrapper/maven-wrapper.jar` are not reported when the wrapper's properties
#   file sits beside them, nor (as in Scorecard) a `gradle-wrapper.jar` that a workflow
#   verifies with Gradle's wrapper-validation action. A JAR at a wrapper path without
#   either is reported.
# related_resources:
#   - ref: https://github.com/ossf/scorecard/blob/main/docs/checks.md#binary-artifacts
#     description: OpenSSF Scorecard, Binary-Artifacts check
# custom:
#   id: GP-REPO-008
#   severity: warning
#   level: silver
#   rationale: >-
#     A committed binary cannot be reviewed, is not reproducible from the sources
#     next to it, and may have been built from different (or malicious) code. It also
#     bloats every clone forever. Binaries belong to the build: produced by CI from
#     reviewed sources and published to an artifact registry.
#   help: >-
#     Delete the binary from the repository and build it in CI instead; publish it to
#     an artifact registry (a package repository, a release asset, an OCI registry) and
#     download it with a pinned version and checksum where it is needed. Vendored
#     build tools such as the Gradle or Maven wrapper JARs can be fetched by the
#     wrapper script and verified by checksum.
#   peers:
#     scorecard: Binary-Artifacts
#   scope: repository
package goldenpath.repo.binary_artifact

import rego.v1

artifact := `\.(exe|dll|so(\.[0-9]+)*|dylib|jar|war|ear|class|pyc|pyo|o|obj|a|lib|wasm|deb|rpm|msi|apk|whl)$`

# Binary files that may carry the executable bit without being programs.
not_program := `\.(png|jpe?g|gif|webp|bmp|ico|icns|tiff?|svg|avif|heic|woff2?|ttf|otf|eot|pdf)$`

compiled(f) if regex.match(artifact, lower(f.path))

compiled(f) if {
	f.executable
	not regex.match(not_program, lower(f.path))
}

# `gradle/wrapper-validation-action` or `gradle/actions/wrapper-validation`.
validated_gradle_wrapper(f) if {
	endswith(concat("", ["/", f.path]), "/gradle/wrapper/gradle-wrapper.jar")
	some w in input.files
	regex.match(`^\.github/workflows/[^/]+\.ya?ml$`, w.path)
	regex.match(`uses:\s*["']?gradle/(wrapper-validation-action|actions/wrapper-validation)@`, goldenpath.read_file(w.path))
}

# The Gradle and Maven wrappers are meant to be committed: the JAR at its conventional
# path, with the wrapper's properties file (which names the distribution to download)
# beside it.
wrapper_properties := {
	"gradle/wrapper/gradle-wrapper.jar": "gradle/wrapper/gradle-wrapper.properties",
	".mvn/wrapper/maven-wrapper.jar": ".mvn/wrapper/maven-wrapper.properties",
}

build_wrapper(f) if {
	some jar, properties in wrapper_properties
	endswith(concat("", ["/", f.path]), concat("", ["/", jar]))
	dir := substring(f.path, 0, count(f.path) - count(jar))
	goldenpath.file_exists(concat("", [dir, properties]))
}

deny contains {"msg": msg, "file": f.path} if {
	some f in input.files
	f.binary
	compiled(f)
	not validated_gradle_wrapper(f)
	not build_wrapper(f)
	msg := sprintf("`%s` is a committed binary artifact; build it in CI and publish it to an artifact registry instead", [f.path])
}
