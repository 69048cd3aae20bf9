//! The TypeScript declarations of everything the UI receives from the shell or sends to it,
//! generated from the Rust types by ts-rs. The UI's copy is `ui/src/bindings.ts`;
//! `tests/bindings.rs` fails when it differs from what the types generate now, and
//! [`REGENERATE`] rewrites it.
//!
//! The types derive `ts_rs::TS` (the engine's and the monograph crate's behind their `ts`
//! feature, which this crate turns on), and ts-rs reads their serde attributes, so the
//! declarations describe the JSON serde writes. Where it cannot know, a `#[ts(..)]`
//! attribute says: `Passage.label` is omitted rather than null, `BuildReport.elapsed` is
//! serde's `{ secs, nanos }`. ts-rs prints "failed to parse serde attribute" at build time
//! for one it ignores: `deny_unknown_fields` (on `ModelChoice` and the requests) only refuses input and is
//! harmless; any other means the declaration may not match the JSON.

use crate::commands::AskEvent;
use crate::error::AppError;
use crate::export::ExportKind;
use crate::history::HistoryView;
use crate::settings::{Settings, SettingsRequest};
use crate::state::Status;
use drugchatter_engine::{
    Answer, ClassPage, ClassSummary, DrugSummary, ImportReport, LibraryInfo, MonographView, Passage, SearchResults,
};
use std::any::TypeId;
use std::collections::BTreeMap;
use ts_rs::{Config, TypeVisitor, TS};

/// The command that rewrites `ui/src/bindings.ts` from the Rust types.
pub const REGENERATE: &str = "UPDATE_BINDINGS=1 cargo test -p drugchatter-app --test bindings";

/// `ui/src/bindings.ts`: every type reachable from what the commands take and return, the
/// channels send and the commands fail with, one declaration each, sorted by name.
pub fn typescript() -> String {
    // Counts (`u64` progress) fit a double; the UI wants `number`, not `bigint`.
    let config = Config::new().with_large_int("number");
    let mut declarations = Declarations { config: &config, found: BTreeMap::new() };
    // Command results and arguments (commands.rs).
    declarations.visit::<Answer>();
    declarations.visit::<SearchResults>();
    declarations.visit::<DrugSummary>();
    declarations.visit::<MonographView>();
    declarations.visit::<ClassSummary>();
    declarations.visit::<ClassPage>();
    declarations.visit::<LibraryInfo>();
    declarations.visit::<Settings>();
    declarations.visit::<SettingsRequest>();
    declarations.visit::<ImportReport>();
    declarations.visit::<HistoryView>();
    declarations.visit::<ExportKind>();
    // What the channels send, and what every command fails with.
    declarations.visit::<Status>();
    declarations.visit::<AskEvent>();
    declarations.visit::<AppError>();
    // The fields `Source` and `Hit` share (serde flattens it into both).
    declarations.visit::<Passage>();

    let mut out = format!(
        "// Generated from the Rust types by ts-rs (src-tauri/src/bindings.rs). Do not edit:\n\
         // change the Rust types, then run\n//   {REGENERATE}\n"
    );
    for (_, declaration) in declarations.found.values() {
        out.push('\n');
        out.push_str(declaration);
        out.push('\n');
    }
    out
}

/// Collects the declaration of each type visited and of the types its fields use.
struct Declarations<'a> {
    config: &'a Config,
    /// TypeScript name → (Rust type, `export type …`).
    found: BTreeMap<String, (TypeId, String)>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Only derived types have a declaration; primitives and containers are inlined.
        if T::output_path().is_none() {
            return;
        }
        let name = T::ident(self.config);
        if let Some((id, _)) = self.found.get(&name) {
            assert!(
                *id == TypeId::of::<T>(),
                "two Rust types are both `{name}` in TypeScript: rename one with #[ts(rename)]"
            );
            return;
        }
        let declaration = format!("{}export {}", T::docs().unwrap_or_default(), layout(&T::decl(self.config)));
        self.found.insert(name, (TypeId::of::<T>(), declaration));
        T::visit_dependencies(self);
    }
}

/// Lays out a declaration, which ts-rs writes on one line with the fields' doc comments
/// inline, for reading: an object type's fields one per line, a long union's members one
/// per line. Anything else is left as it is.
fn layout(declaration: &str) -> String {
    let Some((name, body)) = declaration.strip_suffix(';').and_then(|d| d.split_once(" = ")) else {
        return declaration.to_string();
    };
    let members = split_outside(body, '|');
    if members.len() > 1 {
        if declaration.len() <= 100 {
            return declaration.to_string();
        }
        let lines: String = members.iter().map(|m| format!("\n  | {}", m.trim())).collect();
        return format!("{name} ={lines};");
    }
    let Some(fields) = body.strip_prefix('{').and_then(|b| b.strip_suffix('}')) else {
        return declaration.to_string();
    };
    if split_outside(body, '&').len() > 1 {
        return declaration.to_string();
    }
    let mut out = format!("{name} = {{");
    for field in split_outside(fields, ',').iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
        for line in field.lines() {
            out.push_str("\n  ");
            out.push_str(line.trim_end());
        }
        out.push(',');
    }
    out.push_str("\n};");
    out
}

/// Splits `text` at each `separator` outside brackets, string literals and comments.
fn split_outside(text: &str, separator: char) -> Vec<&str> {
    let (mut parts, mut start, mut depth) = (Vec::new(), 0, 0i32);
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if in_comment {
            in_comment = !(c == '*' && chars.peek().is_some_and(|&(_, n)| n == '/'));
        } else {
            match c {
                '"' => in_string = true,
                '/' if chars.peek().is_some_and(|&(_, n)| n == '*') => in_comment = true,
                '{' | '[' | '(' | '<' => depth += 1,
                '}' | ']' | ')' | '>' => depth -= 1,
                _ if c == separator && depth == 0 => {
                    parts.push(&text[start..i]);
                    start = i + c.len_utf8();
                }
                _ => {}
            }
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::layout;

    #[test]
    fn objects_get_a_field_a_line_and_long_unions_a_member_a_line() {
        let object = "type A = { /**\n * Docs, with a comma { and a brace\n */\na: string | null, b: { c: number, d: number }, e: \"x,y\", };";
        assert_eq!(
            layout(object),
            "type A = {\n  /**\n   * Docs, with a comma { and a brace\n   */\n  a: string | null,\n  b: { c: number, d: number },\n  e: \"x,y\",\n};"
        );
        let union = format!("type U = {};", ["\"first_kind\""; 8].join(" | "));
        assert_eq!(layout(&union), format!("type U ={};", "\n  | \"first_kind\"".repeat(8)));
        for unchanged in [
            "type S = \"a\" | \"b\";",
            "type T = { \"event\": \"started\" } | { \"event\": \"draft\", text: string, };",
        ] {
            assert_eq!(layout(unchanged), unchanged);
        }
    }
}
