fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let r = poolfix_engine::analyze_compose(&text, &Default::default());
    for f in &r.findings {
        println!(
            "{} {} {}:{} [{}] {}",
            f.finding.severity().as_str(),
            f.finding.rule.code,
            f.line,
            f.column,
            f.service.as_deref().unwrap_or("-"),
            f.finding.message
        );
    }
    for s in &r.services {
        println!(
            "{} {:?} before={:?} after={:?} | {} | {} | env={:?}",
            s.service.name,
            s.service.role,
            s.max_before,
            s.max_after,
            s.formula_before,
            s.formula_after,
            s.env_after
        );
    }
    for g in &r.budget.groups {
        println!(
            "{} {:?} limit={:?} before={:?} after={:?}",
            g.host, g.mode, g.limit, g.before, g.after
        );
    }
    println!("{}", r.diff);
}
