//! The engine and the program document are pure: no window toolkit, no data frames, no files,
//! network or processes. Checked on their source, so the layering is tested, not promised.

use std::path::{Path, PathBuf};

/// Crates the pure layers must not name.
const FORBIDDEN_CRATES: [&str; 4] = ["egui", "eframe", "polars", "rfd"];
/// Modules of `std` the pure layers must not use.
const FORBIDDEN_STD: [&str; 3] = ["fs", "net", "process"];
/// Layers of this crate the engine and program must not reach into.
const FORBIDDEN_LAYERS: [&str; 4] = ["app", "data", "report", "cli"];

/// The source with comments and string/char literals blanked out, so prose may name anything.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) {
            // Raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = (j + close.len()).min(b.len());
                out.push_str("\"\"");
            } else {
                out.push('r');
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('a', '\n', '\''); lifetimes ('a) are left alone.
            i += if b[i + 1] == b'\\' { 3 } else { 1 };
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            let ch = src[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Identifiers and `::` / braces as tokens.
fn tokens(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(c) = rest.chars().next() {
        if c.is_alphanumeric() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = &rest[end..];
        } else if rest.starts_with("::") {
            out.push("::");
            rest = &rest[2..];
        } else {
            if !c.is_whitespace() {
                out.push(&rest[..c.len_utf8()]);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// What in `src` breaks purity, one message per finding.
fn impurities(src: &str) -> Vec<String> {
    let code = code_only(src);
    let t = tokens(&code);
    let mut found = Vec::new();
    for (k, tok) in t.iter().enumerate() {
        let prev = if k > 0 { t[k - 1] } else { "" };
        // A path root: not a field or method, nor a segment after `a::` (but `::rfd` is).
        let after_ident = k >= 2 && t[k - 2] != "use" && t[k - 2].chars().all(is_ident_char);
        let root = prev != "." && !(prev == "::" && after_ident);
        if root && FORBIDDEN_CRATES.contains(tok) {
            found.push(format!("names the crate `{tok}`"));
        }
        if *tok == "crate"
            && t.get(k + 1) == Some(&"::")
            && let Some(layer) = t.get(k + 2).filter(|l| FORBIDDEN_LAYERS.contains(l))
        {
            found.push(format!("reaches into `crate::{layer}`"));
        }
        if *tok == "std" && root && t.get(k + 1) == Some(&"::") {
            match t.get(k + 2) {
                Some(m) if FORBIDDEN_STD.contains(m) => found.push(format!("uses `std::{m}`")),
                Some(&"{") => {
                    // `std::{fs, io}`: the modules named at the top level of the group.
                    let mut depth = 0;
                    for (j, g) in t[k + 2..].iter().enumerate() {
                        match *g {
                            "{" => depth += 1,
                            "}" => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            m if depth == 1
                                && FORBIDDEN_STD.contains(&m)
                                && t[k + 2 + j - 1] != "::" =>
                            {
                                found.push(format!("uses `std::{m}`"))
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn engine_and_program_are_pure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["engine", "program"] {
        rust_files(&root.join(layer), &mut files);
    }
    assert!(
        files.iter().any(|f| f.ends_with("engine/rules/payment.rs")),
        "the engine's sources were not found under {}",
        root.display()
    );
    let mut problems = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for p in impurities(&src) {
            problems.push(format!("{}: {p}", f.display()));
        }
    }
    assert!(problems.is_empty(), "impure code:\n{}", problems.join("\n"));
}

#[test]
fn the_purity_check_finds_what_it_forbids() {
    assert_eq!(impurities("use egui::Ui;"), ["names the crate `egui`"]);
    assert_eq!(
        impurities("fn f() { let _ = polars::prelude::col(\"a\"); }"),
        ["names the crate `polars`"]
    );
    assert_eq!(impurities("use std::fs::File;"), ["uses `std::fs`"]);
    assert_eq!(
        impurities("use std::{io::Write, process::Command};"),
        ["uses `std::process`"]
    );
    assert_eq!(
        impurities("fn f() { std::net::TcpStream::connect(\"x\"); }"),
        ["uses `std::net`"]
    );
    assert_eq!(
        impurities("use crate::data::load;"),
        ["reaches into `crate::data`"]
    );
    assert_eq!(
        impurities("use ::rfd::FileDialog;"),
        ["names the crate `rfd`"]
    );
    // Prose, strings, fields and inner path segments may say anything.
    assert!(
        impurities("//! No egui, no polars, no std::fs.\nconst S: &str = \"egui std::fs\";")
            .is_empty()
    );
    assert!(impurities("fn f(x: &X) { x.polars; a::egui::b(); let c = '\\''; }").is_empty());
    assert!(impurities("use std::{io, fmt::{self, Write}};").is_empty());
}

/// The layers of this crate each top-level module may use (README "How it is built"). Each
/// edge points down: no cycles, and nothing but `main.rs` reaches into `app`.
const ALLOWED_LAYERS: [(&str, &[&str]); 9] = [
    ("format", &[]),
    ("program", &[]),
    ("catalogue", &["program"]),
    ("engine", &["program"]),
    ("synth", &["catalogue", "engine", "program"]),
    ("data", &["engine", "program"]),
    ("report", &["data", "engine", "format", "program"]),
    (
        "cli",
        &[
            "data",
            "engine",
            "format",
            "program",
            "report",
            "synth",
            "catalogue",
        ],
    ),
    (
        "app",
        &[
            "catalogue",
            "data",
            "engine",
            "format",
            "program",
            "report",
            "synth",
        ],
    ),
];

/// The crate's top-level modules that the code of `src` names as `crate::<layer>`.
fn layers_used(src: &str) -> Vec<String> {
    let code = code_only(src);
    let t = tokens(&code);
    let mut used: Vec<String> = Vec::new();
    for k in 0..t.len() {
        if t[k] == "crate"
            && t.get(k + 1) == Some(&"::")
            && let Some(layer) = t.get(k + 2)
            && !used.iter().any(|u| u == layer)
        {
            used.push((*layer).to_owned());
        }
    }
    used
}

#[test]
fn each_module_uses_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known: Vec<&str> = ALLOWED_LAYERS.iter().map(|(m, _)| *m).collect();
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&root).expect("src").flatten() {
        let path = entry.path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let Some((_, allowed)) = ALLOWED_LAYERS.iter().find(|(m, _)| *m == name) else {
            problems.push(format!(
                "src/{name}: a top-level module the layer table does not know"
            ));
            continue;
        };
        seen.push(name.clone());
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        for f in &files {
            let src = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            for layer in layers_used(&src) {
                let ok = layer == name
                    || allowed.contains(&layer.as_str())
                    || !known.contains(&layer.as_str());
                if !ok {
                    problems.push(format!("{}: uses `crate::{layer}`", f.display()));
                }
            }
        }
    }
    assert_eq!(seen.len(), ALLOWED_LAYERS.len(), "modules found: {seen:?}");
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_layer_check_sees_crate_paths() {
    assert_eq!(
        layers_used("use crate::engine::{self, Inputs};\nfn f() { crate::app::run(); }"),
        ["engine", "app"]
    );
    assert!(layers_used("// crate::app\nconst S: &str = \"crate::cli\";").is_empty());
}
