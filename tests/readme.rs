//! The README's examples are the real binary's output: every ```` ```console ```` block of
//! `README.md` holds commands (lines starting `$ goldenpath `) each followed by what it
//! prints on standard output. This test runs each command from the repository root, as
//! a reader would after cloning, and compares; `UPDATE_README=1 cargo test --test readme`
//! writes the real output into the README instead.

mod common;

use common::root;

/// One command of a console block and the output the README shows for it.
struct Example {
    /// The line of the README the command is on (1-based).
    line: usize,
    /// The arguments after `goldenpath`.
    args: Vec<String>,
    /// The README lines that hold its output.
    output: std::ops::Range<usize>,
}

/// Splits a command line into words: whitespace separates, single quotes group.
fn words(line: &str) -> Vec<String> {
    common::split_words(line, '\'')
}

/// The examples of the README, in order.
fn examples(lines: &[&str]) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut in_block = false;
    for (i, line) in lines.iter().enumerate() {
        if !in_block {
            in_block = *line == "```console";
            continue;
        }
        if line.starts_with("```") {
            in_block = false;
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            let mut args = words(command);
            assert_eq!(
                args.first().map(String::as_str),
                Some("goldenpath"),
                "README.md:{}: a console example runs goldenpath",
                i + 1
            );
            args.remove(0);
            examples.push(Example {
                line: i + 1,
                args,
                output: i + 1..i + 1,
            });
        } else if let Some(example) = examples.last_mut() {
            example.output.end = i + 1;
        }
    }
    assert!(!in_block, "README.md: a console block is not closed");
    examples
}

#[test]
fn readme_examples_are_the_real_output() {
    let path = root().join("README.md");
    let text = std::fs::read_to_string(&path).expect("README.md");
    let lines: Vec<&str> = text.lines().collect();
    let examples = examples(&lines);
    assert!(examples.len() >= 4, "the README shows examples");
    let update = std::env::var_os("UPDATE_README").is_some();
    let mut rewritten: Vec<String> = Vec::new();
    let mut copied = 0;
    let mut stale = Vec::new();
    for example in &examples {
        // Exactly what a reader gets in a checkout: no ceiling above the fixtures.
        let out = common::goldenpath(root())
            .without_ceiling()
            .args(&example.args)
            .run();
        assert!(
            out.code == 0 || out.code == 1,
            "README.md:{}: goldenpath {} exited {}: {}",
            example.line,
            example.args.join(" "),
            out.code,
            out.stderr
        );
        let actual: Vec<&str> = out.stdout.lines().collect();
        let shown = &lines[example.output.clone()];
        if actual != shown {
            stale.push(format!(
                "README.md:{}: `goldenpath {}` prints\n{}\n",
                example.line,
                example.args.join(" "),
                out.stdout
            ));
        }
        rewritten.extend(
            lines[copied..example.output.start]
                .iter()
                .map(|l| l.to_string()),
        );
        rewritten.extend(actual.iter().map(|l| l.to_string()));
        copied = example.output.end;
    }
    rewritten.extend(lines[copied..].iter().map(|l| l.to_string()));
    if update {
        std::fs::write(&path, rewritten.join("\n") + "\n").expect("write README.md");
        return;
    }
    assert!(
        stale.is_empty(),
        "{}\nrun `UPDATE_README=1 cargo test --test readme` to write the real output into the README",
        stale.join("\n")
    );
}

#[test]
fn command_lines_are_split_like_a_shell_would() {
    assert_eq!(
        words("goldenpath check -n 'k8s.*'  deploy/"),
        ["goldenpath", "check", "-n", "k8s.*", "deploy/"]
    );
    assert_eq!(words("a '' b"), ["a", "", "b"]);
}
