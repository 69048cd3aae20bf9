use drugchatter_engine::retrieve::SearchResults;
use std::io::Write;

pub fn search_results(results: &SearchResults) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, results)?;
    writeln!(out)?;
    Ok(())
}
