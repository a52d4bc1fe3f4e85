//! The command line: argument definitions and dispatch, no analysis logic.

use crate::analysis::lint;
use crate::baseline::Baseline;
use crate::config::{self, Config};
use crate::dag::render;
use crate::diff;
use crate::discover::{Excludes, build_excludes, discover_with};
use crate::report::{self, Format};
use crate::rules::{self, Selection};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "kfr",
    version,
    about = "Reads ML pipelines (GNU Makefiles, Jenkinsfiles and Jenkins jobs, crontabs, Airflow DAGs, Kubeflow pipelines), builds one DAG of their steps and the files they hand each other, lints it, and migrates legacy pipelines to Kubeflow Pipelines."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find pipeline sources, build the DAG, run the rules, report findings.
    ///
    /// Exit status: 0 no findings, 1 findings, 2 usage error or kfr failure.
    Lint(LintArgs),
    /// Print the unified DAG as JSON, DOT or Mermaid.
    Graph(GraphArgs),
    /// Turn a legacy pipeline into Kubeflow Pipelines v2: component specs,
    /// a pipeline spec, a pipeline.py and MIGRATION.md.
    ///
    /// Writes only inside --out, which must be empty (or --force). Exit
    /// status: 0 written, 2 usage error or nothing migrated.
    Migrate(MigrateArgs),
    /// List every rule: id, name, default severity, summary.
    Rules,
    /// Show one rule's page (by id or name).
    Rule {
        /// A rule id (KFR001) or name (missing-retry).
        rule: String,
    },
}

#[derive(Debug, Args)]
pub struct Inputs {
    /// Files or directories to read (directories are searched).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Skip paths matching this glob (repeatable); explicit files are always read.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read makefiles as `make NAME=VALUE` would (repeatable).
    #[arg(long = "make-var", value_name = "NAME=VALUE", value_parser = parse_make_var)]
    pub make_vars: Vec<(String, String)>,
}

fn parse_make_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() && !name.contains([' ', ':', '#']) => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Full)]
    pub format: Format,
    /// Colour in the full format (auto: only on a terminal, and not when NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Report only these rules (ids or names, comma-separated or repeated); replaces the config's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Do not report these rules (ids or names); adds to the config's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Print how many findings each rule has instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when there are findings (2 still means kfr failed).
    #[arg(long)]
    pub exit_zero: bool,
    /// List the files that would be read, and stop.
    #[arg(long)]
    pub show_files: bool,
    /// Print only the findings: no summary line, nothing when clean.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Read this config file (kfr.toml, or a pyproject.toml with [tool.kfr]) instead of looking for one.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Read no config file.
    #[arg(long)]
    pub isolated: bool,
    /// Apply excludes to files named on the command line too (what pre-commit needs).
    #[arg(long)]
    pub force_exclude: bool,
    /// Read only the files named, not the project they belong to (by default
    /// named files are linted in the graph of their whole repository).
    #[arg(long)]
    pub no_project: bool,
    /// Report only findings not recorded in this baseline file; list recorded ones that are gone.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record every finding of this run in FILE (by line-independent fingerprint) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings on lines changed since git revision REV (committed or not), and graph findings whose steps changed.
    #[arg(long, value_name = "REV")]
    pub diff: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Json,
    Dot,
    Mermaid,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    pub format: GraphFormat,
    /// Only what produced X: a file path or a step name, and everything upstream of it.
    #[arg(long, value_name = "X", conflicts_with = "downstream_of")]
    pub upstream_of: Option<String>,
    /// Only what depends on X: a file path or a step name, and everything downstream of it.
    #[arg(long, value_name = "X")]
    pub downstream_of: Option<String>,
    /// Compare with git revision REV: added, removed and changed steps and edges marked (mermaid only).
    #[arg(long, value_name = "REV", conflicts_with_all = ["upstream_of", "downstream_of"])]
    pub diff: Option<String>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Directory to write into (created if missing; must be empty unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The pipeline to migrate: a make goal (`train`, `Makefile:train`), a Jenkins job, an Airflow dag_id, a cron entry (`crontab:12`). Default: the pipeline with the most steps. An unknown name lists the pipelines found.
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub pipeline: Option<String>,
    /// Migrate every pipeline found, each into its own subdirectory.
    #[arg(long)]
    pub all: bool,
    /// Container image for steps that do not name one (default: python:3.11-slim, which does not hold your code).
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Retries for steps that had none in the legacy pipeline (default: the config's `migrate.retries`, else 3).
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Write into a non-empty --out, replacing the files kfr writes.
    #[arg(long)]
    pub force: bool,
}

/// Parse the command line and run; the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("kfr: {msg}");
            ExitCode::from(2)
        }
    }
}

pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Lint(args) => run_lint(args),
        Command::Graph(args) => run_graph(args),
        Command::Migrate(args) => run_migrate(args),
        Command::Rules => {
            let mut out = std::io::stdout().lock();
            write_io(print_rules(&mut out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { rule } => {
            let meta = rules::lookup(&rule).ok_or_else(|| format!("unknown rule `{rule}` (see `kfr rules`)"))?;
            let mut out = std::io::stdout().lock();
            write_io(out.write_all(rules::docs::content(meta).as_bytes()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Broken pipes (`kfr ... | head`) end output quietly.
fn write_io(r: std::io::Result<()>) -> Result<(), String> {
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write output: {e}")),
        _ => Ok(()),
    }
}

fn print_rules(out: &mut dyn Write) -> std::io::Result<()> {
    let all = rules::all();
    let w = all.iter().map(|m| m.name.len()).max().unwrap_or(4).max(4);
    writeln!(out, "{:<6}  {:<w$}  {:<8}  SUMMARY", "ID", "NAME", "SEVERITY")?;
    for m in all {
        writeln!(
            out,
            "{:<6}  {:<w$}  {:<8}  {}",
            m.id,
            m.name,
            m.severity.as_str(),
            m.summary
        )?;
    }
    Ok(())
}

/// What a run reads: the config, the excludes, the files.
struct Setup {
    config: Option<Config>,
    excludes: Excludes,
}

fn setup(
    inputs: &Inputs,
    config: Option<&std::path::Path>,
    isolated: bool,
    force_exclude: bool,
) -> Result<Setup, String> {
    let config = if isolated {
        None
    } else {
        config::find(config, &inputs.paths)?
    };
    let mut globs = inputs.exclude.clone();
    let mut config_globs = None;
    if let Some(c) = &config
        && !c.exclude.is_empty()
    {
        let base = std::fs::canonicalize(c.base()).unwrap_or_else(|_| c.base().to_path_buf());
        config_globs = Some((base, build_excludes(&c.exclude)?));
    }
    globs.retain(|g| !g.trim().is_empty());
    Ok(Setup {
        config,
        excludes: Excludes {
            cli: build_excludes(&globs)?,
            config: config_globs,
            force: force_exclude,
        },
    })
}

fn load(inputs: &Inputs, setup: &Setup) -> Result<crate::analysis::Analysis, String> {
    load_paths(&inputs.paths, inputs, setup)
}

fn load_paths(paths: &[PathBuf], inputs: &Inputs, setup: &Setup) -> Result<crate::analysis::Analysis, String> {
    let found = discover_with(paths, &setup.excludes)?;
    for p in &found.unrecognised {
        eprintln!(
            "kfr: {}: not a pipeline source kfr reads (makefiles, Jenkinsfiles, Jenkins config.xml, crontabs, Airflow and KFP Python files, compiled KFP YAML); skipped",
            p.display()
        );
    }
    for (p, why) in &found.skipped {
        eprintln!("kfr: {}: {why}", p.display());
    }
    let options = crate::frontend::Options {
        make_vars: inputs.make_vars.clone(),
    };
    let limit = setup
        .config
        .as_ref()
        .and_then(|c| c.max_file_size)
        .unwrap_or(crate::source::MAX_FILE_SIZE);
    Ok(crate::analysis::analyze_in(
        crate::source::SourceDb::with_max_size(limit),
        &found.files,
        &options,
    ))
}

/// Files named on the command line (pre-commit names the staged files):
/// the graph is built from the whole project they belong to, so that what
/// other files say about their steps counts, and findings are reported
/// for them only.
struct Scope {
    /// The project directory read instead of the files alone.
    project: PathBuf,
    /// The named files, canonical.
    files: std::collections::HashSet<PathBuf>,
}

impl Scope {
    fn of(paths: &[PathBuf], config: Option<&Config>) -> Option<Scope> {
        if paths.is_empty() || !paths.iter().all(|p| p.is_file()) {
            return None;
        }
        let files: std::collections::HashSet<PathBuf> =
            paths.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect();
        let first = files.iter().next()?.clone();
        // the enclosing repository, else the directory of the config file
        let project = first
            .parent()
            .and_then(crate::discover::enclosing_repository)
            .map(std::path::Path::to_path_buf)
            .or_else(|| config.and_then(|c| std::fs::canonicalize(c.base()).ok()))?;
        if !files.iter().all(|f| f.starts_with(&project)) {
            return None;
        }
        let cwd = std::env::current_dir().ok()?;
        let project = pathdiff(&project, &cwd);
        Some(Scope { project, files })
    }

    /// Keep the findings that belong to the named files: those in one, and
    /// those about a step one of them defines.
    fn retain(&self, diags: &mut Vec<crate::diagnostic::Diagnostic>, analysis: &crate::analysis::Analysis) {
        let named: std::collections::HashSet<crate::source::FileId> = analysis
            .db
            .all()
            .iter()
            .filter(|f| std::fs::canonicalize(&f.path).is_ok_and(|p| self.files.contains(&p)))
            .map(|f| f.id)
            .collect();
        let defined_there: std::collections::HashSet<&str> = analysis
            .dag
            .steps
            .iter()
            .filter(|st| named.contains(&st.span.file))
            .map(|st| st.id.as_str())
            .collect();
        diags.retain(|d| {
            named.contains(&d.span.file)
                || d.subject
                    .as_ref()
                    .is_some_and(|s| s.steps.iter().any(|id| defined_there.contains(id.as_str())))
        });
    }
}

/// `to` relative to `from` where it lies below it, else `to` as is.
fn pathdiff(to: &std::path::Path, from: &std::path::Path) -> PathBuf {
    let from = std::fs::canonicalize(from).unwrap_or_else(|_| from.to_path_buf());
    match to.strip_prefix(&from) {
        Ok(r) if r.as_os_str().is_empty() => PathBuf::from("."),
        Ok(r) => r.to_path_buf(),
        Err(_) => to.to_path_buf(),
    }
}

fn run_lint(args: LintArgs) -> Result<ExitCode, String> {
    let setup = setup(&args.inputs, args.config.as_deref(), args.isolated, args.force_exclude)?;
    let selection = match &setup.config {
        Some(c) => c.selection(&args.select, &args.ignore)?,
        None => Selection::new(&args.select, &args.ignore)?,
    };
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    if args.show_files {
        let found = discover_with(&args.inputs.paths, &setup.excludes)?;
        let mut out = std::io::stdout().lock();
        for f in &found.files {
            write_io(writeln!(out, "{}", crate::source::display_path(&f.path)))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let scope = if args.no_project {
        None
    } else {
        Scope::of(&args.inputs.paths, setup.config.as_ref())
    };
    let read_paths = match &scope {
        // the named files too: an excluded directory may hold them (a named
        // file kfr does not read as a pipeline, a requirements file, is not
        // read, but keeps the findings of the steps that install it)
        Some(s) => std::iter::once(s.project.clone())
            .chain(
                args.inputs
                    .paths
                    .iter()
                    .filter(|p| crate::frontend::classify(p).is_some())
                    .cloned(),
            )
            .collect(),
        None => args.inputs.paths.clone(),
    };
    let analysis = load_paths(&read_paths, &args.inputs, &setup)?;
    let mut diags = lint(&analysis, &selection);
    if let Some(s) = &scope {
        s.retain(&mut diags, &analysis);
    }
    let root = report::project_root();
    if let Some(rev) = &args.diff {
        let changes = diff::Changes::since(rev, &read_paths, &analysis, |paths| {
            load_paths(paths, &args.inputs, &setup)
        })?;
        diags.retain(|d| changes.touches(d, &analysis));
    }
    let rules_listed = rules::all().iter().filter(|m| selection.is_enabled(m.id)).collect();
    let mut report = report::Report::new(&diags, &analysis.db, analysis.files_checked, rules_listed, root);
    if let Some(path) = &args.write_baseline {
        let b = Baseline::from_findings(&report.findings);
        crate::migrate::write::write_atomic(path, b.to_json().as_bytes())
            .map_err(|e| format!("{}: cannot write the baseline: {e}", path.display()))?;
        eprintln!(
            "kfr: recorded {} in {}",
            count(report.findings.len(), "finding"),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut gone = Vec::new();
    if let Some(b) = &baseline {
        let (new, g) = b.filter(std::mem::take(&mut report.findings));
        report.findings = new;
        gone = g;
    }
    let mut buf: Vec<u8> = Vec::new();
    let to_file = args.output_file.is_some();
    if args.statistics {
        write_io(report::write_statistics(&mut buf, &report))?;
    } else {
        match args.format {
            Format::Concise => write_io(report::write_concise(&mut buf, &report))?,
            Format::Full => {
                let color = match args.color {
                    Color::Always => true,
                    Color::Never => false,
                    Color::Auto => {
                        !to_file && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                    }
                };
                if color {
                    let mut w = codespan_reporting::term::termcolor::Ansi::new(&mut buf);
                    write_io(report::write_full(&mut w, &report))?;
                } else {
                    let mut w = codespan_reporting::term::termcolor::NoColor::new(&mut buf);
                    write_io(report::write_full(&mut w, &report))?;
                }
            }
            machine => write_io(report::write_machine(machine, &mut buf, &report))?,
        }
    }
    if (args.format.is_human() || args.statistics) && !args.quiet {
        write_io(writeln!(buf, "{}", report::summary(&report)))?;
    }
    if !gone.is_empty() {
        eprintln!(
            "kfr: {} of the baseline no longer occur{} (write it again with --write-baseline to drop {}):",
            count(gone.len(), "finding"),
            if gone.len() == 1 { "s" } else { "" },
            if gone.len() == 1 { "it" } else { "them" }
        );
        for e in &gone {
            eprintln!("  {} {} {}", e.file, e.code, e.message);
        }
    }
    match &args.output_file {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create it: {e}", dir.display()))?;
            }
            crate::migrate::write::write_atomic(path, &buf)
                .map_err(|e| format!("{}: cannot write the report: {e}", path.display()))?
        }
        None => write_io(std::io::stdout().lock().write_all(&buf))?,
    }
    Ok(if report.findings.is_empty() || args.exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_migrate(args: MigrateArgs) -> Result<ExitCode, String> {
    if args
        .image
        .as_deref()
        .is_some_and(|i| i.trim().is_empty() || i.contains(char::is_whitespace))
    {
        return Err("--image needs an image reference (`registry/name:tag` or `name@sha256:...`)".into());
    }
    // refuse a bad --out before reading anything
    crate::migrate::check_out(&args.out, args.force)?;
    let setup = setup(&args.inputs, None, false, false)?;
    let analysis = load(&args.inputs, &setup)?;
    let errors = analysis.parse_diagnostics.len();
    if errors > 0 {
        eprintln!("kfr: {errors} parse problem(s) while reading; `kfr lint` shows them");
    }
    let options = crate::migrate::Options {
        out: args.out.clone(),
        pipeline: args.pipeline,
        all: args.all,
        image: args
            .image
            .or_else(|| setup.config.as_ref().and_then(|c| c.migrate_image.clone())),
        retries: args
            .retries
            .or_else(|| setup.config.as_ref().and_then(|c| c.migrate_retries))
            .unwrap_or(3),
        force: args.force,
        roots: args.inputs.paths.clone(),
    };
    let done = crate::migrate::run(&analysis.db, &analysis.dag, &options)?;
    let mut out = std::io::stdout().lock();
    for m in &done {
        write_io(writeln!(
            out,
            "migrated {} to `{}`: {}, {} not carried over, {} unpinned (see MIGRATION.md)",
            m.title,
            m.name,
            count(m.components, "component"),
            count(m.left_out, "thing"),
            count(m.unpinned, "package")
        ))?;
        for (f, _) in &m.files {
            write_io(writeln!(out, "  {}", args.out.join(f).display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn run_graph(args: GraphArgs) -> Result<ExitCode, String> {
    let setup = setup(&args.inputs, None, false, false)?;
    let analysis = load(&args.inputs, &setup)?;
    if let Some(rev) = &args.diff {
        if args.format != GraphFormat::Mermaid {
            return Err("--diff draws a Mermaid diagram: use it with --format mermaid".into());
        }
        let changes = diff::Changes::since(rev, &args.inputs.paths, &analysis, |paths| {
            load_paths(paths, &args.inputs, &setup)
        })?;
        let text = diff::mermaid(&changes, &analysis.dag, rev);
        write_io(std::io::stdout().lock().write_all(text.as_bytes()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let dag = &analysis.dag;
    let errors = analysis.parse_diagnostics.len();
    if errors > 0 {
        eprintln!("kfr: {errors} parse problem(s) while reading; `kfr lint` shows them");
    }
    let only = match (&args.upstream_of, &args.downstream_of) {
        (Some(x), _) | (_, Some(x)) => {
            let anchor = dag.anchor(x);
            if anchor.is_empty() {
                return Err(format!(
                    "`{x}` is neither a step nor a file of any pipeline read (`kfr graph` lists them)"
                ));
            }
            let closure = if args.upstream_of.is_some() {
                if anchor.steps.is_empty() && anchor.producers.is_empty() {
                    eprintln!("kfr: no step produces `{x}`: it is a source file read by the pipeline");
                }
                dag.upstream_of(&anchor)
            } else {
                dag.downstream_of(&anchor)
            };
            Some(closure.steps)
        }
        _ => None,
    };
    let text = match args.format {
        GraphFormat::Json => {
            let g = render::to_json(dag, &analysis.db, only.as_ref());
            let mut s = serde_json::to_string_pretty(&g).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        GraphFormat::Dot => render::to_dot(dag, only.as_ref()),
        GraphFormat::Mermaid => render::to_mermaid(dag, only.as_ref()),
    };
    write_io(std::io::stdout().lock().write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
