//! The `goldenpath` binary: parse arguments, call the library, print, exit.
//! Exit status: 0 when no finding reaches the threshold, 1 when one does, 2 for usage
//! errors, unreadable configuration or broken policies. A reader that stops reading
//! (`goldenpath ... | head`) ends the output quietly; the status stays the command's.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use goldenpath::cli::{
    CheckArgs, Cli, Command, CompletionsArgs, ExplainArgs, InitArgs, ManArgs, MergeArgs,
    OutputArgs, ParseArgs, RulesArgs, TestArgs,
};
use goldenpath::config;
use goldenpath::discover;
use goldenpath::format::Format;
use goldenpath::options::ColorChoice;
use goldenpath::report::{self, error, human, RenderOptions};
use goldenpath::run;
use goldenpath::trace;

/// mimalloc: evaluation allocates and frees many small values per document; it runs the
/// built-in pack on a monorepo in fewer instructions than the system allocator (see
/// README, "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The environment variable through which shells ask goldenpath for completions.
const COMPLETE_VAR: &str = "COMPLETE";

fn main() -> ExitCode {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .complete();
    let cli = Cli::parse();
    // Jsonnet files are evaluated in child processes of this binary, with time and
    // memory limits.
    if let Ok(exe) = std::env::current_exe() {
        goldenpath::parse::isolate_jsonnet(exe);
    }
    match cli.command {
        Command::Check(args) => check(*args, cli.config_file),
        Command::Parse(args) => parse(args),
        Command::Test(args) => test(args),
        Command::Pull(_) => offline("pull"),
        Command::Push(_) => offline("push"),
        Command::Init(args) => init(args),
        Command::Rules(args) => rules(args),
        Command::Explain(args) => explain(args),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
        Command::Merge(args) => merge(args),
        Command::EvaluateJsonnet(args) => {
            match goldenpath::parse::serve_jsonnet(args.file, args.root) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            }
        }
    }
}

/// Writes `text` to standard output. A closed pipe is not an error (the reader has all
/// it wanted); any other failure is, with exit status 2.
fn out(text: &str) -> Result<(), ExitCode> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            fail(&format!("cannot write to standard output: {e}"));
            Err(ExitCode::from(2))
        }
    }
}

/// Writes `text` to standard error, ignoring failures (there is nowhere left to say so).
fn err_out(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// How errors on standard error look: coloured on a terminal, as the environment allows.
fn error_style() -> human::Style {
    human::Style {
        color: ColorChoice::Auto.enabled(std::io::stderr().is_terminal(), env_var),
        width: None,
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Prints `error: <message>`.
fn fail(message: &str) {
    err_out(&error::render_message(message, &error_style()));
}

/// Prints a located error.
fn print_error(err: &dyn miette::Diagnostic) {
    err_out(&error::render(err, &error_style()));
}

/// Ends with `code` once `result` has been written (a failed write ends with its own).
fn finish(result: Result<(), ExitCode>, code: ExitCode) -> ExitCode {
    match result {
        Ok(()) => code,
        Err(failed) => failed,
    }
}

fn rules(args: RulesArgs) -> ExitCode {
    let rules = match goldenpath::catalog::pack_rules() {
        Ok(rules) => rules,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    let mut selected = Vec::new();
    for id in &args.ids {
        match goldenpath::catalog::find(&rules, id) {
            Ok(found) => selected.extend(found.into_iter().cloned()),
            Err(similar) => return unknown_rule(id, &similar),
        }
    }
    if args.ids.is_empty() {
        selected = rules;
    } else {
        selected.sort_by(|a, b| a.id.cmp(&b.id));
        selected.dedup_by(|a, b| a.id == b.id);
    }
    let text = goldenpath::catalog::render_list(&selected, args.format);
    finish(out(&text), ExitCode::SUCCESS)
}

fn unknown_rule(id: &str, similar: &[&str]) -> ExitCode {
    let mut message = format!("no rule `{id}`, and no rule names it as the same check");
    if !similar.is_empty() {
        message.push_str(&format!("\n  rules in that area: {}", similar.join(", ")));
    }
    message.push_str("\n  `goldenpath rules` lists every rule");
    fail(&message);
    ExitCode::from(2)
}

fn explain(args: ExplainArgs) -> ExitCode {
    let rules = match goldenpath::catalog::pack_rules() {
        Ok(rules) => rules,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    match goldenpath::catalog::find(&rules, &args.id) {
        Ok(found) => {
            let pages: Vec<String> = found
                .into_iter()
                .map(goldenpath::catalog::render_explain)
                .collect();
            finish(out(&pages.join("\n")), ExitCode::SUCCESS)
        }
        Err(similar) => unknown_rule(&args.id, &similar),
    }
}

/// The shell code that registers goldenpath's completions: the shell calls goldenpath
/// back (with `COMPLETE=<shell>`) for each completion, so rule ids and values are
/// completed from the same definitions as the parser.
fn completions(args: CompletionsArgs) -> ExitCode {
    let shell = args.shell.to_string();
    let shells = clap_complete::env::Shells::builtins();
    let Some(completer) = shells.completer(&shell) else {
        fail(&format!("no completions for {shell}"));
        return ExitCode::from(2);
    };
    let mut script = Vec::new();
    if let Err(e) = completer.write_registration(
        COMPLETE_VAR,
        "goldenpath",
        "goldenpath",
        "goldenpath",
        &mut script,
    ) {
        fail(&format!("cannot write the completions: {e}"));
        return ExitCode::from(2);
    }
    finish(out(&String::from_utf8_lossy(&script)), ExitCode::SUCCESS)
}

/// `goldenpath man [COMMAND]` prints a page; `--dir DIR` writes one per command.
fn man(args: ManArgs) -> ExitCode {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    if let Some(dir) = &args.dir {
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command.clone(), dir));
        if let Err(e) = written {
            fail(&format!(
                "cannot write the man pages to {}: {e}",
                dir.display()
            ));
            return ExitCode::from(2);
        }
        let mut names: Vec<String> = std::iter::once(command.get_name().to_string())
            .chain(
                command
                    .get_subcommands()
                    .filter(|s| !s.is_hide_set())
                    .map(|s| format!("{}-{}", command.get_name(), s.get_name())),
            )
            .map(|name| discover::display(&dir.join(format!("{name}.1"))))
            .collect();
        names.sort();
        return finish(out(&format!("{}\n", names.join("\n"))), ExitCode::SUCCESS);
    }
    let page = match &args.command {
        None => command,
        Some(name) => match command.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                fail(&format!(
                    "no command `{name}` (goldenpath {})",
                    command
                        .get_subcommands()
                        .map(|s| s.get_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                return ExitCode::from(2);
            }
        },
    };
    let mut roff = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut roff) {
        fail(&format!("cannot render the man page: {e}"));
        return ExitCode::from(2);
    }
    finish(out(&String::from_utf8_lossy(&roff)), ExitCode::SUCCESS)
}

/// The terminal's width, when standard output is one: `COLUMNS` when set, else what the
/// terminal says.
fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    env_var("COLUMNS")
        .and_then(|c| c.parse().ok())
        .filter(|c| *c > 0)
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
        })
}

/// conftest's commands and flags that download or upload policies: goldenpath never
/// reaches the network, so they end with exit status 2 and what to do instead.
fn offline(what: &str) -> ExitCode {
    fail(&format!(
        "`{what}` needs the network, and goldenpath is offline\n  instead: {}",
        config::OFFLINE_HELP
    ));
    ExitCode::from(2)
}

/// The configuration layer of a run: `explicit` (--config or conftest's -c) or the
/// nearest goldenpath.toml, else conftest.toml in the working directory (with a note
/// that it was used); `None` after printing why the file cannot be used.
fn config_layer(
    explicit: Option<&Path>,
    paths: &[std::path::PathBuf],
) -> Option<(config::Layer, Option<std::path::PathBuf>)> {
    use config::conftest;
    let found = config::find(explicit, paths);
    let (path, from_conftest) = match found {
        Some(path) => {
            let is_conftest = conftest::is_conftest_file(&path);
            (path, is_conftest)
        }
        None => match conftest::in_working_directory() {
            Some(path) => (path, true),
            None => return Some((config::Layer::default(), None)),
        },
    };
    if !from_conftest {
        return match config::load(&path) {
            Ok(layer) => Some((layer, Some(path))),
            Err(err) => {
                print_error(&err);
                None
            }
        };
    }
    match conftest::load(&path) {
        Ok(read) => {
            if explicit.is_none() {
                err_out(&format!(
                    "note: using {} (conftest's settings; no goldenpath.toml found)\n",
                    discover::display(&path)
                ));
            }
            for warning in &read.warnings {
                err_out(&format!("warning: {warning}\n"));
            }
            Some((read.layer, Some(path)))
        }
        Err(err) => {
            print_error(&err);
            None
        }
    }
}

/// Standard input, read whole when a checked path is `-`.
fn read_stdin(paths: &[std::path::PathBuf]) -> Result<Option<std::sync::Arc<[u8]>>, ExitCode> {
    if !paths.iter().any(|p| p.as_os_str() == discover::STDIN) {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    match std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes) {
        Ok(_) => Ok(Some(bytes.into())),
        Err(e) => {
            fail(&format!("cannot read standard input: {e}"));
            Err(ExitCode::from(2))
        }
    }
}

fn check(args: CheckArgs, config_file_flag: Option<std::path::PathBuf>) -> ExitCode {
    if !args.update.is_empty() {
        return offline("--update");
    }
    let explain = args.explain;
    // conftest skips an explicit empty path.
    let paths: Vec<std::path::PathBuf> = args
        .paths
        .iter()
        .filter(|p| !p.as_os_str().is_empty())
        .cloned()
        .collect();
    let stdin = match read_stdin(&paths) {
        Ok(stdin) => stdin,
        Err(code) => return code,
    };
    let explicit = args.config.clone().or(config_file_flag);
    // Defaults < goldenpath.toml (or conftest.toml) < command line, in one merge.
    let Some((mut file_layer, config_file)) = config_layer(explicit.as_deref(), &paths) else {
        return ExitCode::from(2);
    };
    // A repository's configuration stays inside the repository.
    if let Some(path) = &config_file {
        let root = config::confinement(path, explicit.is_some(), &paths);
        if let Err(err) = config::confine(&mut file_layer, path, root.as_ref(), &args.layer()) {
            print_error(&err);
            return ExitCode::from(2);
        }
    }
    if explicit.is_none() {
        for other in config::unused(config_file.as_deref(), &paths) {
            err_out(&format!(
                "warning: {} is not used: a run reads one configuration ({}, found from the first path); check those paths in a run of their own\n",
                discover::display(&other),
                config_file
                    .as_deref()
                    .map_or_else(|| "none".to_string(), discover::display)
            ));
        }
    }
    let mut layer = args.layer();
    layer.shard = match args.shard(env_var) {
        Ok(shard) => shard,
        Err(message) => {
            fail(&message);
            return ExitCode::from(2);
        }
    };
    let mut settings = file_layer
        .merge(layer)
        .settings(paths, config_file.as_deref());
    settings.check.stdin = stdin;
    // The cache trusts only packs signed with this key (see README, "The cache").
    if settings.check.cache.is_some() {
        settings.check.cache_key = goldenpath::cache::CacheKey::resolve(env_var);
    }
    let (trace, strict) = (settings.trace, settings.strict);
    // `GOLDENPATH_TODAY=YYYY-MM-DD` freezes the day `until=` dates are compared with.
    if let Some(today) = std::env::var_os("GOLDENPATH_TODAY") {
        match today.to_string_lossy().parse() {
            Ok(date) => settings.check.suppress.today = Some(date),
            Err(message) => {
                eprintln!("error: GOLDENPATH_TODAY: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let mut options = settings.check.clone();
    options.trace = explain || trace;
    options.profile = args.profile;
    let progress = progress::Bar::new(settings.listing != report::Listing::Summary);
    let outcome = run::check_traced(&options, &progress);
    progress.finish();
    let (report, traces) = match outcome {
        Ok(done) => done,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    err_out(&trace::render(&traces, explain, trace));
    if args.add_ignore {
        return add_ignore(&report, &options, args.force);
    }
    let code = deliver(&report, &settings, &args.output);
    if code != ExitCode::from(2) && strict {
        if let Err(err) = run::enforce_strict(&report) {
            print_error(&err);
            return ExitCode::from(2);
        }
    }
    code
}

/// Writes `report` as `settings` and the output flags say (standard output or
/// `--output-file`, then each `--report FORMAT=PATH`), and gives the exit status.
fn deliver(report: &report::Report, settings: &config::Settings, output: &OutputArgs) -> ExitCode {
    let to_terminal = output.output_file.is_none() && std::io::stdout().is_terminal();
    let style = human::Style {
        color: settings.color.enabled(to_terminal, env_var),
        width: if output.output_file.is_none() {
            terminal_width()
        } else {
            None
        },
    };
    let options = RenderOptions {
        style,
        listing: settings.listing,
        fail_on: settings.fail_on,
        sarif_category: output.sarif_category.clone(),
        link_base: github_link_base(),
        source_date_epoch: source_date_epoch(),
    };
    // The report files first, each on its own: whatever happens to the rendering on
    // standard output, they are written.
    let file_options = RenderOptions {
        style: human::Style::default(),
        listing: report::Listing::Findings,
        ..options.clone()
    };
    let mut failed = false;
    for target in &output.reports {
        for (path, text) in target.outputs(report, &file_options) {
            if let Err(e) = std::fs::write(&path, text.as_bytes()) {
                fail(&format!(
                    "cannot write the {} report to {}: {e}",
                    target.format.name(),
                    path.display()
                ));
                failed = true;
            }
        }
    }
    // --quiet: the summary of a failing run, nothing at all for a passing one (conftest).
    let silent = settings.listing == report::Listing::Summary
        && report.exit_code(settings.fail_on) == 0
        && matches!(
            settings.format,
            report::OutputFormat::Human | report::OutputFormat::Concise
        );
    let text = if silent {
        String::new()
    } else {
        report::render(report, settings.format, &options)
    };
    match &output.output_file {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text.as_bytes()) {
                fail(&format!("cannot write {}: {e}", path.display()));
                return ExitCode::from(2);
            }
        }
        None => {
            if let Err(code) = out(&text) {
                return code;
            }
        }
    }
    // The JSON report carries the profile; every other format gets it on stderr.
    if let Some(profile) = report
        .profile
        .as_ref()
        .filter(|_| settings.format != report::OutputFormat::Json)
    {
        err_out(&profile.render_text());
    }
    if failed {
        return ExitCode::from(2);
    }
    ExitCode::from(report.exit_code(settings.fail_on))
}

/// `goldenpath merge`: the report of the whole run from its shards' reports, written as
/// `check` writes it. Report settings come from the command line, then from the
/// goldenpath.toml the shards read.
fn merge(args: MergeArgs) -> ExitCode {
    let mut shards = Vec::with_capacity(args.shards.len());
    for path in &args.shards {
        match run::merge::read(path) {
            Ok(shard) => shards.push(shard),
            Err(err) => {
                print_error(&err);
                return ExitCode::from(2);
            }
        }
    }
    let merged = match run::merge::merge(shards) {
        Ok(merged) => merged,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    let file_layer = match &merged.config {
        Some(config) => match config::parse(&config.file, &config.text) {
            Ok(layer) => layer,
            Err(err) => {
                print_error(&err);
                return ExitCode::from(2);
            }
        },
        None => config::Layer::default(),
    };
    let settings = file_layer
        .merge(args.output.layer())
        .settings(Vec::new(), None);
    deliver(&merged.report, &settings, &args.output)
}

/// `SOURCE_DATE_EPOCH` (reproducible builds): the time the dashboard shows, when set.
fn source_date_epoch() -> Option<u64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// `check --add-ignore`: comments above the findings, a summary on standard error.
fn add_ignore(
    report: &report::Report,
    options: &goldenpath::options::CheckOptions,
    force: bool,
) -> ExitCode {
    let parser = options.discover.parser;
    let format_of = |file: &str| parser.or_else(|| Format::detect(std::path::Path::new(file)));
    match goldenpath::suppress::add::add_ignores(&report.diagnostics, &format_of, force) {
        Ok(added) => {
            eprintln!(
                "added {} goldenpath: ignore comment{} to {} file{}",
                added.comments,
                if added.comments == 1 { "" } else { "s" },
                added.files.len(),
                if added.files.len() == 1 { "" } else { "s" },
            );
            for file in &added.files {
                eprintln!("  {file}");
            }
            if added.skipped > 0 {
                eprintln!(
                    "{} finding{} left alone (no position, no comments in the format, or inside a multi-line value): use [[ignore]] in goldenpath.toml",
                    added.skipped,
                    if added.skipped == 1 { "" } else { "s" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            print_error(&err);
            ExitCode::from(2)
        }
    }
}

/// Where files of this commit are browsed on GitHub, when running in GitHub Actions:
/// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/`.
fn github_link_base() -> Option<String> {
    let var = |name: &str| env_var(name).filter(|v| !v.is_empty());
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
    let stdin = match read_stdin(&args.files) {
        Ok(stdin) => stdin,
        Err(code) => return code,
    };
    for path in &args.files {
        let file = discover::display(path);
        if let (Some(bytes), true) = (&stdin, path.as_os_str() == discover::STDIN) {
            // Standard input: --parser, else YAML (conftest's default).
            let format = args.parser.unwrap_or(Format::Yaml);
            match goldenpath::parse::parse_bytes(bytes, &file, format, u64::MAX) {
                Ok(doc) => documents.push((file, doc.to_json())),
                Err(failure) => {
                    failed = true;
                    print_error(&failure.into_error());
                }
            }
            continue;
        }
        let Some(format) = args.parser.or_else(|| Format::detect(path)) else {
            fail(&format!(
                "cannot tell the format of `{file}` from its name; pass --parser <FORMAT>"
            ));
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
    let code = if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if failed && args.files.len() == 1 {
        return code;
    }
    match serde_json::to_string_pretty(&value) {
        Ok(text) => finish(out(&format!("{text}\n")), code),
        Err(e) => {
            fail(&e.to_string());
            ExitCode::from(2)
        }
    }
}

fn test(args: TestArgs) -> ExitCode {
    let mut sources = args.policies.sources();
    // As `conftest verify -p policy -d data service.yaml`: arguments that are not
    // policies (the configuration files conftest users pass along) are left alone.
    for path in args.paths {
        let is_policy =
            path.is_dir() || path.extension().is_some_and(|ext| ext == "rego") || !path.exists();
        if is_policy {
            sources.policy_paths.push(path);
        } else if !path.as_os_str().is_empty() {
            err_out(&format!(
                "note: {} is not a policy; `goldenpath test` runs the policies' tests and leaves it alone\n",
                discover::display(&path)
            ));
        }
    }
    let options = goldenpath::verify::TestOptions {
        sources,
        run: args.run,
        trace: args.trace,
    };
    let outcome = match goldenpath::verify::test(&options) {
        Ok(outcome) => outcome,
        Err(err) => {
            print_error(&err);
            return ExitCode::from(2);
        }
    };
    if args.quiet && !outcome.failed() {
        return ExitCode::SUCCESS;
    }
    let text =
        goldenpath::verify::output::render(&outcome, args.format, args.verbose || args.trace);
    let code = if outcome.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    finish(out(&text), code)
}

fn init(args: InitArgs) -> ExitCode {
    match goldenpath::init::init(&args.dir, args.force) {
        Ok(written) => {
            let paths: Vec<String> = written.iter().map(|p| discover::display(p)).collect();
            let text = goldenpath::init::report(&paths, display_dir(&args.dir).as_deref());
            finish(out(&text), ExitCode::SUCCESS)
        }
        Err(err) => {
            print_error(&err);
            ExitCode::from(2)
        }
    }
}

/// The directory `init` wrote into, when it is not the current one.
fn display_dir(dir: &Path) -> Option<String> {
    let shown = discover::display(dir);
    (!shown.is_empty() && shown != ".").then_some(shown)
}

/// The progress bar of `check` on standard error: drawn only when standard error is a
/// terminal and only once the run has taken a second, so short runs, pipes, CI logs and
/// tests never see it.
mod progress {
    use std::io::IsTerminal;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

    /// How long a run goes before the bar appears.
    const DELAY: Duration = Duration::from_secs(1);

    /// A bar that shows itself after [`DELAY`], unless finished first.
    pub struct Bar {
        bar: Option<ProgressBar>,
        /// Whether the run is over (the bar must not appear any more).
        done: Arc<Mutex<bool>>,
    }

    impl Bar {
        /// A bar, when `wanted` and standard error is a terminal.
        pub fn new(wanted: bool) -> Bar {
            let done = Arc::new(Mutex::new(false));
            if !wanted || !std::io::stderr().is_terminal() {
                return Bar { bar: None, done };
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            let later = bar.clone();
            let finished = done.clone();
            std::thread::spawn(move || {
                std::thread::sleep(DELAY);
                if let Ok(done) = finished.lock() {
                    if !*done {
                        later.set_draw_target(ProgressDrawTarget::stderr());
                        later.enable_steady_tick(Duration::from_millis(120));
                    }
                }
            });
            Bar {
                bar: Some(bar),
                done,
            }
        }

        /// Removes the bar; it never appears after this.
        pub fn finish(&self) {
            if let Ok(mut done) = self.done.lock() {
                *done = true;
                if let Some(bar) = &self.bar {
                    bar.finish_and_clear();
                }
            }
        }
    }

    impl goldenpath::run::Progress for Bar {
        fn stage(&self, name: &'static str, steps: usize) {
            let Some(bar) = &self.bar else { return };
            let template = if steps == 0 {
                "{spinner} {msg} [{elapsed}]"
            } else {
                "{spinner} {msg} {pos}/{len} [{elapsed}]"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_message(name);
            bar.set_length(steps as u64);
            bar.set_position(0);
        }

        fn step(&self) {
            if let Some(bar) = &self.bar {
                bar.inc(1);
            }
        }
    }
}
