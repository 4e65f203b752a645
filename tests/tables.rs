//! CSV tables through the built binary: row errors naming the right line, delimiters,
//! `--flexible`, and the encoding `score` writes.

use assert_cmd::Command;

struct Run {
    code: i32,
    stderr: String,
}

fn run(args: &[&str], stdin: Vec<u8>) -> Run {
    let out = Command::cargo_bin("collectguard").unwrap().args(args).write_stdin(stdin).output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

#[test]
fn row_errors_name_the_line_the_row_starts_on_in_lf_crlf_and_cr_files() {
    // Row 2 starts on line 3, or on line 4 after a quoted cell with a line break.
    for (body, line) in [
        ("id,text\n1,ok\n2,bad,x\n", 3),
        ("id,text\r\n1,ok\r\n2,bad,x\r\n", 3),
        ("id,text\r1,ok\r2,bad,x\r", 3),
        ("id,text\r\n1,\"a\r\nb\"\r\n2,bad,x\r\n", 4),
    ] {
        for args in [&["score", "-"][..], &["eval", "--data", "-"][..]] {
            // eval reads the same rows as text,label.
            let body = if args[0] == "eval" {
                body.replace("id,text", "text,label")
                    .replace("1,ok", "ok,compliant")
                    .replace("2,bad,x", "bad,compliant,x")
                    .replace("1,\"a\r\nb\"", "\"a\r\nb\",compliant")
            } else {
                body.to_string()
            };
            let r = run(args, body.clone().into_bytes());
            assert_eq!(r.code, 2, "{body:?}");
            let want = format!("row 2 (line {line})");
            assert!(r.stderr.contains(&want), "{args:?} {body:?}: {}", r.stderr);
        }
    }
}
