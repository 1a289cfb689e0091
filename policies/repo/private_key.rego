# METADATA
# title: A private key is committed
# description: >-
#   A text file contains a PEM or OpenSSH private key: a `-----BEGIN ... PRIVATE
#   KEY-----` line (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP ... PRIVATE KEY BLOCK, or
#   plain PKCS#8) followed later in the file by the matching `-----END ... PRIVATE
#   KEY-----` line. This catches `id_rsa`, `id_ed25519`, `*.pem` and `*.key` files
#   as well as keys pasted into YAML, JSON or source code. Each BEGIN line is
#   reported. Certificates and public keys (`BEGIN CERTIFICATE`, `BEGIN PUBLIC
#   KEY`, `id_rsa.pub`) are not private keys; a lone BEGIN line without an END line
#   (documentation mentioning the marker) is not reported. Precision: a block whose
#   body has no key material (no run of 40 or more base64 characters, as in
#   documentation samples that write `...`, `(snip)`, `REDACTED` or `<your key>`
#   between the markers) is not reported.
# related_resources:
#   - ref: https://cwe.mitre.org/data/definitions/321.html
#     description: CWE-321, Use of Hard-coded Cryptographic Key
#   - ref: https://github.com/aquasecurity/trivy/blob/main/pkg/fanal/secret/builtin-rules.go
#     description: Trivy's built-in secret rules (private-key)
# custom:
#   id: GP-REPO-007
#   severity: error
#   level: bronze
#   rationale: >-
#     A private key in a repository is a credential shared with everyone who can
#     read the repository, now or in any past clone. Whatever it protects (a TLS
#     endpoint, an SSH host, a signing identity, a service account) must be assumed
#     compromised.
#   help: >-
#     Remove the key from the repository, revoke it and issue a new one, and load
#     keys at runtime from a secret manager (Vault, a cloud KMS or secrets store,
#     Kubernetes Secrets via external-secrets). Rewriting history does not un-leak
#     a key that has been pushed. Test fixtures should generate throw-away keys at
#     test time.
#   peers:
#     trivy: private-key
#   tags: [security]
#   security-severity: "9.0"
#   scope: repository
package goldenpath.repo.private_key

import rego.v1

begin_marker := `-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`

key_block := `(?s)-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----.*?-----END ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`

deny contains {"msg": msg, "file": f.path, "line": i + 1} if {
	some f in input.files
	not f.binary
	text := goldenpath.read_file(f.path)
	is_string(text)
	contains(text, "PRIVATE KEY")
	regex.match(key_block, text)
	lines := split(text, "\n")
	some i, line in lines
	regex.match(begin_marker, line)
	real_key(concat("\n", array.slice(lines, i, count(lines))))
	msg := sprintf("`%s` contains a private key (`%s`)", [f.path, trim_space(regex.find_n(begin_marker, line, 1)[0])])
}

# The first key block of `rest` (the text from a BEGIN line on) holds key material: a
# run of at least 40 base64 characters, not all alike. Placeholders in documentation
# and samples (`...`, `(snip)`, `REDACTED`, `<your key>`, `xxxx…`) have none.
real_key(rest) if {
	block := regex.find_n(key_block, rest, 1)[0]
	some run in regex.find_n(`[A-Za-z0-9+/]{40,}`, block, -1)
	count({c | some c in split(run, "")}) >= 10
}
