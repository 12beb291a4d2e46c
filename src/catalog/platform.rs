//! Which platform a catalog's accounts are on, from the hosts of their post links: what the
//! page needs to link a name to its profile before any detail shard is loaded.

use std::collections::BTreeMap;

use crate::model::Influencer;

/// The platforms a profile link can be made for, by host (a post link's host or any
/// subdomain of it): the key stored in [`super::CatalogMeta::platform`].
pub const PLATFORMS: [&str; 5] = [
    "instagram.com",
    "tiktok.com",
    "youtube.com",
    "x.com",
    "twitter.com",
];

/// The platform of one post link (`https://www.instagram.com/p/..` -> `instagram.com`).
fn of_url(url: &str) -> Option<&'static str> {
    let rest = url
        .split_once("://")
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
        })?
        .1;
    let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let host = host.rsplit_once('@').map_or(host.as_str(), |(_, h)| h);
    let host = host.split(':').next()?;
    PLATFORMS
        .iter()
        .find(|p| host == **p || host.ends_with(&format!(".{p}")))
        .copied()
}

/// The platform most accounts' post links are on (each account votes once, for its first
/// link on a known platform; ties go to the first in [`PLATFORMS`]), or empty when no post
/// link names one.
pub fn of_catalog(influencers: &[Influencer]) -> String {
    let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
    for i in influencers {
        if let Some(p) = i.post_urls.iter().find_map(|u| of_url(u)) {
            let k = PLATFORMS.iter().position(|x| *x == p).unwrap_or(0);
            *votes.entry(k).or_default() += 1;
        }
    }
    votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(&k, _)| PLATFORMS[k].to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(urls: &[&str]) -> Influencer {
        Influencer {
            post_urls: urls.iter().map(|u| u.to_string()).collect(),
            ..Influencer::default()
        }
    }

    #[test]
    fn the_platform_is_where_most_accounts_post() {
        assert_eq!(
            of_url("https://www.instagram.com/p/x/"),
            Some("instagram.com")
        );
        assert_eq!(
            of_url("HTTPS://M.TikTok.com/@a/video/1"),
            Some("tiktok.com")
        );
        assert_eq!(of_url("https://evil-instagram.com/p/x"), None);
        assert_eq!(of_url("https://instagram.com.evil.org/p/x"), None);
        assert_eq!(of_url("https://user@x.com:443/a"), Some("x.com"));
        assert_eq!(of_url("javascript:alert(1)//instagram.com"), None);
        let infs = [
            with(&["https://www.tiktok.com/@a/video/1"]),
            with(&["nonsense", "https://www.instagram.com/p/1/"]),
            with(&[
                "https://www.instagram.com/p/2/",
                "https://www.tiktok.com/@c/video/2",
            ]),
            with(&[]),
        ];
        assert_eq!(of_catalog(&infs), "instagram.com");
        assert_eq!(of_catalog(&infs[..1]), "tiktok.com");
        assert_eq!(of_catalog(&infs[3..]), "");
    }
}
