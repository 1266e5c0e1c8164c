//! PF218: the MLflow server runs an image that has no PostgreSQL driver.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF218",
    scope: Scope::Service,
    name: "mlflow-image-without-driver",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The MLflow image installs MLflow without psycopg2: with a PostgreSQL backend store the server stops at start.",
    fix_title: "Use the `-full` image of the same release (3.9.0 or later), or build one with psycopg2",
    what: "Finds MLflow servers with a PostgreSQL backend whose image is `ghcr.io/mlflow/mlflow` without the `-full` suffix, or Docker's hardened `dhi.io/mlflow`, when the service does not build its own image and its command installs no driver.",
    why: "`ghcr.io/mlflow/mlflow:vX` runs `pip install mlflow==X` and nothing else: no psycopg2, so `postgresql+psycopg2://` fails with `No module named 'psycopg2'` (and a bare `postgresql://` with `No module named 'psycopg'`). The `-full` images, published from 3.9.0, install MLflow's database extras with psycopg2 and psycopg 3. Docker's hardened `dhi.io/mlflow` image has no PostgreSQL driver either.",
    example: "```yaml\nmlflow:\n  image: ghcr.io/mlflow/mlflow:v3.17.2\n  command: mlflow server --backend-store-uri postgresql+psycopg2://…\n```",
    instead: "```yaml\nmlflow:\n  image: ghcr.io/mlflow/mlflow:v3.17.2-full\n  command: mlflow server --backend-store-uri postgresql+psycopg2://…\n```\n\nBefore 3.9.0 (or with `dhi.io/mlflow`), build an image `FROM` it that runs `pip install psycopg2-binary`.",
    fix_safety: "Review: the `-full` image is larger; its tag must exist for your release (3.9.0 or later).",
    references: &[
        ("mlflow issue 9513", "https://github.com/mlflow/mlflow/issues/9513"),
        ("mlflow issue 20926", "https://github.com/mlflow/mlflow/issues/20926"),
        ("docker-hardened-images catalog issue 298", "https://github.com/docker-hardened-images/catalog/issues/298"),
    ],
};

use super::{Finding, Fix, ServiceCtx};
use crate::knowledge::images::{self, DriverlessImage};
use crate::span::Span;

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let (Some(image), Some(span)) = (s.image.as_deref(), s.image_span) else {
        return;
    };
    // An image built here, or a command that installs a driver first, may well have one.
    let command = s.argv.join(" ");
    let installs = command.contains("install") && command.contains("psycopg");
    if s.builds || installs || !s.is_pooled() {
        return;
    }
    let Some(found) = images::driverless(s.kind, image) else {
        return;
    };
    let message = format!(
        "{image} installs {} without psycopg2: the server stops with `No module named 'psycopg2'`",
        s.kind.name
    );
    // The image as written (not from a variable) is edited in place.
    let written = ctx.text.get(span.start..span.end).and_then(|t| t.find(image));
    let fix = match (found, written) {
        (DriverlessImage::FullVariant { at, text }, Some(offset)) => {
            let full = format!("{}{text}{}", &image[..at], &image[at..]);
            Fix::new(format!("Use `{full}`"), Applicability::Review)
                .file_edit(Span::empty_at(span.start + offset + at), text)
        }
        (DriverlessImage::FullVariant { at, text }, None) => Fix::new("Use the -full image", Applicability::Manual)
            .note(format!("Set the image to `{}{text}{}` where it is defined.", &image[..at], &image[at..])),
        (DriverlessImage::BuildYourOwn(instead), _) => {
            Fix::new("Use an image with psycopg2", Applicability::Manual).note(instead.replace("{image}", image))
        }
    };
    out.push(Finding::new(&DOC, message, span).with_fix(fix));
}
