//! The label store. Labels are kept on disk, one file per set id written atomically and
//! named with its version, so an interrupted import loses nothing it stored and the next
//! run knows from the folder listing alone what is there.

use super::label::Label;
use super::{is_set_id, iso_date};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub(super) enum Stored {
    Added,
    Updated,
    Unchanged,
    Older,
}

/// The library's labels on disk, one file per set id, named with its version so the
/// folder listing alone says what is there.
pub(super) struct LabelStore {
    pub(super) dir: PathBuf,
    /// set id → (version, effective date, file name)
    pub(super) kept: HashMap<String, (u32, String, String)>,
}

impl LabelStore {
    pub(super) fn open(dir: &Path) -> Result<LabelStore> {
        let mut kept: HashMap<String, (u32, String, String)> = HashMap::new();
        let mut stale = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(Error::io(dir))?.filter_map(|e| e.ok()) {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some((set_id, version, date)) = parse_label_file_name(&file) else { continue };
            match kept.get(&set_id) {
                Some((v, d, _)) if (*v, d.as_str()) >= (version, date.as_str()) => stale.push(file),
                _ => {
                    if let Some((_, _, old)) = kept.insert(set_id, (version, date, file)) {
                        stale.push(old);
                    }
                }
            }
        }
        // A crash between writing a newer version and removing the older leaves both.
        for file in stale {
            let _ = std::fs::remove_file(dir.join(file));
        }
        Ok(LabelStore { dir: dir.to_path_buf(), kept })
    }

    pub(super) fn put(&mut self, label: &Label) -> Result<Stored> {
        // The same set id: the higher version is the newer label.
        let new_key = (label.version, label.effective_date.as_str());
        let outcome = match self.kept.get(&label.set_id) {
            None => Stored::Added,
            Some((v, d, _)) => match new_key.cmp(&(*v, d.as_str())) {
                std::cmp::Ordering::Greater => Stored::Updated,
                std::cmp::Ordering::Equal => return Ok(Stored::Unchanged),
                std::cmp::Ordering::Less => return Ok(Stored::Older),
            },
        };
        let file = format!("{}@{}@{}.json", label.set_id, label.version, label.effective_date.replace('-', ""));
        let json = serde_json::to_vec(label).expect("labels serialise");
        crate::atomic::write(&self.dir.join(&file), &json)?;
        if let Some((_, _, old)) =
            self.kept.insert(label.set_id.clone(), (label.version, label.effective_date.clone(), file))
        {
            let _ = std::fs::remove_file(self.dir.join(old));
        }
        Ok(outcome)
    }

    /// Drops a stored label that cannot be read, file and entry.
    pub(super) fn forget(&mut self, file: &str) {
        let _ = std::fs::remove_file(self.dir.join(file));
        self.kept.retain(|_, (_, _, f)| f != file);
    }

    pub(super) fn read(&self, file: &str) -> Result<Label> {
        let path = self.dir.join(file);
        let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Import { path, reason: format!("damaged stored label: {e}") })
    }
}

/// `label` put in the store at `dir`, then read back as the next import finds it: from a
/// store opened afresh, which knows the label from the folder listing alone. The label
/// store fuzz target's round trip.
pub fn round_trip(dir: &Path, label: &Label) -> Result<Label> {
    LabelStore::open(dir)?.put(label)?;
    let store = LabelStore::open(dir)?;
    let Some((version, date, file)) = store.kept.get(&label.set_id) else {
        return Err(Error::Import { path: dir.to_path_buf(), reason: format!("label {} not found", label.set_id) });
    };
    if (*version, date) != (label.version, &label.effective_date) {
        return Err(Error::Import {
            path: dir.join(file),
            reason: format!(
                "listed as version {version} of {date:?}, stored as {} of {:?}",
                label.version, label.effective_date
            ),
        });
    }
    store.read(file)
}

/// `<set id>@<version>@<yyyymmdd>.json`
fn parse_label_file_name(file: &str) -> Option<(String, u32, String)> {
    let stem = file.strip_suffix(".json")?;
    let mut parts = stem.split('@');
    let (set_id, version, date) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
    if !is_set_id(set_id) || parts.next().is_some() {
        return None;
    }
    let date = if date.is_empty() { String::new() } else { iso_date(date) };
    Some((set_id.to_string(), version.parse().ok()?, date))
}
