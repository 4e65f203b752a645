//! Writing a file atomically: everything goes to a temporary file beside the target,
//! renamed over it only at the end, so an interrupted run never leaves a
//! complete-looking partial file. A symbolic link is followed (its target is written);
//! a device, FIFO or other non-regular file (`/dev/stdout`, `/dev/full`) is written
//! directly, since renaming over it would replace the node.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Output buffer: large enough that writing costs few system calls.
const BUFFER: usize = 1 << 16;

/// Errors writing a file atomically.
#[derive(Debug, thiserror::Error)]
pub enum AtomicError {
    /// No temporary file could be made in the target's directory.
    #[error("cannot create a temporary file in {}", dir.display())]
    Create {
        /// The target's directory.
        dir: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Writing or renaming into place failed.
    #[error("cannot write {}", path.display())]
    Write {
        /// The target.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// A file being written atomically; [`AtomicFile::commit`] puts it in place, dropping
/// it removes the temporary file.
pub struct AtomicFile {
    /// The temporary file, or None when writing directly to a non-regular file.
    tmp: Option<tempfile::NamedTempFile>,
    out: BufWriter<File>,
    path: PathBuf,
}

impl AtomicFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> Result<Self, AtomicError> {
        // Through a symbolic link to what it points at.
        let resolved = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)
                .map_err(|source| AtomicError::Write { path: path.to_path_buf(), source })?,
            _ => path.to_path_buf(),
        };
        let path = resolved.as_path();
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|source| AtomicError::Write { path: path.to_path_buf(), source })?;
            return Ok(AtomicFile {
                tmp: None,
                out: BufWriter::with_capacity(BUFFER, file),
                path: path.to_path_buf(),
            });
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let create = |source| AtomicError::Create { dir: dir.to_path_buf(), source };
        let tmp = tempfile::Builder::new()
            .prefix(".collectguard-")
            .suffix(".partial")
            .tempfile_in(dir)
            .map_err(create)?;
        // Temporary files are created private (0600); the finished file gets ordinary
        // permissions.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(create)?;
        }
        let out = BufWriter::with_capacity(BUFFER, tmp.reopen().map_err(create)?);
        Ok(AtomicFile { tmp: Some(tmp), out, path: path.to_path_buf() })
    }

    /// The target path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes what was written and renames the temporary file over the target.
    pub fn commit(mut self) -> Result<(), AtomicError> {
        let path = self.path.clone();
        let fail = |source| AtomicError::Write { path: path.clone(), source };
        self.out.flush().map_err(fail)?;
        drop(self.out);
        if let Some(tmp) = self.tmp {
            tmp.persist(&self.path).map_err(|e| fail(e.error))?;
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), AtomicError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|source| AtomicError::Write { path: path.to_path_buf(), source })?;
    file.commit()
}
