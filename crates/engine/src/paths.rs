//! Where the engine keeps things: the data directory (indexes), the models directory and
//! the bundled corpus. Every location can be overridden, which tests rely on.

use std::path::{Path, PathBuf};

/// Environment variables that override the defaults, for tests and packaging.
pub const DATA_DIR_ENV: &str = "DRUGCHATTER_DATA_DIR";
pub const MODELS_DIR_ENV: &str = "DRUGCHATTER_MODELS_DIR";
pub const CORPUS_DIR_ENV: &str = "DRUGCHATTER_CORPUS_DIR";

#[derive(Debug, Clone)]
pub struct Paths {
    /// Indexes and other state (platform data directory by default).
    pub data_dir: PathBuf,
    /// Holds `manifest.json` and one folder per model.
    pub models_dir: PathBuf,
    /// The bundled monographs.
    pub corpus_dir: PathBuf,
}

impl Paths {
    /// Defaults: the environment overrides, else `./models` and `./corpus` when run from a
    /// checkout, else the folders beside the executable, and the platform data directory.
    pub fn discover() -> Paths {
        let data_dir = std::env::var_os(DATA_DIR_ENV).map(PathBuf::from).unwrap_or_else(platform_data_dir);
        let models_dir =
            std::env::var_os(MODELS_DIR_ENV).map(PathBuf::from).unwrap_or_else(|| nearby("models", "manifest.json"));
        let corpus_dir =
            std::env::var_os(CORPUS_DIR_ENV).map(PathBuf::from).unwrap_or_else(|| nearby("corpus", "imiquimod.md"));
        Paths { data_dir, models_dir, corpus_dir }
    }

    /// Where the index of one library (`bundled`, or an imported one) lives.
    pub fn index_dir(&self, library: &str) -> PathBuf {
        self.data_dir.join("index").join(library)
    }
}

fn platform_data_dir() -> PathBuf {
    directories::ProjectDirs::from("org", "DrugChatter", "drugchatter")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".drugchatter"))
}

/// `./name` if it holds `marker`, else `name` beside the executable or in an ancestor of it
/// (a checkout's `target/release/drugchatter` finds the checkout's folder), else `./name`.
fn nearby(name: &str, marker: &str) -> PathBuf {
    let here = PathBuf::from(name);
    if here.join(marker).exists() {
        return here;
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            let candidate = dir.join(name);
            if candidate.join(marker).exists() {
                return candidate;
            }
        }
    }
    here
}

/// A path relative to `base` when it is inside it, for display and stable keys.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}
