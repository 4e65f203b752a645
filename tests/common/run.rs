//! Running the built binary with given arguments and standard input.

use assert_cmd::Command;

/// What a run gave: the exit code and both outputs.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs `collectguard ARGS` with `stdin`; a panic message on stderr fails the test.
pub fn run(args: &[&str], stdin: Vec<u8>) -> Run {
    let out = Command::cargo_bin("collectguard").unwrap().args(args).write_stdin(stdin).output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}
