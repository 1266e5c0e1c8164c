//! The compose doctor on every file in `tests/compose/`: reviewed snapshots of findings,
//! services, budget, diff and plan; convergence; the fixed file keeps its structure; and the
//! fixtures cover every compose rule.

use poolfix_engine::model::count_label as show;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use poolfix_engine::compose::{analyze_compose, ComposeOptions, ComposeReport};
use poolfix_engine::knowledge::compute::compute;
use poolfix_engine::knowledge::parse_version;
use poolfix_engine::rules::CATALOG;
use poolfix_engine::url_doctor::ModeChoice;
use poolfix_engine::yaml::{self, Kind, NodeId, Yaml};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/compose")
}

struct Case {
    name: String,
    text: String,
    options: ComposeOptions,
}

fn cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let mut options = ComposeOptions { file_name: format!("{name}.yml"), ..ComposeOptions::default() };
            let sibling = |ext: &str| std::fs::read_to_string(path.with_extension(ext)).ok();
            if let Some(env) = sibling("env") {
                options.env_text = env;
            }
            if let Some(opts) = sibling("opts") {
                for pair in opts.split_whitespace() {
                    match pair.split_once('=') {
                        Some(("mode", m)) => options.mode = ModeChoice::from_cli(m).unwrap(),
                        Some(("compute", c)) => options.compute = compute(c).unwrap(),
                        Some(("pool", p)) => options.pool_size = Some(p.parse().unwrap()),
                        Some(("mlflow", v)) => options.mlflow_version = parse_version(v),
                        Some(("prefect", v)) => options.prefect_version = parse_version(v),
                        _ => panic!("{name}.opts: {pair}"),
                    }
                }
            }
            Case { name, text: std::fs::read_to_string(&path).unwrap(), options }
        })
        .collect()
}

fn render(r: &ComposeReport) -> String {
    let mut out = String::from("findings:\n");
    for f in &r.findings {
        let _ = writeln!(
            out,
            "  {}:{} {} {} [{}] {}",
            f.line,
            f.column,
            f.finding.severity().as_str(),
            f.finding.rule.code,
            f.service.as_deref().unwrap_or("-"),
            f.finding.message
        );
        if let Some(fx) = &f.finding.fix {
            let _ = writeln!(
                out,
                "    fix ({}): {}{}",
                fx.applicability.as_str(),
                fx.title,
                fx.note.as_ref().map(|n| format!(" — {n}")).unwrap_or_default()
            );
        }
    }
    out.push_str("services:\n");
    for s in &r.services {
        let v = s.service.version_note().map(|v| format!(" {v}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} [{}{v}] {} -> {} | {} | {}",
            s.service.name,
            s.service.kind.kind,
            show(s.max_before),
            show(s.max_after),
            s.mode_before.as_str(),
            s.mode_after.as_str()
        );
        if !s.urls.is_empty() {
            let _ = writeln!(out, "    before: {}\n    after: {}", s.formula_before, s.formula_after);
        }
        if let Some((v, why)) = &s.verdict {
            let _ = writeln!(out, "    transaction mode: {} ({why})", v.as_str());
        }
    }
    out.push_str("budget:\n");
    for g in &r.budget.groups {
        let _ = writeln!(
            out,
            "  {} {}: {} -> {} of {} ({}, headroom {})",
            g.host,
            g.mode.map_or("?", |m| m.as_str()),
            show(g.before),
            show(g.after),
            show(g.limit),
            g.limit_label,
            g.headroom()
        );
    }
    let _ = write!(out, "env lines:\n{}\ndiff:\n{}\nplan:\n{}", r.env_lines, r.diff, r.plan.to_markdown());
    out
}

#[test]
fn every_fixture_matches_its_reviewed_snapshot() {
    let cases = cases();
    assert!(cases.len() >= 30, "at least 30 compose fixtures, found {}", cases.len());
    for case in &cases {
        let report = analyze_compose(&case.text, &case.options);
        insta::with_settings!({ snapshot_path => dir().join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(case.name.clone(), render(&report));
        });
    }
}

#[test]
fn fixing_the_fixed_file_changes_nothing() {
    for case in cases() {
        let first = analyze_compose(&case.text, &case.options);
        let second = analyze_compose(&first.fixed, &case.options);
        assert!(second.edits.is_empty(), "{}: the fixed file is edited again:\n{}", case.name, second.diff);
        let before: BTreeSet<_> = first.findings.iter().map(|f| f.finding.rule.code).collect();
        for f in &second.findings {
            assert!(
                before.contains(f.finding.rule.code),
                "{}: new finding {} after fixing: {}",
                case.name,
                f.finding.rule.code,
                f.finding.message
            );
        }
    }
}

/// Every scalar of a document, by path (`services.api.environment.DATABASE_URL`).
fn flatten(y: &Yaml, id: NodeId, path: String, out: &mut BTreeMap<String, String>, depth: usize) {
    if depth > 64 {
        return;
    }
    let id = y.resolve(id);
    match &y.node(id).kind {
        Kind::Scalar { value, .. } => {
            out.insert(path, value.clone());
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(y, *item, format!("{path}[{i}]"), out, depth + 1);
            }
        }
        Kind::Map(_) => {
            for (k, v) in y.pairs(id) {
                flatten(y, v, format!("{path}.{}", y.str(k).unwrap_or("?")), out, depth + 1);
            }
        }
        _ => {}
    }
}

#[test]
fn the_fixed_file_has_the_same_structure_except_the_edited_keys() {
    for case in cases() {
        let report = analyze_compose(&case.text, &case.options);
        if report.invalid || report.edits.is_empty() {
            continue;
        }
        let (a, b) = (
            yaml::parse(&case.text).unwrap(),
            yaml::parse(&report.fixed).unwrap_or_else(|e| panic!("{}: fixed file is not YAML: {e:?}", case.name)),
        );
        let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
        for (i, d) in a.documents.iter().enumerate() {
            flatten(&a, *d, format!("doc{i}"), &mut fa, 0);
        }
        for (i, d) in b.documents.iter().enumerate() {
            flatten(&b, *d, format!("doc{i}"), &mut fb, 0);
        }
        let keys: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
        for k in keys {
            if fa.get(k) == fb.get(k) {
                continue;
            }
            let editable = k.contains(".environment") || k.contains(".command");
            assert!(
                editable,
                "{}: `{k}` changed outside environment/command: {:?} -> {:?}",
                case.name,
                fa.get(k),
                fb.get(k)
            );
            // An existing key may change only its value; no existing key disappears, except an
            // empty `environment:` that now holds settings.
            let filled = fa.get(k).is_some_and(|v| v.is_empty() || v == "~")
                && fb.keys().any(|n| n.starts_with(&format!("{k}.")));
            assert!(fb.contains_key(k) || filled, "{}: `{k}` disappeared", case.name);
        }
        // Comments survive.
        let comments = |t: &str| t.lines().filter(|l| l.trim_start().starts_with('#')).count();
        assert_eq!(comments(&case.text), comments(&report.fixed), "{}: comments changed", case.name);
    }
}

#[test]
fn the_fixtures_cover_every_compose_rule() {
    let mut seen = BTreeSet::new();
    for case in cases() {
        seen.extend(analyze_compose(&case.text, &case.options).findings.iter().map(|f| f.finding.rule.code));
    }
    let missing: Vec<_> =
        CATALOG.iter().map(|(r, _)| r.code).filter(|c| c.starts_with("PF2") && !seen.contains(c)).collect();
    assert!(missing.is_empty(), "compose rules without a fixture: {missing:?}");
}

#[test]
fn hostile_input_ends_with_a_result_or_a_clear_limit() {
    let _ = Path::new("");
    // Billion laughs: aliases are references, never expanded.
    let mut bomb = String::from("x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 0..12u8 {
        let (p, n) = ((b'a' + i) as char, (b'a' + i + 1) as char);
        let _ = writeln!(bomb, "x-{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]");
    }
    bomb.push_str("services:\n  api:\n    image: x\n    environment: *m\n");
    let r = analyze_compose(&bomb, &ComposeOptions::default());
    assert!(!r.invalid);
    // 10,000-deep nesting: a positioned limit message.
    let deep = format!("services: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let r = analyze_compose(&deep, &ComposeOptions::default());
    assert!(
        r.invalid && r.findings[0].finding.message.contains("recursion limit"),
        "{:?}",
        r.findings[0].finding.message
    );
    // A 5 MB file of services.
    let mut big = String::from("services:\n");
    let mut i = 0;
    while big.len() < 5 << 20 {
        let _ = write!(big, "  s{i}:\n    image: app\n    environment:\n      DATABASE_URL: postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${{P}}@aws-0-eu-west-1.pooler.supabase.com:5432/postgres?sslmode=require&connect_timeout=10\n");
        i += 1;
    }
    let r = analyze_compose(&big, &ComposeOptions::default());
    assert_eq!(r.services.len(), i);
    assert!(r.findings.iter().any(|f| f.finding.rule.code == "PF201"));
}
