//! The command line: argument definitions and dispatch, no analysis logic.

use crate::analysis::{analyze, lint};
use crate::dag::render;
use crate::discover::{build_excludes, discover};
use crate::report::{self, Format};
use crate::rules::{self, Selection};
use clap::{Args, Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
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
    /// Report only these rules (ids or names, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Do not report these rules (ids or names).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
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
    /// Retries for steps that had none in the legacy pipeline.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
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
            write_io(write!(
                out,
                "# {} {}\n\nDefault severity: {}\n\n{}\n\n{}",
                meta.id,
                meta.name,
                meta.severity.as_str(),
                meta.summary,
                meta.body
            ))?;
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

fn load(inputs: &Inputs) -> Result<crate::analysis::Analysis, String> {
    let excludes = build_excludes(&inputs.exclude)?;
    let found = discover(&inputs.paths, &excludes)?;
    for p in &found.unrecognised {
        eprintln!(
            "kfr: {}: not a pipeline source kfr reads (makefiles, Jenkinsfiles, Jenkins config.xml, crontabs, Airflow and KFP Python files, compiled KFP YAML); skipped",
            p.display()
        );
    }
    let options = crate::frontend::Options {
        make_vars: inputs.make_vars.clone(),
    };
    Ok(analyze(&found.files, &options))
}

fn run_lint(args: LintArgs) -> Result<ExitCode, String> {
    let selection = Selection::new(&args.select, &args.ignore)?;
    let analysis = load(&args.inputs)?;
    let diags = lint(&analysis, &selection);
    let rules_listed = rules::all().iter().filter(|m| selection.is_enabled(m.id)).collect();
    let report = report::Report::new(
        &diags,
        &analysis.db,
        analysis.files_checked,
        rules_listed,
        report::project_root(),
    );
    match args.format {
        Format::Concise => {
            let mut out = std::io::stdout().lock();
            write_io(report::write_concise(&mut out, &report))?;
            write_io(writeln!(out, "{}", report::summary(&report)))?;
        }
        Format::Full => {
            let choice = match args.color {
                Color::Always => ColorChoice::Always,
                Color::Never => ColorChoice::Never,
                Color::Auto if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() => {
                    ColorChoice::Auto
                }
                Color::Auto => ColorChoice::Never,
            };
            let mut out = StandardStream::stdout(choice);
            write_io(report::write_full(&mut out, &report))?;
            write_io(writeln!(out, "{}", report::summary(&report)))?;
        }
        machine => write_io(report::write_machine(machine, &mut std::io::stdout().lock(), &report))?,
    }
    Ok(if report.findings.is_empty() {
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
    let analysis = load(&args.inputs)?;
    let errors = analysis.parse_diagnostics.len();
    if errors > 0 {
        eprintln!("kfr: {errors} parse problem(s) while reading; `kfr lint` shows them");
    }
    let options = crate::migrate::Options {
        out: args.out.clone(),
        pipeline: args.pipeline,
        all: args.all,
        image: args.image,
        retries: args.retries,
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
    let analysis = load(&args.inputs)?;
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
