//! Project settings: the lexicon, allow-list and cue-code options a team keeps in
//! `collectguard.toml` under version control, and the cue lexicon and allow list they
//! describe.
//!
//! ```toml
//! default_lexicon = true          # the built-in patterns (false: only the files below)
//! lexicon = ["cues/platform.tsv"] # extra patterns, as data/cues.tsv
//! allow = ["cues/allow.txt"]      # phrases that are never cues
//! ignore_codes = ["H5"]           # codes switched off
//! only_codes = ["T1", "T2"]       # if given, only these codes count
//! ```
//!
//! Paths are relative to the settings file. Command-line flags take precedence: see
//! [`Settings::apply`].

use crate::allow::{AllowErrors, AllowList};
use crate::cues::{CodeSet, CueCode, CueCodeError, LexiconErrors};
use crate::input::Encoding;
use crate::source::{self, Notify, SourceError};
use crate::{ClassifierBuilder, Lexicon};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The settings file looked for in the working directory.
pub const FILE_NAME: &str = "collectguard.toml";

/// Errors reading settings or the files they name.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The settings file could not be read.
    #[error("cannot read settings file {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The settings file is not valid TOML or has an unknown key or a wrong type.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong, with the line.
        message: String,
    },
    /// A code in the settings file is not a cue code.
    #[error("{path}: {error}")]
    Code {
        /// The file.
        path: String,
        /// The code.
        error: CueCodeError,
    },
    /// A lexicon or allow file could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Lines of the lexicon files are bad.
    #[error(transparent)]
    Lexicon(#[from] LexiconErrors),
    /// Lines of the allow files are bad.
    #[error(transparent)]
    Allow(#[from] AllowErrors),
}

/// The settings file as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    default_lexicon: Option<bool>,
    #[serde(default)]
    lexicon: Vec<PathBuf>,
    #[serde(default)]
    allow: Vec<PathBuf>,
    #[serde(default)]
    ignore_codes: Vec<String>,
    only_codes: Option<Vec<String>>,
}

/// The effective lexicon, allow-list and cue-code settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The settings file they were read from, if any.
    pub file: Option<PathBuf>,
    /// Whether the built-in lexicon is used.
    pub default_lexicon: bool,
    /// Extra lexicon files, in order.
    pub lexicon: Vec<PathBuf>,
    /// Allow files, in order.
    pub allow: Vec<PathBuf>,
    /// Codes switched off.
    pub ignore_codes: Vec<CueCode>,
    /// If set, the only codes that count (before `ignore_codes`).
    pub only_codes: Option<Vec<CueCode>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            file: None,
            default_lexicon: true,
            lexicon: Vec::new(),
            allow: Vec::new(),
            ignore_codes: Vec::new(),
            only_codes: None,
        }
    }
}

/// What the command line says, to be laid over a settings file by [`Settings::apply`].
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--no-default-lexicon`.
    pub no_default_lexicon: bool,
    /// `--lexicon`, added after the file's.
    pub lexicon: Vec<PathBuf>,
    /// `--allow`, added after the file's.
    pub allow: Vec<PathBuf>,
    /// `--ignore-code`, added to the file's.
    pub ignore_codes: Vec<CueCode>,
    /// `--only-codes`, replacing the file's.
    pub only_codes: Option<Vec<CueCode>>,
}

fn codes(path: &str, names: &[String]) -> Result<Vec<CueCode>, SettingsError> {
    names
        .iter()
        .map(|n| n.parse().map_err(|error| SettingsError::Code { path: path.to_string(), error }))
        .collect()
}

impl Settings {
    /// Reads a settings file; relative paths in it are taken from the file's folder.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| SettingsError::Read { path: shown.clone(), source })?;
        Self::parse(&text, path)
    }

    /// Parses the text of the settings file `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, SettingsError> {
        let shown = path.display().to_string();
        let file: File = toml::from_str(text)
            .map_err(|e| SettingsError::Parse { path: shown.clone(), message: e.to_string() })?;
        let base = path.parent().filter(|b| !b.as_os_str().is_empty() && *b != Path::new("."));
        let resolve = |paths: Vec<PathBuf>| {
            paths.into_iter().map(|p| base.map_or_else(|| p.clone(), |b| b.join(&p))).collect()
        };
        Ok(Settings {
            file: Some(path.to_path_buf()),
            default_lexicon: file.default_lexicon.unwrap_or(true),
            lexicon: resolve(file.lexicon),
            allow: resolve(file.allow),
            ignore_codes: codes(&shown, &file.ignore_codes)?,
            only_codes: file.only_codes.as_deref().map(|c| codes(&shown, c)).transpose()?,
        })
    }

    /// The settings file in `dir`, if there is one.
    pub fn find_in(dir: &Path) -> Option<PathBuf> {
        let path = if dir == Path::new(".") { PathBuf::from(FILE_NAME) } else { dir.join(FILE_NAME) };
        path.is_file().then_some(path)
    }

    /// Lays the command line over these settings: `--no-default-lexicon` and
    /// `--only-codes` replace the file's values; `--lexicon`, `--allow` and
    /// `--ignore-code` add to its lists.
    pub fn apply(mut self, o: Overrides) -> Self {
        self.default_lexicon &= !o.no_default_lexicon;
        self.lexicon.extend(o.lexicon);
        self.allow.extend(o.allow);
        for c in o.ignore_codes {
            if !self.ignore_codes.contains(&c) {
                self.ignore_codes.push(c);
            }
        }
        if o.only_codes.is_some() {
            self.only_codes = o.only_codes;
        }
        self
    }

    /// The codes that count.
    pub fn codes(&self) -> CodeSet {
        let only = self.only_codes.as_ref().map_or_else(CodeSet::all, |c| CodeSet::of(c.iter().copied()));
        self.ignore_codes.iter().fold(only, |set, &c| set.without(c))
    }

    /// Whether these are the defaults (nothing to load).
    pub fn is_default(&self) -> bool {
        Settings { file: self.file.clone(), ..Settings::default() } == *self
    }

    /// Reads the lexicon and allow files (in any encoding `source` detects); repeats and
    /// decoding notices go to `notify`.
    pub fn load_files(&self, notify: &Notify) -> Result<(Lexicon, AllowList), SettingsError> {
        let mut lexicon = Lexicon::builder();
        if self.default_lexicon {
            lexicon.builtin();
        }
        for path in &self.lexicon {
            let text = source::read_to_string(path, Encoding::Auto, notify)?;
            lexicon.add(&path.display().to_string(), &text);
        }
        let (lexicon, duplicates) = lexicon.build()?;
        let mut allow = AllowList::builder();
        for path in &self.allow {
            let text = source::read_to_string(path, Encoding::Auto, notify)?;
            allow.add(&path.display().to_string(), &text);
        }
        let (allow, allow_duplicates) = allow.build()?;
        for d in duplicates {
            notify(source::Notice::Warning { message: d.to_string() });
        }
        for d in allow_duplicates {
            notify(source::Notice::Warning { message: d.to_string() });
        }
        Ok((lexicon, allow))
    }

    /// `builder` with the lexicon, allow list and code switches these settings describe
    /// (the lexicon built now, not when the classifier is).
    pub fn configure(
        &self,
        builder: ClassifierBuilder,
        notify: &Notify,
    ) -> Result<ClassifierBuilder, SettingsError> {
        if self.is_default() {
            return Ok(builder.lexicon(Lexicon::embedded()));
        }
        let (lexicon, allow) = self.load_files(notify)?;
        Ok(builder.lexicon(lexicon).allow(allow).codes(self.codes()))
    }

    /// The settings as a settings file would hold them, with the file they came from.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        match &self.file {
            Some(f) => writeln!(out, "# from {} and the command line", f.display()),
            None => writeln!(out, "# no {FILE_NAME}: defaults and the command line"),
        }
        .expect("writing to a String");
        let list = |items: Vec<String>| {
            let quoted: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
            format!("[{}]", quoted.join(", "))
        };
        let paths = |ps: &[PathBuf]| list(ps.iter().map(|p| p.display().to_string()).collect());
        let code_list = |cs: &[CueCode]| list(cs.iter().map(|c| c.to_string()).collect());
        let _ = writeln!(out, "default_lexicon = {}", self.default_lexicon);
        let _ = writeln!(out, "lexicon = {}", paths(&self.lexicon));
        let _ = writeln!(out, "allow = {}", paths(&self.allow));
        let _ = writeln!(out, "ignore_codes = {}", code_list(&self.ignore_codes));
        match &self.only_codes {
            Some(c) => writeln!(out, "only_codes = {}", code_list(c)),
            None => writeln!(out, "# only_codes: not set (every code)"),
        }
        .expect("writing to a String");
        let _ = writeln!(
            out,
            "# codes in effect: {}",
            self.codes().codes().map(|c| c.as_str()).collect::<Vec<_>>().join(" ")
        );
        out
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_resolve_and_flags_take_precedence() {
        let text = "lexicon = [\"cues/a.tsv\"]\nallow = [\"allow.txt\"]\nignore_codes = [\"h5\"]\nonly_codes = [\"T1\", \"H5\", \"H1\"]\n";
        let s = Settings::parse(text, Path::new("team/collectguard.toml")).unwrap();
        assert_eq!(s.lexicon, [PathBuf::from("team/cues/a.tsv")]);
        assert_eq!(s.codes().codes().collect::<Vec<_>>(), [CueCode::T1, CueCode::H1]);
        let o = Overrides {
            no_default_lexicon: true,
            lexicon: vec!["b.tsv".into()],
            only_codes: Some(vec![CueCode::T2]),
            ..Overrides::default()
        };
        let s = s.apply(o);
        assert!(!s.default_lexicon);
        assert_eq!(s.lexicon.len(), 2);
        assert_eq!(s.codes().codes().collect::<Vec<_>>(), [CueCode::T2]);
        let back = toml::from_str::<File>(&s.to_toml()).unwrap();
        assert_eq!(back.only_codes, Some(vec!["T2".to_string()]));
    }

    #[test]
    fn unknown_keys_and_codes_are_errors() {
        let e = Settings::parse("lexicons = []\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(e.contains("c.toml") && e.contains("lexicons"), "{e}");
        let e = Settings::parse("ignore_codes = [\"T9\"]\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(e.contains("T9"), "{e}");
        assert!(Settings::parse("", Path::new("c.toml")).unwrap().codes().is_all());
    }
}
