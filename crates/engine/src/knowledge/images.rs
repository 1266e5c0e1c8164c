//! Container images that ship a service without the PostgreSQL driver its backend URL needs
//! (docs/sources.md#images).

use super::services::ServiceKind;
use super::{parse_version, Version};

/// An image repository whose plain tags have no PostgreSQL driver.
#[derive(Debug)]
pub struct DriverlessRepo {
    /// The repository as written in `image:`, without a tag.
    pub repository: &'static str,
    /// The service table's product it runs.
    pub product: &'static str,
    /// The tag suffix of the variant that has the driver, and the first release published with it.
    pub full: Option<(&'static str, Version)>,
    /// What to do where no variant has the driver (`{image}` is replaced by the image).
    pub instead: &'static str,
}

pub static DRIVERLESS: &[DriverlessRepo] = &[
    // `docker/Dockerfile` runs `pip install mlflow==$VERSION` only; `docker/Dockerfile.full`
    // (v3.9.0 and later) installs the database extras (mlflow issues 9513, 20926).
    DriverlessRepo {
        repository: "ghcr.io/mlflow/mlflow",
        product: "mlflow",
        full: Some(("-full", (3, 9, 0))),
        instead: "Build an image `FROM {image}` that runs `pip install psycopg2-binary` and use it through `build:`, or move to 3.9.0 or later and its `-full` image.",
    },
    // Docker's hardened image (docker-hardened-images/catalog issue 298).
    DriverlessRepo {
        repository: "dhi.io/mlflow",
        product: "mlflow",
        full: None,
        instead: "Use `ghcr.io/mlflow/mlflow:v<release>-full` (3.9.0 or later), or an image of your own that adds psycopg2-binary to {image} (a hardened image may have no pip: install it in a build stage).",
    },
];

/// What a driverless image calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverlessImage {
    /// The same release's variant with the driver: insert `text` at byte `at` of the image.
    FullVariant { at: usize, text: &'static str },
    /// No variant has the driver (or the tag is pinned by digest): the repository's advice.
    BuildYourOwn(&'static str),
}

/// Whether `image` runs `kind` without its PostgreSQL driver, and what to use instead. `None`
/// for other images and for tags this table does not know (they may be variants with the driver).
pub fn driverless(kind: ServiceKind, image: &str) -> Option<DriverlessImage> {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let slash = name.rfind('/').unwrap_or(0);
    let (repository, tag) = match name[slash..].rfind(':') {
        Some(i) => (&name[..slash + i], Some(&name[slash + i + 1..])),
        None => (name, None),
    };
    let repo = DRIVERLESS.iter().find(|r| r.repository == repository && kind.product == Some(r.product))?;
    let Some((suffix, since)) = repo.full else {
        return Some(DriverlessImage::BuildYourOwn(repo.instead));
    };
    let release = match tag {
        Some(t) if t.ends_with(suffix) => return None,
        None | Some("latest") => None,
        Some(t) => Some(
            parse_version(t).filter(|_| t.trim_start_matches('v').chars().all(|c| c.is_ascii_digit() || c == '.'))?,
        ),
    };
    if digest || release.is_some_and(|v| v < since) {
        return Some(DriverlessImage::BuildYourOwn(repo.instead));
    }
    Some(match tag {
        Some(_) => DriverlessImage::FullVariant { at: name.len(), text: suffix },
        None => DriverlessImage::FullVariant { at: name.len(), text: ":latest-full" },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::services::{MLFLOW, PREFECT3};

    #[test]
    fn mlflow_images_without_a_driver() {
        let full = |at| Some(DriverlessImage::FullVariant { at, text: "-full" });
        assert_eq!(driverless(&MLFLOW, "ghcr.io/mlflow/mlflow:v3.17.2"), full(29));
        assert_eq!(driverless(&MLFLOW, "ghcr.io/mlflow/mlflow:latest"), full(28));
        assert_eq!(driverless(&MLFLOW, "ghcr.io/mlflow/mlflow:v3.17.2-full"), None);
        let build = |i: usize| Some(DriverlessImage::BuildYourOwn(DRIVERLESS[i].instead));
        assert_eq!(driverless(&MLFLOW, "ghcr.io/mlflow/mlflow:v2.9.2"), build(0));
        assert_eq!(
            driverless(&MLFLOW, "ghcr.io/mlflow/mlflow"),
            Some(DriverlessImage::FullVariant { at: 21, text: ":latest-full" })
        );
        assert_eq!(driverless(&MLFLOW, "ghcr.io/mlflow/mlflow:v3.17.2@sha256:abc"), build(0));
        assert_eq!(driverless(&MLFLOW, "dhi.io/mlflow:3"), build(1));
        // Unknown tags may be variants with the driver; other images and services are not this table's.
        assert_eq!(driverless(&MLFLOW, "ghcr.io/mlflow/mlflow:nightly"), None);
        assert_eq!(driverless(&MLFLOW, "bitnami/mlflow:3"), None);
        assert_eq!(driverless(&PREFECT3, "ghcr.io/mlflow/mlflow:v3.17.2"), None);
    }
}
