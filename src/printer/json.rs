use serde::Serialize;
use std::io::Write;

/// Any result object (search results, an answer) as pretty JSON on stdout.
pub fn print<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
