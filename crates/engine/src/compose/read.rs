//! Stage 1 of the compose doctor: read each service from the YAML tree — what it is (by the
//! service table), how many processes it runs, and where its URLs and settings are written.

use std::collections::BTreeMap;

use crate::dotenv::interpolate;
use crate::knowledge::connection_vars;
use crate::knowledge::services::{self, Processes, Runner, ServiceKind, UrlSource, OTHER, PER_CPU, SQLALCHEMY};
use crate::knowledge::{stores, Version};
use crate::model::{ComposeOptions, Count, EnvEntry, Service, Store, UrlSite};
use crate::span::Span;
use crate::yaml::{Kind, NodeId, Yaml};

/// Splits a command string into words: blanks separate, quotes group.
/// `sh -c "…"` / `bash -c "…"`: the script's words stand in for it, so flags and counts inside
/// it are read (`bash -c "pip install psycopg2-binary && mlflow server --backend-store-uri …"`,
/// mlflow/mlflow#9513).
fn with_shell_script(argv: Vec<String>) -> Vec<String> {
    let shell = |w: &str| matches!(w.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash" | "zsh"));
    let script_flag = |w: &str| w.starts_with('-') && !w.starts_with("--") && w.ends_with('c');
    let Some(i) = argv.windows(2).position(|w| shell(&w[0]) && script_flag(&w[1])) else {
        return argv;
    };
    let Some(script) = argv.get(i + 2) else {
        return argv;
    };
    let mut out = argv[..i + 2].to_vec();
    out.extend(split_words(script));
    out.extend_from_slice(&argv[i + 3..]);
    out
}

pub fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// Finds `needle` in the source text of `node`, when it occurs exactly once there.
pub fn find_once(text: &str, span: Span, needle: &str) -> Option<Span> {
    if needle.is_empty() {
        return None;
    }
    let hay = span.slice(text);
    let first = hay.find(needle)?;
    if hay[first + 1..].contains(needle) {
        return None;
    }
    Some(Span::new(span.start + first, span.start + first + needle.len()))
}

/// The `major.minor.patch` in an image tag such as `v3.17.2`, `3.4.20-python3.11` or `2-latest`.
pub fn version_from_image(image: &str) -> Option<Version> {
    let (name, tag) = image.rsplit_once(':')?;
    if name.ends_with('/') || tag.contains('/') {
        return None;
    }
    crate::knowledge::parse_version(tag)
}

fn image_name(image: &str) -> String {
    let without_tag = image.split('@').next().unwrap_or(image);
    let without_tag = match without_tag.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => n,
        _ => without_tag,
    };
    without_tag
        .rsplit('/')
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("/")
        .to_ascii_lowercase()
}

fn looks_like_postgres(value: &str) -> bool {
    let v = value.trim_start().to_ascii_lowercase();
    v.starts_with("postgres://")
        || v.starts_with("postgresql://")
        || v.starts_with("postgresql+")
        || v.starts_with("postgres+")
}

/// The variable a command word leaves to the shell: `$${NAME}`, `$$NAME` or `$${NAME:-default}`
/// (Compose's `$$` is a literal `$`), and the default, if any.
fn shell_variable(word: &str) -> Option<(&str, Option<&str>)> {
    let rest = word.strip_prefix("$$")?;
    let inner = rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')).unwrap_or(rest);
    let (name, default) = match inner.split_once(":-") {
        Some((n, d)) if rest.starts_with('{') => (n, Some(d)),
        _ => (inner, None),
    };
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some((name, default))
}

/// The value of a command-line flag (`--flag value` or `--flag=value`), with its index.
fn flag<'a>(argv: &'a [String], names: &[&str]) -> Option<(usize, &'a str)> {
    for (i, w) in argv.iter().enumerate() {
        for n in names {
            if w == n {
                return argv.get(i + 1).map(|v| (i + 1, v.as_str()));
            }
            if let Some(v) = w.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                return Some((i, v));
            }
        }
    }
    None
}

fn count_from_flag(
    text: &str,
    cmd_span: Option<Span>,
    argv: &[String],
    names: &[&str],
    what: &str,
    vars: &BTreeMap<String, String>,
) -> Option<Count> {
    let (_, v) = flag(argv, names)?;
    let value = interpolate(v, vars).value.parse::<u32>().ok()?;
    // Locate the number in the source for editing, after the flag's one occurrence:
    // `--workers 4`, `--workers=4`, or list items `"--workers", "4"`.
    let span = cmd_span.and_then(|s| {
        names.iter().find_map(|n| {
            let flag_at = find_once(text, s, n)?;
            let rest = Span::new(flag_at.end, s.end).slice(text);
            let at = rest.find(v)?;
            // Only blanks, `=`, quotes and a comma may stand between the flag and its value.
            let between_ok = rest[..at].chars().all(|c| c.is_whitespace() || "=\"',".contains(c));
            let after = rest[at + v.len()..].chars().next();
            (between_ok && !after.is_some_and(|c| c.is_ascii_alphanumeric()))
                .then(|| Span::new(flag_at.end + at, flag_at.end + at + v.len()))
        })
    });
    // A number behind a placeholder is not edited in place.
    let span = span.filter(|s| !s.slice(text).contains('$'));
    Some(Count { value, source: format!("{what} {} {v}", names[0]), span })
}

/// A runner's flag asking for one process per CPU (pm2's `-i max`): the CPUs are assumed.
fn per_cpu(argv: &[String], r: &Runner) -> Option<Count> {
    let (_, v) = flag(argv, r.flags)?;
    r.per_cpu.contains(&v).then(|| Count {
        value: PER_CPU,
        source: format!("command {} {v}: one per CPU, {PER_CPU} assumed", r.flags[0]),
        span: None,
    })
}

/// Everything a service's reading needs besides the node.
struct Reader<'a> {
    text: &'a str,
    y: &'a Yaml,
    node: NodeId,
    vars: &'a BTreeMap<String, String>,
}

/// The command line: entrypoint and command words as written, and where they are.
struct CommandLine {
    argv: Vec<String>,
    span: Option<Span>,
}

impl Reader<'_> {
    fn get(&self, key: &str) -> Option<NodeId> {
        self.y.get(self.node, key)
    }

    /// Whether the service's own mapping has `key` (not through a `<<` merge).
    fn writes(&self, key: &str) -> bool {
        let y = self.y;
        match &y.node(y.resolve(self.node)).kind {
            Kind::Map(pairs) => pairs.iter().any(|(k, _)| y.str(*k) == Some(key)),
            _ => false,
        }
    }

    fn command_line(&self) -> CommandLine {
        let y = self.y;
        let mut argv = Vec::new();
        let mut span: Option<Span> = None;
        for k in ["entrypoint", "command"] {
            let Some(c) = self.get(k).map(|c| y.resolve(c)) else { continue };
            let s = y.node(c).span;
            span = Some(span.map_or(s, |o| Span::new(o.start.min(s.start), o.end.max(s.end))));
            match &y.node(c).kind {
                // Kept as written: placeholders stay intact, so URLs in it can be edited in place.
                Kind::Scalar { value, .. } => argv.extend(split_words(value)),
                Kind::Seq(items) => argv.extend(items.iter().filter_map(|i| y.str(*i)).map(str::to_string)),
                _ => {}
            }
        }
        CommandLine { argv: with_shell_script(argv), span }
    }

    fn env_entry(&self, name: &str, raw: &str, node: NodeId, value_span: Option<Span>) -> EnvEntry {
        EnvEntry {
            name: name.trim().to_string(),
            raw: raw.to_string(),
            value: interpolate(raw, self.vars).value,
            node: Some(node),
            value_span,
            from_env_file: false,
        }
    }

    /// The environment, a map or a list of `NAME=value`; its own node, and whether it is shared.
    fn environment(&self) -> (Vec<EnvEntry>, Option<NodeId>, bool) {
        let y = self.y;
        let Some(e) = self.get("environment") else {
            return (Vec::new(), None, false);
        };
        // Written in the service itself: not an alias, nor inherited through a `<<` merge of
        // a shared block (the official Airflow file's `<<: *airflow-common`).
        let own = y.is_own(e) && self.writes("environment");
        let entries = if y.is_map(e) {
            y.pairs(e)
                .iter()
                .filter_map(|&(k, v)| {
                    let editable = y.is_own(v) && matches!(y.node(v).kind, Kind::Scalar { .. });
                    let span = editable.then(|| y.node(v).span).filter(|s| !s.is_empty());
                    Some(self.env_entry(y.str(k)?, y.str(v).unwrap_or(""), v, span))
                })
                .collect()
        } else {
            y.items(e)
                .iter()
                .filter_map(|&item| {
                    let (name, raw) = y.str(item)?.split_once('=').unwrap_or((y.str(item)?, ""));
                    let span = y.is_own(item).then(|| find_once(self.text, y.node(item).span, raw)).flatten();
                    Some(self.env_entry(name, raw, item, span))
                })
                .collect()
        };
        (entries, own.then_some(e), !own)
    }

    /// What the service's `env_file` gives it: the pasted `.env` stands for its content (one
    /// text for every env_file), each variable the service's own `environment` does not set
    /// (Compose lets `environment` win). They point at the `env_file` key.
    fn env_file_entries(&self, files: &[String], own: &[EnvEntry]) -> Vec<EnvEntry> {
        let Some(node) = self.get("env_file").filter(|_| !files.is_empty()) else { return Vec::new() };
        self.vars
            .iter()
            .filter(|(name, _)| !own.iter().any(|e| e.name == **name))
            .map(|(name, value)| EnvEntry {
                name: name.clone(),
                raw: value.clone(),
                value: value.clone(),
                node: Some(node),
                value_span: None,
                from_env_file: true,
            })
            .collect()
    }

    fn env_files(&self) -> Vec<String> {
        let y = self.y;
        match self.get("env_file") {
            Some(f) if y.is_map(f) => y.get(f, "path").and_then(|p| y.str(p)).map(str::to_string).into_iter().collect(),
            Some(f) => match y.str(f) {
                Some(s) => vec![s.to_string()],
                None => y
                    .items(f)
                    .iter()
                    .filter_map(|i| y.str(*i).or_else(|| y.get(*i, "path").and_then(|p| y.str(p))))
                    .map(str::to_string)
                    .collect(),
            },
            None => Vec::new(),
        }
    }

    /// A URL written out (placeholders allowed) is analysed and edited as written; one that is
    /// a single variable (`${DATABASE_URL}`) is analysed as the pasted .env resolves it.
    fn url_site(&self, raw: &str, value_span: Option<Span>, anchor: Span, source: String) -> UrlSite {
        let inter = interpolate(raw, self.vars);
        if looks_like_postgres(raw) {
            let span = value_span.and_then(|vs| find_once(self.text, vs, raw));
            UrlSite {
                source,
                url: raw.to_string(),
                span,
                anchor: span.unwrap_or(anchor),
                unresolved: inter.unresolved,
                assembled: false,
                prefix: "",
            }
        } else {
            let (url, unresolved) = (inter.value, inter.unresolved);
            UrlSite { source, url, span: None, anchor, unresolved, assembled: false, prefix: "" }
        }
    }

    /// Where a finding about `e` points when its URL has no span: its value, else its entry.
    fn anchor(&self, e: &EnvEntry) -> Span {
        e.value_span.or(e.node.map(|n| self.y.node(n).span)).unwrap_or_default()
    }

    fn env_url(&self, e: &EnvEntry) -> UrlSite {
        self.url_site(&e.raw, e.value_span, self.anchor(e), format!("environment {}", e.name))
    }

    /// The URL in `e`, past the prefix the service strips from it (Celery's `db+`). When the
    /// value names another store (a Redis result backend), a site with that value, which
    /// [`Reader::urls_or_store`] takes for the store; `None` for anything else.
    fn prefixed_url(&self, e: &EnvEntry, prefix: &'static str) -> Option<UrlSite> {
        let (anchor, source) = (self.anchor(e), format!("environment {}", e.name));
        let trimmed = e.value.trim_start();
        let Some(value) = trimmed.strip_prefix(prefix).filter(|v| looks_like_postgres(v)) else {
            let other = trimmed.strip_prefix(prefix).unwrap_or(trimmed);
            let url = stores::other_store(other).map(|_| other.to_string())?;
            return Some(UrlSite {
                source,
                url,
                span: None,
                anchor,
                unresolved: Vec::new(),
                assembled: false,
                prefix: "",
            });
        };
        let mut site = match e.raw.trim_start().strip_prefix(prefix) {
            Some(raw) => self.url_site(raw, e.value_span, anchor, source),
            // The prefix comes from a variable too: analysed as the .env resolves it.
            None => UrlSite {
                source,
                url: value.to_string(),
                span: None,
                anchor,
                unresolved: Vec::new(),
                assembled: false,
                prefix: "",
            },
        };
        site.prefix = prefix;
        Some(site)
    }

    /// The URL in `e` as `source` reads it: past its prefix, if the variable has one.
    fn source_url(&self, source: &UrlSource, e: &EnvEntry) -> Option<UrlSite> {
        match source.prefixed.iter().find(|(var, _)| *var == e.name) {
            Some((_, prefix)) => self.prefixed_url(e, prefix),
            None => Some(self.env_url(e)),
        }
    }

    /// The PostgreSQL URLs the service reads; or, when the setting it reads names another
    /// store (`sqlite:///mlflow.db`, `mysql://…`, `./mlruns`), that store and no URL.
    fn urls_or_store(&self, kind: ServiceKind, cmd: &CommandLine, env: &[EnvEntry]) -> (Vec<UrlSite>, Option<Store>) {
        let (mut sites, mut store) = (Vec::new(), None);
        for site in self.urls(kind, cmd, env) {
            match site.unresolved.is_empty().then(|| stores::other_store(&site.url)).flatten() {
                // The first site that names another store says which.
                Some(label) => {
                    let why = format!("its {}", site.source);
                    store.get_or_insert(Store { label, why, anchor: site.span.unwrap_or(site.anchor) });
                }
                None => sites.push(site),
            }
        }
        let store = store.filter(|_| sites.is_empty());
        (sites, store)
    }

    /// The URLs the service reads, where its table entry says it reads them.
    fn urls(&self, kind: ServiceKind, cmd: &CommandLine, env: &[EnvEntry]) -> Vec<UrlSite> {
        let source = &kind.urls;
        if let Some((_, uri)) = flag(&cmd.argv, source.flags) {
            // `$${NAME}`: Compose leaves `${NAME}` for the shell, which takes it from the
            // container's environment; the URL is that variable's.
            let variable = shell_variable(uri);
            if let Some(e) = variable.and_then(|(name, _)| env.iter().find(|e| e.name == name)) {
                return vec![self.env_url(e)];
            }
            // Unset in the container: the shell's default, if the word gives one.
            let uri = variable.and_then(|(_, default)| default).unwrap_or(uri);
            let anchor = cmd.span.unwrap_or_default();
            return vec![self.url_site(uri, cmd.span, anchor, format!("command {}", source.flags[0]))];
        }
        if let Some(e) = source.env.iter().find_map(|var| env.iter().find(|e| e.name == *var)) {
            let also = source.also.iter().filter_map(|var| env.iter().find(|e| e.name == *var));
            return std::iter::once(e).chain(also).filter_map(|e| self.source_url(source, e)).collect();
        }
        // A URL behind a command or a secret: no URL to analyse, but a place for PF210 to say so.
        if let Some(e) = source.hidden.iter().find_map(|(var, _)| env.iter().find(|e| e.name == *var)) {
            let (anchor, source) = (self.anchor(e), format!("environment {}", e.name));
            return vec![UrlSite {
                source,
                url: e.value.clone(),
                span: None,
                anchor,
                unresolved: Vec::new(),
                assembled: false,
                prefix: "",
            }];
        }
        if !source.any_postgres_var {
            return Vec::new();
        }
        let urls: Vec<UrlSite> = env
            .iter()
            // An env_file hands every service all its variables: an app of your own is taken to
            // read only those named like its database URL (not a Prefect server's, say).
            .filter(|e| !e.from_env_file || services::is_url_var(&e.name))
            .filter(|e| looks_like_postgres(&e.value) || (services::is_url_var(&e.name) && looks_like_postgres(&e.raw)))
            .map(|e| self.env_url(e))
            .collect();
        if urls.is_empty() {
            return self.assembled_url(env).into_iter().collect();
        }
        urls
    }

    /// A connection spread over variables (`PGHOST`, `DB_HOST`, …), read as one URL for the
    /// analysis; it has no text of its own to edit, so its fixes are given by hand.
    fn assembled_url(&self, env: &[EnvEntry]) -> Option<UrlSite> {
        let names: Vec<&str> = env.iter().map(|e| e.name.as_str()).collect();
        let get = |n: &str| env.iter().find(|e| e.name == n).map(|e| e.value.clone()).filter(|v| !v.trim().is_empty());
        let a = connection_vars::assemble(&names, get)?;
        let host = env.iter().find(|e| e.name == a.host_var)?;
        let anchor = host.value_span.or(host.node.map(|n| self.y.node(n).span)).unwrap_or_default();
        let unresolved =
            interpolate(&a.url, self.vars).unresolved.into_iter().filter(|v| !a.read.contains(v)).collect();
        let source = format!("environment {}", a.read.join(", "));
        Some(UrlSite { source, url: a.url, span: None, anchor, unresolved, assembled: true, prefix: "" })
    }

    fn count_from_env(&self, env: &[EnvEntry], name: &str) -> Option<Count> {
        let e = env.iter().find(|e| e.name == name)?;
        let value = e.value.trim().parse::<u32>().ok()?;
        Some(Count {
            value,
            source: format!("environment {name}={value}"),
            span: e.value_span.and_then(|s| find_once(self.text, s, e.value.trim())),
        })
    }

    /// Processes per replica: a flag, a variable, or the table's default (for an app, its runner's).
    fn processes(&self, def: &Processes, cmd: &CommandLine, env: &[EnvEntry]) -> Count {
        let is = |w: &str| cmd.argv.iter().any(|a| a == w || a.ends_with(&format!("/{w}")));
        let runner = def.runners.iter().find(|r| r.programs.iter().any(|p| is(p)));
        let (flags, var, default, source) = match runner {
            Some(r) => (r.flags, r.env, r.default, r.default_source),
            None => (def.flags, def.env, def.default, def.default_source),
        };
        let from_flag = (!flags.is_empty())
            .then(|| count_from_flag(self.text, cmd.span, &cmd.argv, flags, "command", self.vars))
            .flatten()
            .or_else(|| runner.and_then(|r| per_cpu(&cmd.argv, r)));
        let processes = from_flag.or_else(|| var.and_then(|v| self.count_from_env(env, v))).unwrap_or(Count {
            value: default,
            source: source.into(),
            span: None,
        });
        let processes = match runner.filter(|r| def.per_thread && !r.threads.is_empty()) {
            Some(r) => self.times_threads(processes, r.threads, cmd),
            None => processes,
        };
        match def.plus {
            Some((more, what)) => Count {
                value: processes.value.saturating_add(more),
                source: format!("{} + {what}", processes.source),
                // The sum is no single number in the file to edit.
                span: None,
            },
            None => processes,
        }
    }

    /// Processes × the threads each runs (`--threads 4`), where every thread is counted.
    fn times_threads(&self, processes: Count, flags: &[&str], cmd: &CommandLine) -> Count {
        match count_from_flag(self.text, cmd.span, &cmd.argv, flags, "command", self.vars) {
            Some(threads) if threads.value > 1 => Count {
                value: processes.value.saturating_mul(threads.value),
                source: format!("{} × {}", processes.source, threads.source.trim_start_matches("command ")),
                // The product is no single number in the file to edit.
                span: None,
            },
            _ => processes,
        }
    }

    fn number(&self, key: &str, label: &str) -> Option<Count> {
        let r = self.get(key)?;
        let value = self.y.str(r)?.parse::<u32>().ok()?;
        Some(Count { value, source: format!("{label}: {value}"), span: Some(self.y.node(r).span) })
    }

    fn replicas(&self) -> Count {
        let y = self.y;
        let deploy = self.get("deploy").and_then(|d| y.get(d, "replicas")).and_then(|r| {
            let value = y.str(r)?.parse::<u32>().ok()?;
            Some(Count { value, source: format!("deploy.replicas: {value}"), span: Some(y.node(r).span) })
        });
        deploy.or_else(|| self.number("scale", "scale")).unwrap_or(Count {
            value: 1,
            source: "one replica".into(),
            span: None,
        })
    }

    fn profiles(&self) -> Vec<String> {
        self.get("profiles")
            .map(|p| self.y.items(p).iter().filter_map(|i| self.y.str(*i)).map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// (host port, container port) pairs from `ports`, short or long syntax.
    fn ports(&self) -> Vec<(Option<u16>, u16)> {
        let y = self.y;
        let Some(p) = self.get("ports") else { return Vec::new() };
        y.items(p)
            .iter()
            .filter_map(|&i| match y.str(i) {
                Some(s) => {
                    let s = s.split('/').next().unwrap_or(s);
                    let parts: Vec<&str> = s.rsplitn(3, ':').collect();
                    let container = parts.first()?.split('-').next()?.parse().ok()?;
                    let host = parts.get(1).and_then(|h| h.split('-').next()?.parse().ok());
                    Some((host, container))
                }
                None => {
                    let target = y.get(i, "target").and_then(|t| y.str(t))?.parse().ok()?;
                    let published = y.get(i, "published").and_then(|t| y.str(t)).and_then(|s| s.parse().ok());
                    Some((published, target))
                }
            })
            .collect()
    }
}

/// Reads one service: its kind comes from the service table, by command, image and version
/// (the image tag's, or else the one the user said to assume).
pub fn read_service(
    text: &str,
    y: &Yaml,
    (name, key, node): (&str, NodeId, NodeId),
    vars: &BTreeMap<String, String>,
    options: &ComposeOptions,
) -> Service {
    let r = Reader { text, y, node, vars };
    let image_node = r.get("image");
    let image = image_node.and_then(|i| y.str(i)).map(|s| interpolate(s, vars).value);
    let cmd = r.command_line();
    let (mut env, env_node, env_shared) = r.environment();
    let env_files = r.env_files();
    env.extend(r.env_file_entries(&env_files, &env));
    let tagged = image.as_deref().and_then(version_from_image);
    let version_of = |product: &str| tagged.or_else(|| options.assumed_version(product));
    // A trailing blank, so that a phrase may say "this word ends here" (`.wsgi `).
    let joined = cmd.argv.join(" ").to_ascii_lowercase() + " ";
    let img = image.as_deref().map(image_name).unwrap_or_default();
    let env_value = |name: &str| env.iter().find(|e| e.name == name).map(|e| e.value.clone());
    let detected = services::detect(&joined, &img, version_of, env_value);
    // Not recognised: an app of your own when it has a URL, else nothing to count.
    let kind = detected.unwrap_or(&SQLALCHEMY);
    let (urls, store) = r.urls_or_store(kind, &cmd, &env);
    let kind = if detected.is_none() && urls.is_empty() { &OTHER } else { kind };
    // Only a product's versions change poolfix's advice.
    let version = kind.product.and_then(version_of);
    // No URL setting at all, and no env_file that could hold one: the program's own default.
    let store = store.or_else(|| {
        let default = kind.urls.default_store(version).filter(|_| urls.is_empty() && env_files.is_empty())?;
        let settings: Vec<&str> = kind.urls.flags.iter().take(1).chain(kind.urls.env).copied().collect();
        let why = format!("{}'s default: none of {} is set", kind.name, settings.join(", "));
        Some(Store { label: default.to_string(), why, anchor: y.node(key).span })
    });
    let key_node = y.node(key);
    Service {
        name: name.to_string(),
        node,
        key_span: key_node.span,
        line: key_node.line,
        kind,
        version,
        version_assumed: version.is_some() && tagged.is_none(),
        processes: r.processes(&kind.processes, &cmd, &env),
        replicas: r.replicas(),
        profiles: r.profiles(),
        ports: r.ports(),
        env_files,
        image,
        image_span: image_node.map(|i| y.node(i).span),
        builds: r.get("build").is_some(),
        has_healthcheck: r.get("healthcheck").is_some(),
        argv: cmd.argv,
        env,
        env_node,
        env_shared,
        urls,
        store,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::LATEST;

    #[test]
    fn versions_from_image_tags() {
        assert_eq!(version_from_image("ghcr.io/mlflow/mlflow:v3.17.2"), Some((3, 17, 2)));
        assert_eq!(version_from_image("prefecthq/prefect:3.4.20-python3.11"), Some((3, 4, 20)));
        assert_eq!(version_from_image("prefecthq/prefect:2-latest"), Some((2, LATEST, LATEST)));
        assert_eq!(crate::knowledge::version_label((3, LATEST, LATEST)), "3.x");
        assert_eq!(version_from_image("prefecthq/prefect:latest"), None);
        assert_eq!(version_from_image("localhost:5000/app"), None);
        assert_eq!(crate::knowledge::parse_version("3.0"), Some((3, 0, LATEST)));
        assert_eq!(crate::knowledge::parse_version("v2"), Some((2, LATEST, LATEST)));
        assert_eq!(crate::knowledge::parse_version("x"), None);
        assert_eq!(image_name("ghcr.io/mlflow/mlflow:v3.17.2"), "mlflow/mlflow");
        assert_eq!(image_name("postgres:16"), "postgres");
    }

    #[test]
    fn words_and_flags() {
        let argv = split_words("gunicorn app:app -w 4 --bind '0.0.0.0:8000'");
        assert_eq!(argv, ["gunicorn", "app:app", "-w", "4", "--bind", "0.0.0.0:8000"]);
        assert_eq!(flag(&argv, &["--workers", "-w"]), Some((3, "4")));
        assert_eq!(flag(&split_words("x --workers=2"), &["--workers"]), Some((1, "2")));
    }

    #[test]
    fn shell_variables_left_by_compose() {
        assert_eq!(shell_variable("$${BACKEND_STORE_URI}"), Some(("BACKEND_STORE_URI", None)));
        assert_eq!(shell_variable("$$DB_URL"), Some(("DB_URL", None)));
        assert_eq!(shell_variable("$${DB:-sqlite:///mlflow.db}"), Some(("DB", Some("sqlite:///mlflow.db"))));
        for not in ["${DB_URL}", "$DB_URL", "$${DB_URL}/x", "postgresql://x", "$$"] {
            assert_eq!(shell_variable(not), None, "{not}");
        }
    }

    #[test]
    fn a_shell_script_is_read_word_by_word() {
        let argv = with_shell_script(split_words(r#"/bin/bash -ec "pip install x && mlflow server -w 2" tail"#));
        assert_eq!(argv, ["/bin/bash", "-ec", "pip", "install", "x", "&&", "mlflow", "server", "-w", "2", "tail"]);
        assert_eq!(flag(&argv, &["-w"]), Some((9, "2")));
        // Not a shell's script flag: left as written.
        let argv = split_words(r#"python -c "print(1)""#);
        assert_eq!(with_shell_script(argv.clone()), argv);
    }
}
