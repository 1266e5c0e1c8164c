//! Compose interpolations (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?msg}`,
//! `$VAR`) found anywhere in a value. poolfix keeps them intact as opaque tokens: delimiters
//! inside them are not delimiters, and fixes never edit them.

use crate::span::Span;

/// An interpolation that does not close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unterminated {
    pub at: usize,
}

/// The byte ranges of every interpolation in `text`. `$$` is an escaped dollar sign, not an
/// interpolation. Nested braces (`${A:-${B}}`) belong to the outer one.
pub fn placeholders(text: &str) -> Result<Vec<Span>, Unterminated> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => i += 2,
            Some(b'{') => {
                let mut depth = 0usize;
                let mut j = i + 1;
                let end = loop {
                    match bytes.get(j) {
                        None => return Err(Unterminated { at: i }),
                        Some(b'{') => depth += 1,
                        Some(b'}') => {
                            depth -= 1;
                            if depth == 0 {
                                break j + 1;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                };
                found.push(Span::new(i, end));
                i = end;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                found.push(Span::new(i, j));
                i = j;
            }
            _ => i += 1,
        }
    }
    Ok(found)
}

/// The placeholder that byte `at` lies in, if any. `spans` must be sorted and disjoint, as
/// [`placeholders`] returns them (binary search: long inputs may hold many placeholders).
pub fn containing(spans: &[Span], at: usize) -> Option<Span> {
    let i = spans.partition_point(|s| s.end <= at);
    spans.get(i).copied().filter(|s| s.start <= at)
}

/// Whether byte `at` lies inside one of `spans` (sorted, as [`placeholders`] returns them).
pub fn masked(spans: &[Span], at: usize) -> bool {
    containing(spans, at).is_some()
}

/// Whether `range` overlaps any placeholder.
pub fn touches(spans: &[Span], range: Span) -> bool {
    spans.iter().any(|s| s.start < range.end && range.start < s.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_form() {
        let text = "a${X}b${Y:-d}c${Z-d}e${W:?need it}f$VAR g$$h${A:-${B}}";
        let found: Vec<&str> = placeholders(text).unwrap().iter().map(|s| s.slice(text)).collect();
        assert_eq!(found, ["${X}", "${Y:-d}", "${Z-d}", "${W:?need it}", "$VAR", "${A:-${B}}"]);
    }

    #[test]
    fn lookup_by_position() {
        let text = "ab${X}cd$Y";
        let spans = placeholders(text).unwrap();
        let inside: Vec<bool> = (0..text.len()).map(|i| masked(&spans, i)).collect();
        assert_eq!(inside, [false, false, true, true, true, true, false, false, true, true]);
        assert_eq!(containing(&spans, 3), Some(Span::new(2, 6)));
    }

    #[test]
    fn unterminated_is_an_error_with_its_position() {
        assert_eq!(placeholders("ab${X"), Err(Unterminated { at: 2 }));
    }
}
