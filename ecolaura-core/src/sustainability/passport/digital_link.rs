//! GS1 Digital Link (GS1 Digital Link Standard 1.4, section 4): a product
//! identified on the web as `{resolver}/01/{gtin14}`, where `01` is the GS1
//! application identifier of the GTIN and the GTIN takes its 14-digit form.

use crate::domain::{Gtin, ProductId};

/// Why a text is not a resolver base.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an http(s) URL without query or fragment, such as \"https://id.shop.example\"")]
pub struct ResolverBaseError;

/// A base URL: `http(s)://host[:port][/path]`, printable ASCII, without
/// query or fragment, kept without a trailing slash. Where Digital Link
/// URIs of the shop's products start (and where a host is reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolverBase(String);

impl ResolverBase {
    /// Parse a base URL; a trailing `/` is dropped.
    ///
    /// # Errors
    /// [`ResolverBaseError`] for anything else.
    pub fn parse(raw: &str) -> Result<Self, ResolverBaseError> {
        let trimmed = raw.trim().trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .ok_or(ResolverBaseError)?;
        let host = rest.split('/').next().unwrap_or_default();
        let printable = trimmed.bytes().all(|b| b.is_ascii_graphic());
        if host.is_empty() || !printable || trimmed.contains(['?', '#']) {
            return Err(ResolverBaseError);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The base of a server bound to `addr` (`localhost` for one bound to
    /// every interface).
    pub fn for_address(addr: std::net::SocketAddr) -> Self {
        if addr.ip().is_unspecified() {
            Self(format!("http://localhost:{}", addr.port()))
        } else {
            Self(format!("http://{addr}"))
        }
    }

    /// The base, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The passport's identity: the GS1 Digital Link URI of a product with a
/// GTIN, `urn:uuid:{id}` for one without.
///
/// ```
/// use ecolaura_core::domain::{Gtin, ProductId};
/// use ecolaura_core::sustainability::passport::{ResolverBase, digital_link};
/// let base = ResolverBase::parse("https://id.shop.example/").unwrap();
/// let gtin = Gtin::parse("4006381333931").unwrap();
/// assert_eq!(
///     digital_link(&base, Some(&gtin), ProductId::new()),
///     "https://id.shop.example/01/04006381333931"
/// );
/// ```
pub fn digital_link(base: &ResolverBase, gtin: Option<&Gtin>, id: ProductId) -> String {
    match gtin {
        Some(gtin) => format!("{}/01/{}", base.as_str(), gtin.as_str()),
        None => format!("urn:uuid:{}", id.as_uuid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gtin_form_links_to_the_same_fourteen_digits() {
        let base = ResolverBase::parse("https://id.shop.example").unwrap();
        let id = ProductId::new();
        // GS1's own examples: an EAN-8, a UPC-A, an EAN-13 and a GTIN-14.
        for (form, fourteen) in [
            ("96385074", "00000096385074"),
            ("036000291452", "00036000291452"),
            ("4006381333931", "04006381333931"),
            ("10614141000415", "10614141000415"),
        ] {
            let gtin = Gtin::parse(form).unwrap();
            assert_eq!(
                digital_link(&base, Some(&gtin), id),
                format!("https://id.shop.example/01/{fourteen}")
            );
        }
        assert_eq!(
            digital_link(&base, None, id),
            format!("urn:uuid:{}", id.as_uuid())
        );
    }

    #[test]
    fn a_resolver_base_is_an_http_url_without_query() {
        assert_eq!(
            ResolverBase::parse("http://127.0.0.1:8080/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080"
        );
        assert!(ResolverBase::parse("https://id.example/dpp").is_ok());
        for bad in [
            "",
            "id.example",
            "ftp://x",
            "https://",
            "https://x?y",
            "https://x#y",
            "https://a b",
        ] {
            assert!(ResolverBase::parse(bad).is_err(), "{bad}");
        }
    }
}
