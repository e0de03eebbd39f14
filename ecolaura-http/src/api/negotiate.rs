//! Content negotiation between the representations an operation offers.

use poem::web::Accept;

/// Whether the client prefers `wanted` (`type/subtype`) to the
/// operation's default representation `default`: the first media range of
/// `Accept` (by quality; a range with `q=0` refuses, so it is skipped) that
/// names either one, or a wildcard (which the default answers), decides.
/// No `Accept`, or none of them: the default.
pub(crate) fn prefers(accept: &Accept, wanted: &str, default: &str) -> bool {
    accept
        .0
        .iter()
        .filter(|m| {
            m.get_param("q")
                .is_none_or(|q| q.as_str().parse::<f32>().is_ok_and(|q| q > 0.0))
        })
        .find_map(|m| {
            let range = m.essence_str();
            if range == wanted {
                Some(true)
            } else if range == default || range == "*/*" || range.ends_with("/*") {
                Some(false)
            } else {
                None
            }
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(header: &str) -> Accept {
        Accept(
            header
                .split(',')
                .filter_map(|m| m.trim().parse().ok())
                .collect(),
        )
    }

    #[test]
    fn the_first_acceptable_range_that_names_a_representation_decides() {
        let csv = |h| prefers(&accept(h), "text/csv", "application/json");
        assert!(csv("text/csv"));
        assert!(csv("text/csv, application/json;q=0.5"));
        assert!(csv("image/png, text/csv"));
        assert!(!csv("application/json"));
        assert!(!csv("*/*"));
        assert!(!csv(""));
        assert!(!csv("text/csv;q=0"));
        let json = |h| prefers(&accept(h), "application/json", "application/ld+json");
        assert!(json("application/json"));
        assert!(!json("application/ld+json, application/json"));
        assert!(!json("application/json;q=0"));
        assert!(!json("application/*"));
    }
}
