//! `.env` files and compose interpolation (`${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`,
//! `${VAR?e}`, `$VAR`, `$$`), resolved from a pasted `.env` the way compose does. Unknown
//! variables stay as placeholders: poolfix analyses what it can and says what it assumed.

use std::collections::BTreeMap;

/// A value as Compose reads it from an env file: a quoted value up to its closing quote (a
/// comment may follow), an unquoted one up to ` #`.
fn env_value(value: &str) -> String {
    if let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = &value[1..];
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            if c == q && !escaped {
                return body[..i].to_string();
            }
            escaped = q == '"' && c == '\\' && !escaped;
        }
    }
    if value.starts_with('#') {
        return String::new();
    }
    value.split(" #").next().unwrap_or("").trim_end().to_string()
}

/// Variables from a `.env` text: `KEY=value`, optional `export `, quotes, `#` comments.
pub fn parse_env(text: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        vars.insert(key.to_string(), env_value(value.trim()));
    }
    vars
}

/// The result of interpolating one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolated {
    pub value: String,
    /// Variables that were not set and had no default: left as written.
    pub unresolved: Vec<String>,
    /// Whether anything was substituted (so the value differs from the source text).
    pub changed: bool,
}

/// Resolves interpolations in `text` from `vars`.
/// The `}` that closes the `{` at `open`, counting nested braces.
fn closing_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// The value of `${NAME<op>}` as Compose gives it: `:-`/`-` default, `:?`/`?` required,
/// `:+`/`+` alternative; `None` when it stays unresolved.
fn braced(set: Option<&String>, op: &str, vars: &BTreeMap<String, String>) -> Option<String> {
    let rest = |n: usize| interpolate(&op[n..], vars).value;
    match (op.get(..2), op.get(..1)) {
        (Some(":-"), _) => Some(set.filter(|v| !v.is_empty()).cloned().unwrap_or_else(|| rest(2))),
        (_, Some("-")) => Some(set.cloned().unwrap_or_else(|| rest(1))),
        (Some(":?"), _) => set.filter(|v| !v.is_empty()).cloned(),
        (_, Some("?")) => set.cloned(),
        (Some(":+"), _) => Some(if set.is_some_and(|v| !v.is_empty()) { rest(2) } else { String::new() }),
        (_, Some("+")) => Some(if set.is_some() { rest(1) } else { String::new() }),
        _ => set.cloned(),
    }
}

pub fn interpolate(text: &str, vars: &BTreeMap<String, String>) -> Interpolated {
    let mut out = String::with_capacity(text.len());
    let mut unresolved = Vec::new();
    let mut changed = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let ch = text[i..].chars().next().unwrap_or('\0');
            out.push(ch);
            i += ch.len_utf8().max(1);
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                changed = true;
                i += 2;
            }
            Some(b'{') => {
                let Some(j) = closing_brace(bytes, i + 1) else {
                    out.push_str(&text[i..]);
                    break;
                };
                let inner = &text[i + 2..j];
                let name_len = inner.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
                let (name, op) = inner.split_at(name_len);
                let resolved = braced(vars.get(name), op, vars);
                match resolved {
                    Some(v) => {
                        out.push_str(&v);
                        changed = true;
                    }
                    None => {
                        unresolved.push(name.to_string());
                        out.push_str(&text[i..=j]);
                    }
                }
                i = j + 1;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let name = &text[i + 1..j];
                match vars.get(name) {
                    Some(v) => {
                        out.push_str(v);
                        changed = true;
                    }
                    None => {
                        unresolved.push(name.to_string());
                        out.push_str(&text[i..j]);
                    }
                }
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    Interpolated { value: out, unresolved, changed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_and_every_interpolation_form() {
        let vars = parse_env("# comment\nexport A=1\nB='two words'\nC=\"x\"\nD= # nothing\nE=\n");
        assert_eq!(vars.get("A").map(String::as_str), Some("1"));
        assert_eq!(vars.get("B").map(String::as_str), Some("two words"));
        assert_eq!(vars.get("D").map(String::as_str), Some(""));
        let quoted = parse_env("URL=\"postgresql://u:p#ss@h/db\" # pooler\nQ='a \"b\"' #x\nOPEN=\"abc # c\n");
        assert_eq!(quoted.get("URL").map(String::as_str), Some("postgresql://u:p#ss@h/db"));
        assert_eq!(quoted.get("Q").map(String::as_str), Some("a \"b\""));
        assert_eq!(quoted.get("OPEN").map(String::as_str), Some("\"abc"));
        let r = interpolate("$A-${B}-${X:-dflt}-${E:-empty}-${E-set}-${Y}-$$-${A:?need}-${Z:?need}", &vars);
        assert_eq!(r.value, "1-two words-dflt-empty--${Y}-$-1-${Z:?need}");
        assert_eq!(r.unresolved, ["Y", "Z"]);
        assert!(r.changed);
        assert!(!interpolate("plain", &vars).changed);
    }
}
