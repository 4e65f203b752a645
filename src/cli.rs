//! The command-line interface: commands, their options and how option values map onto
//! library types.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use collectguard::encode::OutputEncoding;
use collectguard::input::Encoding;
use collectguard::output::Format;
use collectguard::settings::{Overrides, Settings, SettingsError};
use collectguard::train::{Solver, TrainParams};
use collectguard::{CueCode, Label};
use std::path::PathBuf;

mod rules;
pub use rules::{RuleArgs, RuleColumnArgs, RuleFieldArgs};

// The whole command line.
#[derive(Parser)]
#[command(
    name = "collectguard",
    version,
    about = "Classify Chinese debt-collection messages: compliant, threatening or harassing, with the cues that matched."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Classify messages, one per line (or one per file with --whole-file).
    Classify(ClassifyArgs),
    /// Score a CSV export: every row and column kept, verdict columns added.
    Score(ScoreArgs),
    /// Print only the lines with a selected label, like grep (exit 0 matched, 1 none, 2 error).
    Filter(FilterArgs),
    /// Train a model from labelled CSV (columns text,label).
    Train(TrainArgs),
    /// Evaluate on labelled CSV: accuracy, per-class precision/recall/F1, macro-F1, confusion.
    Eval(EvalArgs),
    /// Show the evidence behind one verdict: the model's strongest features and the cues.
    Explain(ExplainArgs),
    /// Check lexicon files, or print the built-in lexicon.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Print the effective settings (collectguard.toml and the command line).
    #[command(subcommand)]
    Config(ConfigCommand),
}

// `collectguard lexicon ...`.
#[derive(Subcommand)]
pub enum LexiconCommand {
    /// Validate lexicon files: counts per code, repeats, shadowed patterns, rewrites by normalisation.
    Check(LexiconCheckArgs),
    /// Print the built-in lexicon in the lexicon file format.
    Show,
}

#[derive(Args)]
pub struct LexiconCheckArgs {
    /// Lexicon files (pattern, code, label, note; tab-separated).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Check the files alone, not merged with the built-in lexicon.
    #[arg(long)]
    pub no_default_lexicon: bool,
}

// `collectguard config ...`.
#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the settings in effect, as a settings file.
    Show(ConfigShowArgs),
}

#[derive(Args)]
pub struct ConfigShowArgs {
    #[command(flatten)]
    pub cues: CueArgs,
}

// How long messages are split into units (speaker turns or sentences).
#[derive(Args, Clone)]
pub struct UnitArgs {
    /// Judge every message whole, never by speaker turns or sentences.
    #[arg(long)]
    pub no_units: bool,
    /// Regular expression for a speaker label at the start of a line, with a group (?P<speaker>...).
    #[arg(long, value_name = "REGEX")]
    pub speaker_pattern: Option<String>,
    /// Speaker labels that are the collector (comma-separated); every other speaker is then the customer.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub collector_speakers: Vec<String>,
    /// A collector's turn makes a message violating at this probability.
    #[arg(long, value_name = "P", default_value_t = collectguard::units::THRESHOLD)]
    pub unit_threshold: f64,
    /// Judge long messages without speaker turns (400 characters or more) sentence by sentence.
    #[arg(long)]
    pub sentence_units: bool,
    /// With --sentence-units, a sentence makes its message violating at this probability.
    #[arg(long, value_name = "P", default_value_t = collectguard::units::SENTENCE_THRESHOLD)]
    pub sentence_threshold: f64,
}

impl UnitArgs {
    /// The unit options.
    pub fn options(&self) -> collectguard::units::UnitOptions {
        collectguard::units::UnitOptions {
            split: !self.no_units,
            speaker_pattern: self.speaker_pattern.clone(),
            collector_speakers: self.collector_speakers.clone(),
            threshold: self.unit_threshold,
            sentence_threshold: self.sentence_threshold,
            sentences: self.sentence_units,
            ..Default::default()
        }
    }
}

// Lexicon, allow-list and cue-code options, also read from collectguard.toml.
#[derive(Args, Clone, Default)]
pub struct CueArgs {
    /// Extra cue patterns, in the format of data/cues.tsv (pattern, code, label, note); repeatable.
    #[arg(long, value_name = "FILE")]
    pub lexicon: Vec<PathBuf>,
    /// Use only the --lexicon files, not the built-in patterns.
    #[arg(long)]
    pub no_default_lexicon: bool,
    /// Phrases (one per line) that are never cues and that the model does not see; repeatable.
    #[arg(long, value_name = "FILE")]
    pub allow: Vec<PathBuf>,
    /// Switch a cue code off: its matches and their effect on the label go; repeatable.
    #[arg(long = "ignore-code", value_name = "CODE")]
    pub ignore_codes: Vec<CueCode>,
    /// Only these cue codes count (comma-separated, e.g. T1,T2,H1).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub only_codes: Option<Vec<CueCode>>,
    /// Settings file (default: collectguard.toml in the working directory, if there is one).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not read collectguard.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

impl CueArgs {
    /// The settings file's values (if any) with these flags laid over them.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        let file = match (&self.config, self.no_config) {
            (Some(path), _) => Some(path.clone()),
            (None, false) => Settings::find_in(std::path::Path::new(".")),
            (None, true) => None,
        };
        let base = match file {
            Some(path) => Settings::load(&path)?,
            None => Settings::default(),
        };
        Ok(base.apply(Overrides {
            no_default_lexicon: self.no_default_lexicon,
            lexicon: self.lexicon.clone(),
            allow: self.allow.clone(),
            ignore_codes: self.ignore_codes.clone(),
            only_codes: self.only_codes.clone(),
        }))
    }
}

// Options every command takes.
#[derive(Args, Clone)]
pub struct Common {
    /// Model file to use instead of the embedded default model.
    #[arg(long, value_name = "PATH", global = true)]
    pub model: Option<PathBuf>,
    /// Input encoding; auto detects a BOM, else UTF-8, else GB18030/GBK.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto, global = true)]
    pub encoding: EncodingArg,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", global = true)]
    pub threads: Option<usize>,
}

impl Common {
    /// The input encoding.
    pub fn encoding(&self) -> Encoding {
        match self.encoding {
            EncodingArg::Auto => Encoding::Auto,
            EncodingArg::Utf8 => Encoding::Utf8,
            EncodingArg::Gb18030 | EncodingArg::Gbk => Encoding::Gb18030,
            EncodingArg::Utf16le => Encoding::Utf16Le,
            EncodingArg::Utf16be => Encoding::Utf16Be,
        }
    }
}

// `--encoding` values.
#[derive(Copy, Clone, ValueEnum)]
pub enum EncodingArg {
    Auto,
    Utf8,
    Gb18030,
    Gbk,
    Utf16le,
    Utf16be,
}

// `--output-encoding` values.
#[derive(Copy, Clone, ValueEnum)]
pub enum OutputEncodingArg {
    Utf8,
    #[value(name = "utf8-bom")]
    Utf8Bom,
    Gb18030,
}

impl OutputEncodingArg {
    pub fn encoding(self) -> OutputEncoding {
        match self {
            OutputEncodingArg::Utf8 => OutputEncoding::Utf8,
            OutputEncodingArg::Utf8Bom => OutputEncoding::Utf8Bom,
            OutputEncodingArg::Gb18030 => OutputEncoding::Gb18030,
        }
    }
}

// `--color` values.
#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A `--delimiter` value: one byte, or `tab` / `\t` for a tab.
fn delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 => Ok(s.as_bytes()[0]),
        _ => Err(format!("{s:?} is not one byte (use tab or \\t for a tab)")),
    }
}

/// A `--format` parser accepting only `names`.
fn formats(names: &'static [&'static str]) -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(names).map(|s| s.parse::<Format>().expect("every listed format parses"))
}

#[derive(Args)]
pub struct ClassifyArgs {
    /// Input files; none or `-` reads standard input.
    pub files: Vec<PathBuf>,
    #[arg(long, default_value = "text", value_parser = formats(&["text", "jsonl", "csv"]))]
    pub format: Format,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Treat each file as one message (a letter, a call transcript).
    #[arg(long)]
    pub whole_file: bool,
    /// text: one message per line; jsonl: one JSON object per line, every field passed
    /// through with the verdict and the rules' findings added (output is JSON Lines).
    #[arg(long, value_enum, default_value_t = InputFormat::Text)]
    pub input_format: InputFormat,
    /// With --input-format jsonl: classify and write one record at a time, flushing each
    /// (a gate that writes a message and reads its verdict).
    #[arg(long)]
    pub line_buffered: bool,
    #[command(flatten)]
    pub fields: RuleFieldArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub units: UnitArgs,
    /// Encoding of --format csv output (default utf8); utf8-bom and gb18030 open in Excel.
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub output_encoding: Option<OutputEncodingArg>,
    /// At the end, on stderr: messages, time, start-up, CPU and the serial share.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub cues: CueArgs,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct ScoreArgs {
    /// CSV file or workbook (.xlsx, .xls, .ods, told by its content) to score (`-` for standard input).
    pub input: PathBuf,
    /// Output CSV, or a workbook for a name ending in .xlsx (default: CSV on standard output).
    /// Written to a temporary file, renamed at the end.
    #[arg(short, long, value_name = "OUTPUT")]
    pub output: Option<PathBuf>,
    /// The sheet of a workbook to score, by name or 1-based position (default: the first).
    #[arg(long, value_name = "NAME|N")]
    pub sheet: Option<String>,
    /// Column holding the message (default: text, content, message, 内容, 短信内容, ... or the only column).
    #[arg(long, value_name = "NAME")]
    pub text_column: Option<String>,
    /// Keep rows whose field count differs from the header: short rows padded, extra fields
    /// under extra_1, extra_2, ... columns (written at the end, once the widest row is known).
    #[arg(long)]
    pub flexible: bool,
    /// csv: the input's columns and the verdict columns; jsonl: one JSON object per row.
    #[arg(long, default_value = "csv", value_parser = formats(&["csv", "jsonl"]))]
    pub format: Format,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub columns: RuleColumnArgs,
    /// Column naming the collector, for the summary (default: 催收员, 坐席, agent, collector, ...).
    #[arg(long, value_name = "NAME")]
    pub collector_column: Option<String>,
    /// At the end, a summary on stderr: rows, labels, findings per rule, per collector, hours of violations.
    #[arg(long)]
    pub summary: bool,
    /// Write the summary to this file instead of stderr (implies --summary).
    #[arg(long, value_name = "PATH")]
    pub summary_file: Option<PathBuf>,
    #[arg(long, default_value = "text", value_parser = formats(&["text", "json"]))]
    pub summary_format: Format,
    #[command(flatten)]
    pub units: UnitArgs,
    /// The byte between fields (`tab` or `\t` for a tab); default: a tab if the header
    /// has tabs and no commas, else a comma. The output uses the same.
    #[arg(long, value_name = "CHAR", value_parser = delimiter)]
    pub delimiter: Option<u8>,
    /// Output encoding; default: as the input was read (a BOM kept, GB18030 as GB18030,
    /// UTF-16 as UTF-8 with a BOM), told on stderr when it is not plain UTF-8.
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub output_encoding: Option<OutputEncodingArg>,
    #[command(flatten)]
    pub cues: CueArgs,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct FilterArgs {
    /// Input files; none or `-` reads standard input.
    pub files: Vec<PathBuf>,
    /// Labels to select (repeatable; default threatening and harassing).
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<Label>,
    /// Select only verdicts at least this confident.
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    pub min_confidence: f64,
    /// Select the lines that do not match.
    #[arg(short = 'v', long)]
    pub invert_match: bool,
    /// Print only the number of selected lines.
    #[arg(short, long)]
    pub count: bool,
    /// Treat each file as one message (a multi-line SMS, a letter, a call transcript).
    #[arg(long)]
    pub whole_file: bool,
    #[arg(long, default_value = "text", value_parser = formats(&["text", "jsonl"]))]
    pub format: Format,
    /// At the end, on stderr: messages, time, start-up, CPU and the serial share.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub units: UnitArgs,
    #[command(flatten)]
    pub cues: CueArgs,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct TrainArgs {
    /// Labelled training CSV (columns text,label); repeatable.
    #[arg(long, required = true, value_name = "CSV")]
    pub data: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Held-out CSV to report on at the end (recorded in the model).
    #[arg(long, value_name = "CSV")]
    pub test: Option<PathBuf>,
    /// The message column (default: picked by name, as `score` picks it).
    #[arg(long, value_name = "NAME")]
    pub text_column: Option<String>,
    /// The label column.
    #[arg(long, value_name = "NAME", default_value = "label")]
    pub label_column: String,
    /// The byte between fields (`tab` or `\t` for a tab); default: detected as `score` does.
    #[arg(long, value_name = "CHAR", value_parser = delimiter)]
    pub delimiter: Option<u8>,
    #[arg(long, default_value_t = TrainParams::default().seed)]
    pub seed: u64,
    #[arg(long, default_value_t = TrainParams::default().alpha)]
    pub alpha: f64,
    #[arg(long, default_value_t = TrainParams::default().max_features)]
    pub max_features: usize,
    #[arg(long, default_value_t = TrainParams::default().max_iterations)]
    pub max_iterations: u64,
    #[arg(long, default_value_t = TrainParams::default().min_df)]
    pub min_df: usize,
    /// Convergence tolerance: gradient norm per training message.
    #[arg(long, default_value_t = TrainParams::default().tolerance)]
    pub tolerance: f64,
    /// linfa: linfa-logistic on the dense matrix (the reference); sparse: the same objective
    /// over a sparse matrix; auto: linfa while the dense matrix fits in 64 MiB.
    #[arg(long, value_enum, default_value_t = SolverArg::Auto)]
    pub solver: SolverArg,
    /// Leave the probabilities uncalibrated (no temperature fitted on held-out rows).
    #[arg(long)]
    pub no_calibration: bool,
    /// No Han character trigram features (for ablation).
    #[arg(long)]
    pub no_trigrams: bool,
    /// No context features: cues and speech acts (for ablation).
    #[arg(long)]
    pub no_context: bool,
    #[command(flatten)]
    pub common: Common,
}

/// `train --solver`.
#[derive(Clone, Copy, ValueEnum)]
pub enum SolverArg {
    /// linfa while the dense matrix is small, else sparse.
    Auto,
    /// linfa-logistic, dense.
    Linfa,
    /// The sparse L-BFGS solver.
    Sparse,
}

impl TrainArgs {
    /// The training parameters as given.
    pub fn params(&self) -> TrainParams {
        TrainParams {
            alpha: self.alpha,
            max_iterations: self.max_iterations,
            max_features: self.max_features,
            min_df: self.min_df,
            seed: self.seed,
            tolerance: self.tolerance,
            solver: match self.solver {
                SolverArg::Auto => Solver::Auto,
                SolverArg::Linfa => Solver::Linfa,
                SolverArg::Sparse => Solver::Sparse,
            },
            calibrate: !self.no_calibration,
            trigrams: !self.no_trigrams,
            context: !self.no_context,
        }
    }
}

#[derive(Args)]
pub struct EvalArgs {
    /// Labelled CSV with a text column and a label column.
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    #[arg(long, default_value = "text", value_parser = formats(&["text", "json"]))]
    pub format: Format,
    #[arg(long, value_name = "NAME")]
    pub text_column: Option<String>,
    #[arg(long, value_name = "NAME", default_value = "label")]
    pub label_column: String,
    /// The byte between fields (`tab` or `\t` for a tab); default: detected as `score` does.
    #[arg(long, value_name = "CHAR", value_parser = delimiter)]
    pub delimiter: Option<u8>,
    /// Also report the metrics per value of this column (e.g. `kind`).
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// Also list every misclassified row.
    #[arg(long)]
    pub show_errors: bool,
    #[command(flatten)]
    pub units: UnitArgs,
    #[command(flatten)]
    pub cues: CueArgs,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Args)]
pub struct ExplainArgs {
    /// The message; without it (or `-`), standard input is read as one message.
    pub text: Option<String>,
    #[arg(long, default_value = "text", value_parser = formats(&["text", "json"]))]
    pub format: Format,
    /// How many features to show per label in text output.
    #[arg(long, default_value_t = 8)]
    pub top: usize,
    #[command(flatten)]
    pub units: UnitArgs,
    #[command(flatten)]
    pub cues: CueArgs,
    #[command(flatten)]
    pub common: Common,
}

// `classify --input-format` values.
#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// One message per line.
    Text,
    /// One JSON object per line; the message is --text-field.
    Jsonl,
}
