//! SPDX tag-value documents, in the JSON shape conftest gives them (SPDX 2.3's JSON
//! field names: `spdxVersion`, `dataLicense`, `creationInfo.creators`, `packages`,
//! `files`, `relationships`...).
//!
//! `Tag: value` lines fill the document until a `PackageName`, `FileName`,
//! `SnippetSPDXID`, `LicenseID` or `Annotator` starts a package, file, snippet, extracted
//! license or annotation; `<text>...</text>` values may span lines. A file that follows
//! a package is listed in the package's `hasFiles` too. Tags goldenpath does not know keep
//! their own name as the key. Every value keeps its span.

use super::scan::Cursor;
use super::{string_node, SyntaxError};
use crate::document::{Member, Node, NodeKind, Span};

/// How a tag's value is stored.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// The string.
    Text,
    /// One more string in an array.
    List,
    /// `true` / `false`.
    Bool,
    /// `ALGORITHM: value` → `{"algorithm", "checksumValue"}` in an array.
    Checksum,
    /// `CATEGORY TYPE LOCATOR` → an `externalRefs` entry.
    ExternalRef,
    /// `value (excludes: ...)`.
    VerificationCode,
    /// `A TYPE B`.
    Relationship,
    /// `DocumentRef-x uri ALGORITHM: value`.
    ExternalDocument,
}

/// Which object a tag writes to.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Section {
    Document,
    CreationInfo,
    Package,
    File,
    Snippet,
    License,
    Annotation,
    Relationship,
}

/// `(tag, section, JSON key, kind)`; a tag listed in several sections goes to the
/// current one.
const TAGS: &[(&str, Section, &str, Kind)] = {
    use Kind::*;
    use Section::*;
    &[
        ("SPDXVersion", Document, "spdxVersion", Text),
        ("DataLicense", Document, "dataLicense", Text),
        ("DocumentName", Document, "name", Text),
        ("DocumentNamespace", Document, "documentNamespace", Text),
        ("DocumentComment", Document, "comment", Text),
        (
            "ExternalDocumentRef",
            Document,
            "externalDocumentRefs",
            ExternalDocument,
        ),
        (
            "LicenseListVersion",
            CreationInfo,
            "licenseListVersion",
            Text,
        ),
        ("Creator", CreationInfo, "creators", List),
        ("Created", CreationInfo, "created", Text),
        ("CreatorComment", CreationInfo, "comment", Text),
        ("PackageName", Package, "name", Text),
        ("PackageVersion", Package, "versionInfo", Text),
        ("PackageFileName", Package, "packageFileName", Text),
        ("PackageSupplier", Package, "supplier", Text),
        ("PackageOriginator", Package, "originator", Text),
        ("PackageDownloadLocation", Package, "downloadLocation", Text),
        ("FilesAnalyzed", Package, "filesAnalyzed", Bool),
        (
            "PackageVerificationCode",
            Package,
            "packageVerificationCode",
            VerificationCode,
        ),
        ("PackageChecksum", Package, "checksums", Checksum),
        ("PackageHomePage", Package, "homepage", Text),
        ("PackageSourceInfo", Package, "sourceInfo", Text),
        ("PackageLicenseConcluded", Package, "licenseConcluded", Text),
        (
            "PackageLicenseInfoFromFiles",
            Package,
            "licenseInfoFromFiles",
            List,
        ),
        ("PackageLicenseDeclared", Package, "licenseDeclared", Text),
        ("PackageLicenseComments", Package, "licenseComments", Text),
        ("PackageCopyrightText", Package, "copyrightText", Text),
        ("PackageSummary", Package, "summary", Text),
        ("PackageDescription", Package, "description", Text),
        ("PackageComment", Package, "comment", Text),
        ("ExternalRef", Package, "externalRefs", ExternalRef),
        ("ExternalRefComment", Package, "externalRefComment", Text),
        ("PackageAttributionText", Package, "attributionTexts", List),
        (
            "PrimaryPackagePurpose",
            Package,
            "primaryPackagePurpose",
            Text,
        ),
        ("ReleaseDate", Package, "releaseDate", Text),
        ("BuiltDate", Package, "builtDate", Text),
        ("ValidUntilDate", Package, "validUntilDate", Text),
        ("FileName", File, "fileName", Text),
        ("FileType", File, "fileTypes", List),
        ("FileChecksum", File, "checksums", Checksum),
        ("LicenseConcluded", File, "licenseConcluded", Text),
        ("LicenseInfoInFile", File, "licenseInfoInFiles", List),
        ("LicenseComments", File, "licenseComments", Text),
        ("FileCopyrightText", File, "copyrightText", Text),
        ("FileComment", File, "comment", Text),
        ("FileNotice", File, "noticeText", Text),
        ("FileContributor", File, "fileContributors", List),
        ("FileAttributionText", File, "attributionTexts", List),
        ("SnippetSPDXID", Snippet, "SPDXID", Text),
        ("SnippetFromFileSPDXID", Snippet, "snippetFromFile", Text),
        ("SnippetByteRange", Snippet, "byteRange", Text),
        ("SnippetLineRange", Snippet, "lineRange", Text),
        ("SnippetLicenseConcluded", Snippet, "licenseConcluded", Text),
        (
            "LicenseInfoInSnippet",
            Snippet,
            "licenseInfoInSnippets",
            List,
        ),
        ("SnippetLicenseComments", Snippet, "licenseComments", Text),
        ("SnippetCopyrightText", Snippet, "copyrightText", Text),
        ("SnippetComment", Snippet, "comment", Text),
        ("SnippetName", Snippet, "name", Text),
        ("SnippetAttributionText", Snippet, "attributionTexts", List),
        ("LicenseID", License, "licenseId", Text),
        ("ExtractedText", License, "extractedText", Text),
        ("LicenseName", License, "name", Text),
        ("LicenseCrossReference", License, "seeAlsos", List),
        ("LicenseComment", License, "comment", Text),
        ("Annotator", Annotation, "annotator", Text),
        ("AnnotationDate", Annotation, "annotationDate", Text),
        ("AnnotationType", Annotation, "annotationType", Text),
        ("SPDXREF", Annotation, "SPDXREF", Text),
        ("AnnotationComment", Annotation, "comment", Text),
        (
            "Relationship",
            Section::Relationship,
            "relationships",
            Kind::Relationship,
        ),
        (
            "RelationshipComment",
            Section::Relationship,
            "comment",
            Text,
        ),
    ]
};

/// Where a new section of this kind is kept in the document.
fn list_key(section: Section) -> &'static str {
    match section {
        Section::Package => "packages",
        Section::File => "files",
        Section::Snippet => "snippets",
        Section::License => "hasExtractedLicensingInfos",
        Section::Annotation => "annotations",
        Section::Relationship => "relationships",
        Section::Document | Section::CreationInfo => "",
    }
}

/// An object being filled: its members in order.
#[derive(Default)]
struct Object {
    span: Span,
    members: Vec<Member>,
}

impl Object {
    fn at(start: usize) -> Self {
        Object {
            span: Span::new(start, start),
            members: Vec::new(),
        }
    }

    fn set(&mut self, key: &str, key_span: Span, value: Node) {
        self.span.end = self.span.end.max(value.span.end);
        match self.members.iter_mut().find(|m| m.key == key) {
            Some(m) => {
                m.key_span = key_span;
                m.value = value;
            }
            None => self.members.push(Member {
                key: key.to_string(),
                key_span,
                value,
            }),
        }
    }

    /// Appends to the array at `key`.
    fn push(&mut self, key: &str, key_span: Span, value: Node) {
        self.span.end = self.span.end.max(value.span.end);
        if let Some(m) = self.members.iter_mut().find(|m| m.key == key) {
            if let NodeKind::Array(items) = &mut m.value.kind {
                m.value.span.end = value.span.end;
                items.push(value);
                return;
            }
        }
        let span = value.span;
        self.set(key, key_span, Node::new(span, NodeKind::Array(vec![value])));
    }

    fn into_node(self) -> Node {
        Node::new(self.span, NodeKind::Object(self.members))
    }
}

/// Parses an SPDX tag-value document into one object.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut document = Object::at(0);
    let mut creation: Option<(Span, Object)> = None;
    // Finished sections, in order, by the document key that lists them.
    let mut sections: Vec<(&'static str, Object)> = Vec::new();
    let mut current: Option<(Section, Object)> = None;
    let mut last_package: Option<usize> = None;
    let mut cursor = Cursor::new(text);
    let mut seen_tag = false;
    while !cursor.at_end() {
        cursor.take_while(char::is_whitespace);
        if cursor.at_end() {
            break;
        }
        let line_start = cursor.pos();
        if cursor.peek() == Some(b'#') {
            cursor.skip_line();
            continue;
        }
        let tag = cursor.take_while(|c| c != ':' && c != '\n');
        let tag_span = cursor.since(line_start);
        if !cursor.eat(b':') {
            return Err(SyntaxError::new("expected `Tag: value`", tag_span));
        }
        let tag = tag.trim();
        seen_tag = true;
        cursor.take_while(|c| c == ' ' || c == '\t');
        let (value, value_span) = tag_value(&mut cursor)?;
        let Some(&(_, section, key, kind)) = TAGS
            .iter()
            .filter(|(t, ..)| *t == tag)
            .find(|(_, s, ..)| current.as_ref().map(|(c, _)| c) == Some(s))
            .or_else(|| TAGS.iter().find(|(t, ..)| *t == tag))
        else {
            // An unknown tag, or SPDXID: in the current section (or the document).
            let key = if tag == "SPDXID" { "SPDXID" } else { tag };
            let node = string_node(value_span, value);
            match &mut current {
                Some((_, object)) => object.set(key, tag_span, node),
                None => document.set(key, tag_span, node),
            }
            continue;
        };
        // A tag that starts a section closes the current one.
        let starts = matches!(
            (tag, section),
            ("PackageName", _)
                | ("FileName", _)
                | ("SnippetSPDXID", _)
                | ("LicenseID", _)
                | ("Annotator", _)
                | ("Relationship", _)
        );
        if starts {
            if let Some((done, object)) = current.take() {
                finish(&mut sections, &mut last_package, done, object);
            }
            current = Some((section, Object::at(line_start)));
        }
        let node = typed(kind, value, value_span)?;
        let target = match section {
            Section::Document => &mut document,
            Section::CreationInfo => {
                &mut creation
                    .get_or_insert_with(|| (tag_span, Object::at(line_start)))
                    .1
            }
            _ => match &mut current {
                Some((s, object)) if *s == section => object,
                // A tag of a section that was never opened: kept on the document.
                _ => &mut document,
            },
        };
        match kind {
            Kind::List | Kind::Checksum | Kind::ExternalRef | Kind::ExternalDocument => {
                target.push(key, tag_span, node)
            }
            Kind::Relationship => {
                if let NodeKind::Object(members) = node.kind {
                    for m in members {
                        target.set(&m.key, m.key_span, m.value);
                    }
                }
            }
            _ => target.set(key, tag_span, node),
        }
    }
    if !seen_tag {
        return Err(SyntaxError::new(
            "not an SPDX tag-value document (no `Tag: value` line)",
            Span::new(0, text.len().min(1)),
        ));
    }
    if let Some((done, object)) = current.take() {
        finish(&mut sections, &mut last_package, done, object);
    }
    if let Some((key_span, object)) = creation {
        document.set("creationInfo", key_span, object.into_node());
    }
    for (key, object) in sections {
        let node = object.into_node();
        let key_span = Span::new(node.span.start, node.span.start);
        document.push(key, key_span, node);
    }
    document.span = Span::new(0, text.len());
    Ok(document.into_node())
}

/// Files a finished section; a file after a package is one of its files.
fn finish(
    sections: &mut Vec<(&'static str, Object)>,
    last_package: &mut Option<usize>,
    section: Section,
    object: Object,
) {
    if section == Section::File {
        let id = object
            .members
            .iter()
            .find(|m| m.key == "SPDXID")
            .map(|m| m.value.clone());
        if let (Some(index), Some(id)) = (*last_package, id) {
            if let Some((_, package)) = sections.get_mut(index) {
                let key_span = Span::new(id.span.start, id.span.start);
                package.push("hasFiles", key_span, id);
            }
        }
    }
    if section == Section::Package {
        *last_package = Some(sections.len());
    }
    sections.push((list_key(section), object));
}

/// The value after `Tag:`: the rest of the line, or a `<text>...</text>` block.
fn tag_value<'t>(cursor: &mut Cursor<'t>) -> Result<(&'t str, Span), SyntaxError> {
    let start = cursor.pos();
    if cursor.eat_str("<text>") {
        let body_start = cursor.pos();
        return match cursor.rest().find("</text>") {
            Some(i) => {
                let body = &cursor.text()[body_start..body_start + i];
                cursor.advance(i + "</text>".len());
                cursor.skip_line();
                Ok((body, cursor.since(start)))
            }
            None => Err(SyntaxError::new(
                "`<text>` is not closed by `</text>`",
                Span::new(start, body_start),
            )),
        };
    }
    cursor.skip_line();
    let raw = &cursor.text()[start..cursor.pos()];
    let value = raw.trim_end();
    Ok((value, Span::new(start, start + value.len())))
}

fn typed(kind: Kind, value: &str, span: Span) -> Result<Node, SyntaxError> {
    let object = |pairs: Vec<(&str, Node)>| {
        Node::new(
            span,
            NodeKind::Object(
                pairs
                    .into_iter()
                    .map(|(key, value)| Member {
                        key: key.to_string(),
                        key_span: Span::new(value.span.start, value.span.start),
                        value,
                    })
                    .collect(),
            ),
        )
    };
    // The words of the value with their spans.
    let words: Vec<(&str, Span)> = {
        let mut out = Vec::new();
        let mut offset = 0;
        for word in value.split_whitespace() {
            let at = value[offset..].find(word).map_or(offset, |i| offset + i);
            out.push((
                word,
                Span::new(span.start + at, span.start + at + word.len()),
            ));
            offset = at + word.len();
        }
        out
    };
    let bad = |what: &str| SyntaxError::new(format!("expected {what}"), span);
    Ok(match kind {
        Kind::Text | Kind::List => string_node(span, value),
        Kind::Bool => match value {
            "true" => Node::new(span, NodeKind::Bool(true)),
            "false" => Node::new(span, NodeKind::Bool(false)),
            _ => return Err(bad("`true` or `false`")),
        },
        Kind::Checksum => {
            let (algorithm, sum) = value
                .split_once(':')
                .ok_or_else(|| bad("`ALGORITHM: value`"))?;
            let at = span.start + algorithm.len() + 1;
            let sum_start = at + (sum.len() - sum.trim_start().len());
            object(vec![
                (
                    "algorithm",
                    string_node(
                        Span::new(span.start, span.start + algorithm.len()),
                        algorithm.trim(),
                    ),
                ),
                (
                    "checksumValue",
                    string_node(Span::new(sum_start, span.end), sum.trim()),
                ),
            ])
        }
        Kind::ExternalRef => match words.as_slice() {
            [category, kind, locator, ..] => object(vec![
                ("referenceCategory", string_node(category.1, category.0)),
                ("referenceType", string_node(kind.1, kind.0)),
                ("referenceLocator", string_node(locator.1, locator.0)),
            ]),
            _ => return Err(bad("`CATEGORY TYPE LOCATOR`")),
        },
        Kind::Relationship => match words.as_slice() {
            [a, kind, b] => object(vec![
                ("spdxElementId", string_node(a.1, a.0)),
                ("relationshipType", string_node(kind.1, kind.0)),
                ("relatedSpdxElement", string_node(b.1, b.0)),
            ]),
            _ => return Err(bad("`SPDXRef-A RELATIONSHIP SPDXRef-B`")),
        },
        Kind::ExternalDocument => match words.as_slice() {
            [id, uri, algorithm, sum] => object(vec![
                ("externalDocumentId", string_node(id.1, id.0)),
                ("spdxDocument", string_node(uri.1, uri.0)),
                (
                    "checksum",
                    object(vec![
                        (
                            "algorithm",
                            string_node(algorithm.1, algorithm.0.trim_end_matches(':')),
                        ),
                        ("checksumValue", string_node(sum.1, sum.0)),
                    ]),
                ),
            ]),
            _ => return Err(bad("`DocumentRef-ID URI ALGORITHM: value`")),
        },
        Kind::VerificationCode => {
            let (code, excludes) = match value.split_once('(') {
                Some((code, rest)) => (code.trim(), Some(rest.trim_end_matches(')'))),
                None => (value, None),
            };
            let mut pairs = vec![(
                "packageVerificationCodeValue",
                string_node(Span::new(span.start, span.start + code.len()), code),
            )];
            if let Some(excludes) = excludes {
                let files = excludes.trim().trim_start_matches("excludes:").trim();
                pairs.push((
                    "packageVerificationCodeExcludedFiles",
                    Node::new(span, NodeKind::Array(vec![string_node(span, files)])),
                ));
            }
            object(pairs)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conftest_shape() {
        let text = "SPDXVersion: SPDX-2.2\nDataLicense: conftest-demo\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: hello\nDocumentNamespace: https://example.com/hello\nCreator: Person: Steve (s@example.com)\nCreator: Tool: builder\nCreated: 2021-08-26T01:46:00Z\n\n# a package\nPackageName: hello\nSPDXID: SPDXRef-Package-hello\nPackageDownloadLocation: git+https://example.com/hello.git\nFilesAnalyzed: true\nPackageChecksum: SHA1: abc\nPackageLicenseDeclared: GPL-3.0-or-later\nPackageCopyrightText: <text>Copyright\nSomeone</text>\nExternalRef: PACKAGE-MANAGER purl pkg:golang/hello\n\nFileName: ./hello.go\nSPDXID: SPDXRef-hello-go\nFileChecksum: SHA256: def\n\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-hello\n";
        let node = parse(text).expect("valid");
        assert_eq!(
            node.to_json(),
            json!({
                "spdxVersion": "SPDX-2.2", "dataLicense": "conftest-demo",
                "SPDXID": "SPDXRef-DOCUMENT", "name": "hello",
                "documentNamespace": "https://example.com/hello",
                "creationInfo": {
                    "creators": ["Person: Steve (s@example.com)", "Tool: builder"],
                    "created": "2021-08-26T01:46:00Z",
                },
                "packages": [{
                    "name": "hello", "SPDXID": "SPDXRef-Package-hello",
                    "downloadLocation": "git+https://example.com/hello.git",
                    "filesAnalyzed": true,
                    "checksums": [{"algorithm": "SHA1", "checksumValue": "abc"}],
                    "licenseDeclared": "GPL-3.0-or-later",
                    "copyrightText": "Copyright\nSomeone",
                    "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:golang/hello"}],
                    "hasFiles": ["SPDXRef-hello-go"],
                }],
                "files": [{
                    "fileName": "./hello.go", "SPDXID": "SPDXRef-hello-go",
                    "checksums": [{"algorithm": "SHA256", "checksumValue": "def"}],
                }],
                "relationships": [{
                    "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                    "relatedSpdxElement": "SPDXRef-Package-hello",
                }],
            })
        );
        let license = node.get("dataLicense").expect("dataLicense");
        assert_eq!(
            &text[license.value.span.start..license.value.span.end],
            "conftest-demo"
        );
    }

    #[test]
    fn errors_have_positions() {
        let cases = [
            ("SPDXVersion SPDX-2.2\n", 0),
            ("FilesAnalyzed: maybe\n", 15),
            ("PackageCopyrightText: <text>open\n", 22),
            ("", 0),
        ];
        for (text, at) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.span.start, at, "{text}: {err:?}");
        }
    }
}
