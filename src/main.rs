//! The collectguard command line: wires reading, classifying and printing together.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use collectguard::input::{DecodeWarning, DecodingReader, Encoding, Lines};
use collectguard::model::{DataFile, HeldOut};
use collectguard::output::{self, Record};
use collectguard::train::{Example, Solver, TrainParams};
use collectguard::{Classifier, Label, Model, Verdict, eval, explain};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "collectguard",
    version,
    about = "Classify Chinese debt-collection messages: compliant, threatening or harassing, with the cues that matched."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
}

#[derive(Args, Clone)]
struct Common {
    /// Model file to use instead of the embedded default model.
    #[arg(long, value_name = "PATH", global = true)]
    model: Option<PathBuf>,
    /// Input encoding; auto detects a BOM, else UTF-8, else GB18030/GBK.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto, global = true)]
    encoding: EncodingArg,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", global = true)]
    threads: Option<usize>,
}

#[derive(Copy, Clone, ValueEnum)]
enum EncodingArg {
    Auto,
    Utf8,
    Gb18030,
    Gbk,
    Utf16le,
    Utf16be,
}

impl From<EncodingArg> for Encoding {
    fn from(e: EncodingArg) -> Self {
        match e {
            EncodingArg::Auto => Encoding::Auto,
            EncodingArg::Utf8 => Encoding::Utf8,
            EncodingArg::Gb18030 | EncodingArg::Gbk => Encoding::Gb18030,
            EncodingArg::Utf16le => Encoding::Utf16Le,
            EncodingArg::Utf16be => Encoding::Utf16Be,
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Jsonl,
    Csv,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum FilterFormat {
    Text,
    Jsonl,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct ClassifyArgs {
    /// Input files; none or `-` reads standard input.
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Treat each file as one message (a letter, a call transcript).
    #[arg(long)]
    whole_file: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct ScoreArgs {
    /// CSV file to score (`-` for standard input).
    input: PathBuf,
    /// Output CSV (default: standard output). Written to a temporary file, renamed at the end.
    #[arg(short, long, value_name = "OUTPUT")]
    output: Option<PathBuf>,
    /// Column holding the message (default: text, content, message, 内容, 短信内容, ... or the only column).
    #[arg(long, value_name = "NAME")]
    text_column: Option<String>,
    /// Keep rows whose field count differs from the header instead of failing.
    #[arg(long)]
    flexible: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct FilterArgs {
    /// Input files; none or `-` reads standard input.
    files: Vec<PathBuf>,
    /// Labels to select (repeatable; default threatening and harassing).
    #[arg(long = "label", value_name = "LABEL")]
    labels: Vec<Label>,
    /// Select only verdicts at least this confident.
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    min_confidence: f64,
    /// Select the lines that do not match.
    #[arg(short = 'v', long)]
    invert_match: bool,
    /// Print only the number of selected lines.
    #[arg(short, long)]
    count: bool,
    #[arg(long, value_enum, default_value_t = FilterFormat::Text)]
    format: FilterFormat,
    #[command(flatten)]
    common: Common,
}

#[derive(Clone, Copy, ValueEnum)]
enum SolverArg {
    Auto,
    Linfa,
    Sparse,
}

#[derive(Args)]
struct TrainArgs {
    /// Labelled training CSV (columns text,label); repeatable.
    #[arg(long, required = true, value_name = "CSV")]
    data: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Held-out CSV to report on at the end (recorded in the model).
    #[arg(long, value_name = "CSV")]
    test: Option<PathBuf>,
    #[arg(long, default_value_t = TrainParams::default().seed)]
    seed: u64,
    #[arg(long, default_value_t = TrainParams::default().alpha)]
    alpha: f64,
    #[arg(long, default_value_t = TrainParams::default().max_features)]
    max_features: usize,
    #[arg(long, default_value_t = TrainParams::default().max_iterations)]
    max_iterations: u64,
    #[arg(long, default_value_t = TrainParams::default().min_df)]
    min_df: usize,
    /// Convergence tolerance: gradient norm per training message.
    #[arg(long, default_value_t = TrainParams::default().tolerance)]
    tolerance: f64,
    /// linfa: linfa-logistic on the dense matrix (the reference); sparse: the same objective
    /// over a sparse matrix; auto: linfa while the dense matrix fits in 64 MiB.
    #[arg(long, value_enum, default_value_t = SolverArg::Auto)]
    solver: SolverArg,
    /// Leave the probabilities uncalibrated (no temperature fitted on held-out rows).
    #[arg(long)]
    no_calibration: bool,
    /// No Han character trigram features (for ablation).
    #[arg(long)]
    no_trigrams: bool,
    /// No context features: cues and speech acts (for ablation).
    #[arg(long)]
    no_context: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct EvalArgs {
    /// Labelled CSV with a text column and a label column.
    #[arg(long, value_name = "CSV")]
    data: PathBuf,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    #[arg(long, value_name = "NAME")]
    text_column: Option<String>,
    #[arg(long, value_name = "NAME", default_value = "label")]
    label_column: String,
    /// Also list every misclassified row.
    #[arg(long)]
    show_errors: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct ExplainArgs {
    /// The message; without it (or `-`), standard input is read as one message.
    text: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// How many features to show per label in text output.
    #[arg(long, default_value_t = 8)]
    top: usize,
    #[command(flatten)]
    common: Common,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("collectguard: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(
                |ce| matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe),
            )
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Classify(a) => classify(a),
        Command::Score(a) => score(a),
        Command::Filter(a) => filter(a),
        Command::Train(a) => train(a),
        Command::Eval(a) => evaluate(a),
        Command::Explain(a) => explain_cmd(a),
    }
}

/// Sizes rayon's pool from `--threads` (default: all cores).
fn set_threads(common: &Common) -> Result<()> {
    if let Some(n) = common.threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().ok();
    }
    Ok(())
}

fn load_classifier(common: &Common) -> Result<Classifier> {
    set_threads(common)?;
    let model = match &common.model {
        Some(p) => Model::load(p)?,
        None => Model::from_json(collectguard::DEFAULT_MODEL).context("embedded default model")?,
    };
    Ok(Classifier::new(model))
}

fn input_name(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Opens a file (or stdin for `-`) as decoded UTF-8; decoding problems go to stderr.
fn open_decoded(path: &Path, encoding: Encoding) -> Result<DecodingReader<Box<dyn Read + Send>>> {
    let name = input_name(path);
    let raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).with_context(|| format!("cannot open {name}"))?)
    };
    decoder(raw, encoding, &name)
}

/// Decodes `raw` to UTF-8, warning on stderr (with the line) about undecodable bytes and
/// saying which encoding is used when it is not UTF-8.
fn decoder<R: Read>(raw: R, encoding: Encoding, name: &str) -> Result<DecodingReader<R>> {
    let label = name.to_string();
    let warn = Box::new(move |w: DecodeWarning| {
        eprintln!("collectguard: warning: {label}: line {}: {}", w.line, w.message)
    });
    let reader = DecodingReader::new(raw, encoding, warn).with_context(|| format!("cannot read {name}"))?;
    if reader.encoding_name() != "UTF-8" {
        eprintln!("collectguard: reading {name} as {}", reader.encoding_name());
    }
    Ok(reader)
}

fn inputs(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() { vec![PathBuf::from("-")] } else { files.to_vec() }
}

/// Output buffer: large enough that writing costs few system calls per batch.
const OUT_BUFFER: usize = 1 << 16;

/// Lines are classified in batches: parallel within a batch, printed in input order.
const BATCH_LINES: usize = 4096;
const BATCH_BYTES: usize = 8 << 20;

/// Classifies a batch in order: on rayon's threads, or on this one with `--threads 1`,
/// where handing work to one pool thread would only add waiting.
fn classify_all<T: Sync>(items: &[T], f: impl Fn(&T) -> Verdict + Sync + Send) -> Vec<Verdict> {
    if rayon::current_num_threads() == 1 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// Reads `path` line by line and hands each (line number, text, verdict) to `sink`, in order.
fn for_each_line(
    classifier: &Classifier,
    path: &Path,
    encoding: Encoding,
    mut sink: impl FnMut(u64, &str, &Verdict) -> Result<()>,
) -> Result<()> {
    let mut lines = Lines::new(open_decoded(path, encoding)?);
    let mut line_no = 0u64;
    // A batch is one buffer of text and the bounds of each line in it.
    let mut text = String::new();
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(BATCH_LINES);
    loop {
        text.clear();
        bounds.clear();
        while bounds.len() < BATCH_LINES && text.len() < BATCH_BYTES {
            let start = text.len();
            if !lines.read_line_into(&mut text).with_context(|| format!("reading {}", input_name(path)))? {
                break;
            }
            bounds.push((start, text.len()));
        }
        if bounds.is_empty() {
            return Ok(());
        }
        let verdicts: Vec<Verdict> = classify_all(&bounds, |&(s, e)| classifier.classify(&text[s..e]));
        for (&(s, e), v) in bounds.iter().zip(&verdicts) {
            line_no += 1;
            sink(line_no, &text[s..e], v)?;
        }
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn classify(a: ClassifyArgs) -> Result<ExitCode> {
    let classifier = load_classifier(&a.common)?;
    let color = use_color(a.color);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(OUT_BUFFER, stdout.lock());
    if a.format == Format::Csv {
        let mut header = vec!["file", "line", "text"];
        header.extend(output::VERDICT_COLUMNS);
        write_csv_row(&mut out, &header)?;
    }
    let encoding: Encoding = a.common.encoding.into();
    let mut json = Vec::new();
    for path in inputs(&a.files) {
        let name = input_name(&path);
        let mut emit = |line: u64, text: &str, v: &Verdict| -> Result<()> {
            match a.format {
                Format::Text => output::write_text(&mut out, text, v, color)?,
                Format::Jsonl => write_record(&mut out, &mut json, Record::new(&name, line, text, v))?,
                Format::Csv => {
                    let line = line.to_string();
                    let mut rec: Vec<&str> = vec![&name, &line, text];
                    let fields = output::verdict_fields(v);
                    rec.extend(fields.iter().map(String::as_str));
                    write_csv_row(&mut out, &rec)?;
                }
            }
            Ok(())
        };
        if a.whole_file {
            let mut text = String::new();
            open_decoded(&path, encoding)?
                .read_to_string(&mut text)
                .with_context(|| format!("reading {name}"))?;
            let v = classifier.classify(&text);
            emit(1, &text, &v)?;
        } else {
            for_each_line(&classifier, &path, encoding, emit)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writes one JSON Lines record, encoding it in `buf` (reused from record to record).
fn write_record(out: &mut impl Write, buf: &mut Vec<u8>, record: Record) -> io::Result<()> {
    buf.clear();
    record.encode(buf);
    out.write_all(buf)
}

fn write_csv_row(out: &mut impl Write, fields: &[&str]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields)?;
    out.write_all(&w.into_inner().map_err(|e| anyhow!("{e}"))?)?;
    Ok(())
}

fn filter(a: FilterArgs) -> Result<ExitCode> {
    let classifier = load_classifier(&a.common)?;
    if !(0.0..=1.0).contains(&a.min_confidence) {
        bail!("--min-confidence must be between 0 and 1");
    }
    let labels =
        if a.labels.is_empty() { vec![Label::Threatening, Label::Harassing] } else { a.labels.clone() };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(OUT_BUFFER, stdout.lock());
    let mut selected = 0u64;
    let encoding: Encoding = a.common.encoding.into();
    let mut json = Vec::new();
    for path in inputs(&a.files) {
        let name = input_name(&path);
        for_each_line(&classifier, &path, encoding, |line, text, v| {
            let hit = labels.contains(&v.label) && v.confidence >= a.min_confidence;
            if hit != a.invert_match {
                selected += 1;
                if !a.count {
                    match a.format {
                        FilterFormat::Text => writeln!(out, "{text}")?,
                        FilterFormat::Jsonl => {
                            write_record(&mut out, &mut json, Record::new(&name, line, text, v))?
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
    if a.count {
        writeln!(out, "{selected}")?;
    }
    out.flush()?;
    Ok(if selected > 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Column names taken as the message, in order of preference.
const TEXT_COLUMNS: &[&str] = &[
    "text",
    "content",
    "message",
    "msg",
    "body",
    "sms",
    "内容",
    "短信内容",
    "消息内容",
    "消息",
    "文本",
    "短信",
    "通话内容",
    "催收内容",
];

fn pick_text_column(headers: &csv::StringRecord, wanted: Option<&str>, source: &str) -> Result<usize> {
    let names: Vec<&str> = headers.iter().collect();
    let list = || names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    if let Some(w) = wanted {
        return names
            .iter()
            .position(|n| n.trim() == w)
            .ok_or_else(|| anyhow!("{source}: no column named {w:?}; the columns are {}", list()));
    }
    for cand in TEXT_COLUMNS {
        if let Some(i) =
            names.iter().position(|n| n.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(cand))
        {
            eprintln!("collectguard: {source}: using column {:?} as the message text", names[i]);
            return Ok(i);
        }
    }
    if names.len() == 1 {
        eprintln!("collectguard: {source}: using the only column {:?} as the message text", names[0]);
        return Ok(0);
    }
    bail!(
        "{source}: cannot tell which column holds the message; the columns are {}; name one with --text-column",
        list()
    )
}

fn csv_reader<R: Read>(r: R, flexible: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new().flexible(flexible).from_reader(r)
}

fn csv_error(source: &str, e: csv::Error) -> anyhow::Error {
    if let csv::ErrorKind::UnequalLengths { pos, expected_len, len } = e.kind() {
        let row = pos.as_ref().map_or(String::from("?"), |p| p.record().to_string());
        let line = pos.as_ref().map_or(String::from("?"), |p| p.line().to_string());
        return anyhow!(
            "{source}: row {row} (line {line}) has {len} fields but the header has {expected_len}; fix the file or pass --flexible"
        );
    }
    anyhow!("{source}: {e}")
}

fn score(a: ScoreArgs) -> Result<ExitCode> {
    let source = input_name(&a.input);
    if a.output.as_ref().is_some_and(|out| source != "-" && same_file(&a.input, out)) {
        bail!("refusing to overwrite the input {source} with the output");
    }
    let classifier = load_classifier(&a.common)?;
    let mut reader = csv_reader(open_decoded(&a.input, a.common.encoding.into())?, a.flexible);
    let headers = reader.headers().map_err(|e| csv_error(&source, e))?.clone();
    if headers.is_empty() {
        eprintln!("collectguard: {source}: empty input, nothing to score");
        return Ok(ExitCode::SUCCESS);
    }
    let col = pick_text_column(&headers, a.text_column.as_deref(), &source)?;
    let width = headers.len();
    let mut out_header: Vec<String> = headers.iter().map(str::to_string).collect();
    for c in output::VERDICT_COLUMNS {
        let name =
            if out_header.iter().any(|h| h == c) { format!("collectguard_{c}") } else { c.to_string() };
        out_header.push(name);
    }
    let (sink, temp): (Box<dyn Write>, Option<(tempfile::NamedTempFile, PathBuf)>) = match &a.output {
        Some(path) => {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let tmp = tempfile::Builder::new()
                .prefix(".collectguard-")
                .suffix(".partial")
                .tempfile_in(dir)
                .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
            readable_by_all(&tmp)?;
            let f = tmp.reopen()?;
            (Box::new(BufWriter::with_capacity(OUT_BUFFER, f)), Some((tmp, path.clone())))
        }
        None => (Box::new(BufWriter::with_capacity(OUT_BUFFER, io::stdout().lock())), None),
    };
    let mut writer = csv::WriterBuilder::new().flexible(a.flexible).from_writer(sink);
    writer.write_record(&out_header)?;
    let progress = progress_bar("rows");
    let mut rows = 0u64;
    let mut batch: Vec<csv::StringRecord> = Vec::with_capacity(BATCH_LINES);
    let mut done = false;
    while !done {
        batch.clear();
        while batch.len() < BATCH_LINES {
            let mut rec = csv::StringRecord::new();
            match reader.read_record(&mut rec) {
                Ok(true) => batch.push(rec),
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => return Err(csv_error(&source, e)),
            }
        }
        let verdicts: Vec<Verdict> = classify_all(&batch, |r| classifier.classify(r.get(col).unwrap_or("")));
        for (rec, v) in batch.iter().zip(&verdicts) {
            let mut fields: Vec<&str> = rec.iter().collect();
            while fields.len() < width {
                fields.push("");
            }
            let extra = output::verdict_fields(v);
            fields.extend(extra.iter().map(String::as_str));
            writer.write_record(&fields)?;
        }
        rows += batch.len() as u64;
        if let Some(p) = &progress {
            p.set_position(rows);
        }
    }
    writer.flush()?;
    drop(writer);
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    if let Some((tmp, path)) = temp {
        tmp.persist(&path).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("collectguard: scored {rows} rows into {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A spinner counting rows on stderr, only when stderr is a terminal.
fn progress_bar(unit: &str) -> Option<indicatif::ProgressBar> {
    progress_bar_with(&format!("{{spinner}} {{pos}} {unit} ({{per_sec}}) {{elapsed}}"))
}

fn progress_bar_with(template: &str) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let p = indicatif::ProgressBar::new_spinner();
    p.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    p.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(p)
}

/// Reads a labelled CSV: (text, label) per row. Every row must carry a known label.
fn read_labelled(
    path: &Path,
    text_column: Option<&str>,
    label_column: &str,
    encoding: Encoding,
) -> Result<(Vec<Example>, DataFile)> {
    let name = input_name(path);
    let bytes = if name == "-" {
        let mut b = Vec::new();
        io::stdin().read_to_end(&mut b)?;
        b
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {name}"))?
    };
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let decoded = open_decoded_bytes(&bytes, encoding, &name)?;
    let mut reader = csv_reader(decoded.as_bytes(), false);
    let headers = reader.headers().map_err(|e| csv_error(&name, e))?.clone();
    let tcol = pick_text_column(&headers, text_column, &name)?;
    let lcol = headers.iter().position(|h| h.trim() == label_column).ok_or_else(|| {
        anyhow!(
            "{name}: no label column {label_column:?}; the columns are {:?}",
            headers.iter().collect::<Vec<_>>()
        )
    })?;
    let mut examples = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| csv_error(&name, e))?;
        let label: Label =
            rec.get(lcol).unwrap_or("").parse().map_err(|e| anyhow!("{name}: row {}: {e}", i + 1))?;
        examples.push(Example { text: rec.get(tcol).unwrap_or("").to_string(), label });
    }
    let file_name = path.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
    Ok((examples, DataFile { name: file_name, sha256, rows: 0 }))
}

fn open_decoded_bytes(bytes: &[u8], encoding: Encoding, name: &str) -> Result<String> {
    let mut r = decoder(bytes, encoding, name)?;
    let mut s = String::new();
    r.read_to_string(&mut s)?;
    Ok(s)
}

fn train(a: TrainArgs) -> Result<ExitCode> {
    let params = TrainParams {
        alpha: a.alpha,
        max_iterations: a.max_iterations,
        max_features: a.max_features,
        min_df: a.min_df,
        seed: a.seed,
        tolerance: a.tolerance,
        solver: match a.solver {
            SolverArg::Auto => Solver::Auto,
            SolverArg::Linfa => Solver::Linfa,
            SolverArg::Sparse => Solver::Sparse,
        },
        calibrate: !a.no_calibration,
        trigrams: !a.no_trigrams,
        context: !a.no_context,
    }
    .check()
    .map_err(|e| anyhow!(e))?;
    set_threads(&a.common)?;
    let encoding: Encoding = a.common.encoding.into();
    let mut examples = Vec::new();
    let mut files = Vec::new();
    for path in &a.data {
        let (ex, mut info) = read_labelled(path, None, "label", encoding)?;
        info.rows = ex.len();
        eprintln!("collectguard: {}: {} labelled messages", input_name(path), ex.len());
        examples.extend(ex);
        files.push(info);
    }
    let tokenizer = collectguard::tokenize::Tokenizer::new();
    // On a terminal a spinner shows the current stage and the time spent; each finished
    // stage stays printed above it. Elsewhere the stages are plain lines.
    let spinner = progress_bar_with("{spinner} {msg} {elapsed}");
    let progress = |m: &str| match &spinner {
        Some(p) => {
            p.println(format!("collectguard: {m}"));
            p.set_message(m.to_string());
        }
        None => eprintln!("collectguard: {m}"),
    };
    let fitted = params.fit(&tokenizer, &examples, files, &progress).map_err(|e| anyhow!(e))?;
    if let Some(p) = spinner {
        p.finish_and_clear();
    }
    let mut file = fitted.file;
    if let Some(test) = &a.test {
        let (ex, _) = read_labelled(test, None, "label", encoding)?;
        let classifier = Classifier::new(Model::from_file(file.clone())?);
        let m = eval::metrics(
            ex.par_iter().map(|e| (e.label, classifier.classify(&e.text).label)).collect::<Vec<_>>(),
        );
        eprintln!("collectguard: held-out {}:\n{}", input_name(test), m.report());
        let name = test.file_name().map_or(input_name(test), |f| f.to_string_lossy().into_owned());
        file.training.held_out =
            Some(HeldOut { name, rows: m.rows, accuracy: m.accuracy, macro_f1: m.macro_f1 });
    }
    let json = serde_json::to_string(&file)? + "\n";
    write_atomically(&a.out, json.as_bytes())?;
    eprintln!("collectguard: wrote {} ({} features)", a.out.display(), file.features.len());
    Ok(ExitCode::SUCCESS)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".collectguard-")
        .suffix(".partial")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    readable_by_all(&tmp)?;
    tmp.persist(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Temporary files are created private (0600); the finished file gets ordinary permissions.
fn readable_by_all(tmp: &tempfile::NamedTempFile) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}

fn evaluate(a: EvalArgs) -> Result<ExitCode> {
    let classifier = load_classifier(&a.common)?;
    let (examples, _) =
        read_labelled(&a.data, a.text_column.as_deref(), &a.label_column, a.common.encoding.into())?;
    let verdicts: Vec<Verdict> = classify_all(&examples, |e| classifier.classify(&e.text));
    let m = eval::metrics(examples.iter().zip(&verdicts).map(|(e, v)| (e.label, v.label)));
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(OUT_BUFFER, stdout.lock());
    match a.format {
        ReportFormat::Text => write!(out, "{}", m.report())?,
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?,
    }
    if a.show_errors {
        let mut w: Box<dyn Write> =
            if a.format == ReportFormat::Json { Box::new(io::stderr()) } else { Box::new(&mut out) };
        writeln!(w, "\nmisclassified:")?;
        for (i, (e, v)) in examples.iter().zip(&verdicts).enumerate() {
            if e.label != v.label {
                let cues = output::cues_field(&v.matches);
                writeln!(
                    w,
                    "row {}: {} -> {} {:.2} ({}) {}  [{}]",
                    i + 1,
                    e.label,
                    v.label,
                    v.confidence,
                    v.decided_by.as_str(),
                    e.text,
                    cues
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn explain_cmd(a: ExplainArgs) -> Result<ExitCode> {
    let classifier = load_classifier(&a.common)?;
    let text = match a.text.as_deref() {
        Some(t) if t != "-" => t.to_string(),
        _ => {
            let mut s = String::new();
            open_decoded(Path::new("-"), a.common.encoding.into())?.read_to_string(&mut s)?;
            s.trim_end_matches(['\n', '\r']).to_string()
        }
    };
    let ex = explain::explain(&classifier, &text);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(OUT_BUFFER, stdout.lock());
    if a.format == ReportFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&ex)?)?;
    } else {
        let v = &ex.verdict;
        writeln!(out, "{}  {:.4}  (decided by {})", v.label, v.confidence, v.decided_by.as_str())?;
        writeln!(
            out,
            "model scores: compliant {:.4}  threatening {:.4}  harassing {:.4}",
            v.model_scores[0], v.model_scores[1], v.model_scores[2]
        )?;
        writeln!(out, "\ncues:")?;
        if v.matches.is_empty() {
            writeln!(out, "  (none)")?;
        }
        for m in &v.matches {
            writeln!(
                out,
                "  {} {:<11} {:?} at {}..{}  (pattern {})",
                m.code,
                m.label.as_str(),
                m.span.text,
                m.span.start,
                m.span.end,
                m.pattern
            )?;
        }
        for s in &ex.suppressed {
            writeln!(
                out,
                "  suppressed ({:?}): {} {:?} at {}..{}",
                s.guard, s.cue.code, s.cue.span.text, s.cue.span.start, s.cue.span.end
            )?;
        }
        for l in Label::ALL {
            let i = l.index();
            let mut ev: Vec<_> = ex.evidence.iter().collect();
            ev.sort_by(|a, b| b.contributions[i].abs().total_cmp(&a.contributions[i].abs()));
            writeln!(out, "\nfeatures pushing {l} (weight x value, centred):")?;
            for e in ev.iter().take(a.top) {
                let spans: Vec<String> =
                    e.spans.iter().map(|s| format!("{:?}@{}..{}", s.text, s.start, s.end)).collect();
                writeln!(out, "  {:+.4}  {:<12} {}", e.contributions[i], e.feature, spans.join(" "))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
