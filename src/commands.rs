//! One function per command, each a short sequence of library calls.

use crate::cli::{
    ClassifyArgs, ColorChoice, Common, ConfigCommand, CueArgs, EvalArgs, ExplainArgs, FilterArgs,
    InputFormat, LexiconCommand, ScoreArgs, TrainArgs, UnitArgs,
};
use crate::stats::Stats;
use anyhow::{Context, Result, bail};
use collectguard::atomic::{self, AtomicFile};
use collectguard::batch::{classify_all, encode_lines, for_each_line};
use collectguard::encode::{EncodingWriter, OutputEncoding};
use collectguard::input::Encoding;
use collectguard::input::Lines;
use collectguard::model::HeldOut;
use collectguard::output::{Format, Printer, Sink};
use collectguard::records::RecordScorer;
use collectguard::score::{ScoreFormat, ScoreOptions, Scorer};
use collectguard::source::{self, Notify, Opened};
use collectguard::table::read_labelled;
use collectguard::workbook;
use collectguard::{Classifier, Label, Model, eval, explain};
use std::io::{self, BufWriter, IsTerminal, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Output buffer: large enough that writing costs few system calls per batch.
const OUT_BUFFER: usize = 1 << 16;

fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::with_capacity(OUT_BUFFER, io::stdout().lock())
}

/// Notices about inputs go to stderr.
fn notices() -> Notify {
    Arc::new(|n| eprintln!("collectguard: {n}"))
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

fn load_classifier(common: &Common, cues: &CueArgs, units: &UnitArgs) -> Result<Classifier> {
    set_threads(common)?;
    // The dictionary load is most of start-up: it runs beside reading the model and the
    // settings, and is waited for only when the classifier is put together.
    std::thread::scope(|scope| {
        let tokenizer = scope.spawn(collectguard::tokenize::Tokenizer::new);
        let settings = cues.settings()?;
        let model = match &common.model {
            Some(p) => Model::load(p)?,
            None => Model::from_json(collectguard::DEFAULT_MODEL).context("embedded default model")?,
        };
        let builder = settings.configure(Classifier::builder(model).units(units.options()), &notices())?;
        let tokenizer = tokenizer.join().expect("loading the dictionary does not panic");
        Ok(builder.tokenizer(tokenizer).build()?)
    })
}

fn inputs(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() { vec![PathBuf::from("-")] } else { files.to_vec() }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Classifies every line of `files` (or every file, with `whole_file`) into `printer`;
/// `select` decides which verdicts are printed. Returns how many messages there were,
/// and how many were printed.
fn print_verdicts<W: Write>(
    common: &Common,
    classifier: &Classifier,
    files: &[PathBuf],
    whole_file: bool,
    printer: &mut Printer<W>,
    select: impl Fn(&collectguard::Verdict) -> bool + Sync,
) -> Result<(u64, u64)> {
    let notify = notices();
    let (mut messages, mut selected) = (0u64, 0u64);
    for path in inputs(files) {
        let name = source::name(&path);
        if whole_file {
            let text = source::read_to_string(&path, common.encoding(), &notify)?;
            let v = classifier.classify(&text);
            messages += 1;
            if select(&v) {
                selected += 1;
                printer.verdict(&name, 1, &text, &v)?;
            }
            continue;
        }
        let mut lines = Lines::new(source::open(&path, common.encoding(), &notify)?);
        match printer.encoder() {
            // Output made on the worker threads: this one only reads and writes.
            Some(encoder) => {
                let encode = |line, text: &str, v: &collectguard::Verdict, out: &mut Vec<u8>| {
                    let hit = select(v);
                    if hit {
                        encoder.encode(&name, line, text, v, out);
                    }
                    hit
                };
                encode_lines(classifier, &mut lines, &name, encode, |piece| -> Result<()> {
                    messages += piece.lines;
                    selected += piece.selected;
                    printer.encoded(&piece.bytes, piece.selected)?;
                    Ok(())
                })?;
            }
            None => for_each_line(classifier, &mut lines, &name, |line, text, v| -> Result<()> {
                messages += 1;
                if select(v) {
                    selected += 1;
                    printer.verdict(&name, line, text, v)?;
                }
                Ok(())
            })?,
        }
    }
    printer.finish()?;
    Ok((messages, selected))
}

pub fn classify(a: ClassifyArgs) -> Result<ExitCode> {
    if a.input_format == InputFormat::Jsonl {
        return classify_records(a);
    }
    if a.line_buffered {
        bail!("--line-buffered needs --input-format jsonl");
    }
    let mut stats = Stats::start();
    let classifier = load_classifier(&a.common, &a.cues, &a.units)?;
    stats.ready();
    if a.output_encoding.is_some() && a.format != Format::Csv {
        bail!("--output-encoding applies to --format csv only");
    }
    let encoding = a.output_encoding.map_or(OutputEncoding::Utf8, |e| e.encoding());
    let out = EncodingWriter::new(stdout(), encoding);
    let mut printer = Printer::new(a.format, out, use_color(a.color))?;
    let (messages, printed) =
        print_verdicts(&a.common, &classifier, &a.files, a.whole_file, &mut printer, |_| true)?;
    if a.stats {
        eprintln!("collectguard: {}", stats.report(messages, printed));
    }
    Ok(ExitCode::SUCCESS)
}

/// `classify --input-format jsonl`: records in, records out.
fn classify_records(a: ClassifyArgs) -> Result<ExitCode> {
    if a.whole_file {
        bail!("--whole-file does not apply to --input-format jsonl");
    }
    if a.stats {
        bail!("--stats applies to text input (one message per line), not to --input-format jsonl");
    }
    let classifier = load_classifier(&a.common, &a.cues, &a.units)?;
    let notify = notices();
    let rules = a.rules.rule_set()?;
    // JSON text is UTF-8; reading it as such also starts at once on a pipe (no sniffing).
    let encoding = match a.common.encoding() {
        Encoding::Auto => Encoding::Utf8,
        other => other,
    };
    let mut out = stdout();
    for path in inputs(&a.files) {
        let name = source::name(&path);
        let mut scorer = RecordScorer::new(&classifier, rules.clone(), a.fields.fields(), &name, &notify);
        let mut lines = Lines::new(source::open(&path, encoding, &notify)?);
        scorer.run(&mut lines, &mut out, a.line_buffered)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn filter(a: FilterArgs) -> Result<ExitCode> {
    let mut stats = Stats::start();
    let classifier = load_classifier(&a.common, &a.cues, &a.units)?;
    stats.ready();
    if !(0.0..=1.0).contains(&a.min_confidence) {
        bail!("--min-confidence must be between 0 and 1");
    }
    let labels = if a.labels.is_empty() { vec![Label::Threatening, Label::Harassing] } else { a.labels };
    let mut printer = match (a.count, a.format) {
        (true, _) => Printer::count(stdout()),
        (false, Format::Jsonl) => Printer::new(Format::Jsonl, stdout(), false)?,
        (false, _) => Printer::lines(stdout()),
    };
    let (messages, selected) =
        print_verdicts(&a.common, &classifier, &a.files, a.whole_file, &mut printer, |v| {
            let hit = labels.contains(&v.label) && v.confidence >= a.min_confidence;
            hit != a.invert_match
        })?;
    if a.stats {
        eprintln!("collectguard: {}", stats.report(messages, selected));
    }
    Ok(if selected > 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub fn score(a: ScoreArgs) -> Result<ExitCode> {
    let input = source::name(&a.input);
    if a.output.as_ref().is_some_and(|out| input != "-" && same_file(&a.input, out)) {
        bail!("refusing to overwrite the input {input} with the output");
    }
    let to_workbook = output_kind(&a)?;
    let classifier = load_classifier(&a.common, &a.cues, &a.units)?;
    let notify = notices();
    let opened = source::open_table(&a.input, a.common.encoding(), &notify)?;
    let summary = a.summary || a.summary_file.is_some();
    let mut columns = a.columns.columns();
    columns.collector = a.collector_column.clone();
    let options = ScoreOptions {
        text_column: a.text_column.clone(),
        flexible: a.flexible,
        delimiter: a.delimiter,
        rules: a.rules.rule_set()?,
        columns,
        by_collector: summary,
        format: match (to_workbook, a.format) {
            (true, _) => ScoreFormat::Xlsx,
            (false, Format::Jsonl) => ScoreFormat::Jsonl,
            (false, _) => ScoreFormat::Csv,
        },
    };
    match opened {
        Opened::Text(reader) => {
            if a.sheet.is_some() {
                bail!("--sheet applies to workbooks; {input} is read as text");
            }
            let encoding = output_encoding(&a, to_workbook, &reader.encoding_name(), reader.had_bom());
            let Some(mut scorer) = Scorer::new(&classifier, reader, &input, &options, &notify)? else {
                return Ok(ExitCode::SUCCESS);
            };
            if scorer.counts_contacts() {
                // The counting rules see every call first; the second pass reads the input
                // again (standard input from a temporary copy), with its notices already told.
                let quiet = source::ignore();
                let again = if input == "-" {
                    let mut spool =
                        tempfile::tempfile().context("cannot make a temporary file for standard input")?;
                    let mut w = BufWriter::new(&mut spool);
                    let calls = scorer.log_contacts(Some(&mut w))?;
                    w.flush()?;
                    drop(w);
                    spool.seek(io::SeekFrom::Start(0))?;
                    eprintln!("collectguard: {input}: {calls} calls counted for the counting rules");
                    let spool = Box::new(spool) as Box<dyn io::Read + Send>;
                    source::decode(spool, Encoding::Utf8, &input, &quiet)?
                } else {
                    let calls = scorer.log_contacts(None)?;
                    eprintln!("collectguard: {input}: {calls} calls counted for the counting rules");
                    source::open(&a.input, a.common.encoding(), &quiet)?
                };
                scorer = scorer.reread(again)?;
            }
            write_scored(&a, scorer, encoding, summary)
        }
        Opened::Workbook(bytes) => {
            if a.delimiter.is_some() {
                bail!("--delimiter applies to CSV input; {input} is a workbook");
            }
            let sheet = workbook::read(bytes, &input, a.sheet.as_deref(), &notify)?;
            // A CSV made from a workbook goes back to Excel: UTF-8 with a BOM, which it
            // opens as UTF-8. JSON Lines never has a BOM.
            let encoding = match a.output_encoding {
                Some(e) => e.encoding(),
                None if to_workbook || a.format == Format::Jsonl => OutputEncoding::Utf8,
                None => {
                    eprintln!(
                        "collectguard: writing utf8-bom from a workbook, so that Excel opens the CSV as UTF-8; --output-encoding chooses"
                    );
                    OutputEncoding::Utf8Bom
                }
            };
            let Some(mut scorer) = Scorer::from_table(&classifier, sheet.table(), &options, &notify)? else {
                return Ok(ExitCode::SUCCESS);
            };
            if scorer.counts_contacts() {
                let calls = scorer.log_contacts(None)?;
                eprintln!("collectguard: {input}: {calls} calls counted for the counting rules");
                scorer = scorer.reread_table(sheet.table());
            }
            write_scored(&a, scorer, encoding, summary)
        }
    }
}

/// Whether `-o` names a workbook (`.xlsx`); other workbook names are refused, and so are
/// options that apply to text output only.
fn output_kind(a: &ScoreArgs) -> Result<bool> {
    let Some(ext) = a.output.as_ref().and_then(|p| p.extension()).map(|e| e.to_string_lossy().to_lowercase())
    else {
        return Ok(false);
    };
    match ext.as_str() {
        "xlsx" if a.format == Format::Jsonl => {
            bail!("an .xlsx output is a workbook; --format jsonl writes JSON Lines to other names")
        }
        "xlsx" if a.output_encoding.is_some() => {
            bail!("--output-encoding applies to CSV output, not to a workbook")
        }
        "xlsx" => Ok(true),
        "xls" | "xlsm" | "xlsb" | "ods" => {
            bail!("score writes workbooks as .xlsx only; name the output .xlsx (or .csv for CSV)")
        }
        _ => Ok(false),
    }
}

/// Writes the scored rows to `-o` (atomically) or to stdout, then the summary.
fn write_scored<R: io::Read>(
    a: &ScoreArgs,
    scorer: Scorer<'_, R>,
    encoding: OutputEncoding,
    summary: bool,
) -> Result<ExitCode> {
    let progress = progress_bar("{spinner} {pos} rows ({per_sec}) {elapsed}");
    let mut tick = |rows| progress.iter().for_each(|p| p.set_position(rows));
    let scored = match &a.output {
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            let scored = scorer.write_to(EncodingWriter::new(&mut file, encoding), &mut tick)?;
            progress.iter().for_each(|p| p.finish_and_clear());
            file.commit()?;
            eprintln!("collectguard: scored {} rows into {}", scored.all.rows, path.display());
            scored
        }
        None => {
            let scored = scorer.write_to(EncodingWriter::new(stdout(), encoding), &mut tick)?;
            progress.iter().for_each(|p| p.finish_and_clear());
            scored
        }
    };
    if summary {
        let text = match a.summary_format {
            Format::Json => serde_json::to_string_pretty(&scored)? + "\n",
            _ => scored.to_string(),
        };
        match &a.summary_file {
            Some(path) => atomic::write(path, text.as_bytes())?,
            None => eprint!("{text}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--output-encoding`, or the encoding that writes the way the input was read (told on
/// stderr when it is not plain UTF-8); none for a workbook written.
fn output_encoding(a: &ScoreArgs, to_workbook: bool, read_as: &str, bom: bool) -> OutputEncoding {
    if let Some(e) = a.output_encoding {
        return e.encoding();
    }
    if to_workbook {
        return OutputEncoding::Utf8;
    }
    let e = OutputEncoding::like_input(read_as, bom);
    if e != OutputEncoding::Utf8 {
        let why = if bom { " with a BOM" } else { "" };
        eprintln!(
            "collectguard: writing {} as the input was read ({read_as}{why}); --output-encoding chooses",
            e.as_str(),
        );
    }
    e
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A spinner on stderr, only when stderr is a terminal.
fn progress_bar(template: &str) -> Option<indicatif::ProgressBar> {
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

pub fn train(a: TrainArgs) -> Result<ExitCode> {
    let params = a.params().check()?;
    if a.common.model.is_some() {
        bail!(
            "train makes a model and reads none: --model does not apply here (the new model goes to --out)"
        );
    }
    for input in a.data.iter().chain(&a.test) {
        if same_file(input, &a.out) {
            bail!("refusing to overwrite the training or test data {} with the model", input.display());
        }
    }
    set_threads(&a.common)?;
    let notify = notices();
    let read = |path: &Path| {
        let (text, label, enc) = (a.text_column.as_deref(), &a.label_column, a.common.encoding());
        read_labelled(path, text, label, None, enc, a.delimiter, &notify)
    };
    // jieba's dictionary loads while the data is read.
    let tokenizer = std::thread::spawn(collectguard::tokenize::Tokenizer::new);
    let (mut examples, mut files) = (Vec::new(), Vec::new());
    for path in &a.data {
        let labelled = read(path)?;
        eprintln!("collectguard: {}: {} labelled messages", source::name(path), labelled.examples.len());
        examples.extend(labelled.examples);
        files.push(labelled.data);
    }
    let tokenizer = tokenizer.join().map_err(|_| anyhow::anyhow!("loading the jieba dictionary failed"))?;
    // On a terminal a spinner shows the current stage and the time spent; each finished
    // stage stays printed above it. Elsewhere the stages are plain lines.
    let spinner = progress_bar("{spinner} {msg} {elapsed}");
    let progress = |m: &str| match &spinner {
        Some(p) => {
            p.println(format!("collectguard: {m}"));
            p.set_message(m.to_string());
        }
        None => eprintln!("collectguard: {m}"),
    };
    let fitted = params.fit(&tokenizer, &examples, files, &progress)?;
    spinner.iter().for_each(|p| p.finish_and_clear());
    let mut file = fitted.file;
    if let Some(test) = &a.test {
        let held_out = read(test)?;
        let classifier = Classifier::builder(Model::from_file(file.clone())?).tokenizer(tokenizer).build()?;
        let verdicts = classify_all(&held_out.examples, |e| classifier.classify(&e.text));
        let m = eval::metrics(held_out.examples.iter().zip(&verdicts).map(|(e, v)| (e.label, v.label)));
        eprintln!("collectguard: held-out {}:\n{}", source::name(test), m.report());
        let name = held_out.data.name;
        file.training.held_out =
            Some(HeldOut { name, rows: m.rows, accuracy: m.accuracy, macro_f1: m.macro_f1 });
    }
    let json = serde_json::to_string(&file)? + "\n";
    atomic::write(&a.out, json.as_bytes())?;
    eprintln!("collectguard: wrote {} ({} features)", a.out.display(), file.features.len());
    Ok(ExitCode::SUCCESS)
}

pub fn eval(a: EvalArgs) -> Result<ExitCode> {
    let classifier = load_classifier(&a.common, &a.cues, &a.units)?;
    let labelled = read_labelled(
        &a.data,
        a.text_column.as_deref(),
        &a.label_column,
        a.by.as_deref(),
        a.common.encoding(),
        a.delimiter,
        &notices(),
    )?;
    let examples = labelled.examples;
    let verdicts = classify_all(&examples, |e| classifier.classify(&e.text));
    let mut m = eval::evaluate(&examples, &verdicts, labelled.groups.as_deref());
    let mut out = stdout();
    if a.format == Format::Json {
        if a.show_errors {
            m.errors = Some(eval::misclassified(&examples, &verdicts));
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?;
    } else {
        write!(out, "{}", m.report())?;
        if a.show_errors {
            eval::write_misclassified(&mut out, &examples, &verdicts)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain(a: ExplainArgs) -> Result<ExitCode> {
    let classifier = load_classifier(&a.common, &a.cues, &a.units)?;
    let text = match a.text.as_deref() {
        Some(t) if t != "-" => t.to_string(),
        _ => source::read_to_string(Path::new("-"), a.common.encoding(), &notices())?
            .trim_end_matches(['\n', '\r'])
            .to_string(),
    };
    let ex = explain::explain(&classifier, &text);
    let mut out = stdout();
    match a.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&ex)?)?,
        _ => ex.write_text(&mut out, a.top)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn lexicon(c: LexiconCommand) -> Result<ExitCode> {
    let mut out = stdout();
    match c {
        LexiconCommand::Show => out.write_all(collectguard::cues::LEXICON.as_bytes())?,
        LexiconCommand::Check(a) => {
            let notify = notices();
            let mut builder = collectguard::Lexicon::builder();
            if !a.no_default_lexicon {
                builder.builtin();
            }
            let mut names = Vec::new();
            for path in &a.files {
                let text = source::read_to_string(path, collectguard::input::Encoding::Auto, &notify)?;
                let name = path.display().to_string();
                builder.add(&name, &text);
                names.push(name);
            }
            collectguard::cues::check::check(&builder, &names).write_text(&mut out)?;
            out.flush()?;
            builder.build()?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn config(c: ConfigCommand) -> Result<ExitCode> {
    let ConfigCommand::Show(a) = c;
    let settings = a.cues.settings()?;
    // The files must load as they would for a command.
    settings.load_files(&notices())?;
    let mut out = stdout();
    out.write_all(settings.to_toml().as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
