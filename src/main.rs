//! The collectguard command line: parses the arguments, runs the command and maps its
//! outcome to an exit code. The work is done by the library.

mod cli;
mod commands;
mod stats;

use clap::Parser;
use cli::{Cli, Command};
use std::io;
use std::process::ExitCode;

// Huge pages for jieba's dictionary table: see the module's docs.
#[global_allocator]
static ALLOC: collectguard::hugepages::HugePageAlloc = collectguard::hugepages::HugePageAlloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Classify(a) => commands::classify(a),
        Command::Score(a) => commands::score(a),
        Command::Filter(a) => commands::filter(a),
        Command::Train(a) => commands::train(a),
        Command::Eval(a) => commands::eval(a),
        Command::Explain(a) => commands::explain(a),
        Command::Lexicon(c) => commands::lexicon(c),
        Command::Config(c) => commands::config(c),
    };
    match outcome {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("collectguard: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// A closed stdout pipe (`| head -1`) ends any command quietly.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(
                |ce| matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe),
            )
    })
}
