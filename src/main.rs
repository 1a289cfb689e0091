//! The `goldenpath` binary: parse arguments, call the library, print, exit.
//! Exit status: 0 when no finding reaches the threshold, 1 when one does, 2 for usage
//! errors, unreadable configuration or broken policies.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use goldenpath::cli::{CheckArgs, Cli, Command, InitArgs, ParseArgs, TestArgs};
use goldenpath::config;
use goldenpath::discover;
use goldenpath::format::Format;
use goldenpath::report::{self, human, RenderOptions};
use goldenpath::run;
use goldenpath::trace;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Parse(args) => parse(args),
        Command::Test(args) => test(args),
        Command::Init(args) => init(args),
        Command::Rules(args) => rules(args),
        Command::Explain(args) => explain(args),
        Command::Completions(args) => completions(args),
        Command::Man => man(),
    }
}

fn rules(args: goldenpath::cli::RulesArgs) -> ExitCode {
    match goldenpath::catalog::pack_rules() {
        Ok(rules) => {
            print!("{}", goldenpath::catalog::render_list(&rules, args.format));
            ExitCode::SUCCESS
        }
        Err(err) => {
            print_error(&err);
            ExitCode::from(2)
        }
    }
}

fn explain(args: goldenpath::cli::ExplainArgs) -> ExitCode {
    let rules = match goldenpath::catalog::pack_rules() {
        Ok(rules) => rules,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    match goldenpath::catalog::find(&rules, &args.id) {
        Ok(rule) => {
            print!("{}", goldenpath::catalog::render_explain(rule));
            ExitCode::SUCCESS
        }
        Err(similar) => {
            eprintln!("error: no rule `{}`", args.id);
            if !similar.is_empty() {
                eprintln!("  rules in that area: {}", similar.join(", "));
            }
            eprintln!("  `goldenpath rules` lists every rule");
            ExitCode::from(2)
        }
    }
}

/// Completion scripts and the man page come from the same clap definitions as the parser.
fn completions(args: goldenpath::cli::CompletionsArgs) -> ExitCode {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "goldenpath",
        &mut std::io::stdout(),
    );
    ExitCode::SUCCESS
}

fn man() -> ExitCode {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut out) {
        eprintln!("error: cannot render the man page: {e}");
        return ExitCode::from(2);
    }
    if let Err(e) = std::io::stdout().lock().write_all(&out) {
        eprintln!("error: cannot write the man page: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn color_for(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none()
}

fn print_error(err: &dyn miette::Diagnostic) {
    let theme = if color_for(std::io::stderr().is_terminal()) {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, err).is_err() {
        out = format!("error: {err}\n");
    }
    eprint!("{out}");
}

fn check(args: CheckArgs) -> ExitCode {
    let (explain, trace, strict) = (args.explain, args.trace, args.strict);
    // Defaults < goldenpath.toml < command line, in one merge.
    let file_layer = match config::find(args.config.as_deref(), &args.paths) {
        Some(path) => match config::load(&path) {
            Ok(layer) => layer,
            Err(err) => {
                print_error(&err);
                return ExitCode::from(2);
            }
        },
        None => config::Layer::default(),
    };
    let settings = file_layer.merge(args.layer()).settings(args.paths.clone());
    let threshold = settings.fail_on;
    let options = settings.check;
    let (report, traces) = match run::check_traced(&options) {
        Ok(done) => done,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    eprint!("{}", trace::render(&traces, explain, trace));
    let options = RenderOptions {
        style: human::Style {
            color: args.output_file.is_none() && color_for(std::io::stdout().is_terminal()),
            ..human::Style::default()
        },
        fail_on: threshold,
        sarif_category: args.sarif_category,
        link_base: github_link_base(),
        source_date_epoch: source_date_epoch(),
    };
    let text = report::render(&report, settings.format, &options);
    let written = match &args.output_file {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write the report: {e}")),
    };
    if let Err(message) = written {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let file_options = RenderOptions {
        style: human::Style::default(),
        ..options
    };
    for target in &args.reports {
        for (path, text) in target.outputs(&report, &file_options) {
            if let Err(e) = std::fs::write(&path, text.as_bytes()) {
                eprintln!(
                    "error: cannot write the {} report to {}: {e}",
                    target.format.name(),
                    path.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    if strict {
        if let Err(err) = run::enforce_strict(&report) {
            print_error(&err);
            return ExitCode::from(2);
        }
    }
    ExitCode::from(report.exit_code(threshold))
}

/// `SOURCE_DATE_EPOCH` (reproducible builds): the time the dashboard shows, when set.
fn source_date_epoch() -> Option<u64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// Where files of this commit are browsed on GitHub, when running in GitHub Actions:
/// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/`.
fn github_link_base() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let server = var("GITHUB_SERVER_URL")?;
    let repository = var("GITHUB_REPOSITORY")?;
    let sha = var("GITHUB_SHA")?;
    Some(format!(
        "{}/{repository}/blob/{sha}/",
        server.trim_end_matches('/')
    ))
}

fn parse(args: ParseArgs) -> ExitCode {
    let mut documents = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let file = discover::display(path);
        let Some(format) = args.parser.or_else(|| Format::detect(path)) else {
            eprintln!(
                "error: cannot tell the format of `{file}` from its name; pass --parser <FORMAT>"
            );
            return ExitCode::from(2);
        };
        match goldenpath::parse::parse_file(path, &file, format, u64::MAX) {
            Ok(doc) => documents.push((file, doc.to_json())),
            Err(failure) => {
                failed = true;
                print_error(&failure.into_error());
            }
        }
    }
    let value = match documents.as_slice() {
        [(_, only)] if args.files.len() == 1 => only.clone(),
        _ => serde_json::Value::Object(documents.into_iter().collect()),
    };
    if !(failed && args.files.len() == 1) {
        match serde_json::to_string_pretty(&value) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn test(args: TestArgs) -> ExitCode {
    let mut sources = args.policies.sources();
    sources.policy_paths.extend(args.paths);
    let options = goldenpath::verify::TestOptions {
        sources,
        run: args.run,
    };
    let outcome = match goldenpath::verify::test(&options) {
        Ok(outcome) => outcome,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    print!(
        "{}",
        goldenpath::verify::output::render(&outcome, args.format, args.verbose)
    );
    if outcome.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn init(args: InitArgs) -> ExitCode {
    match goldenpath::init::init(&args.dir, args.force) {
        Ok(written) => {
            for path in written {
                println!("created {}", discover::display(&path));
            }
            println!();
            print!("{}", goldenpath::init::NEXT_STEPS);
            ExitCode::SUCCESS
        }
        Err(err) => {
            print_error(&err);
            ExitCode::from(2)
        }
    }
}
