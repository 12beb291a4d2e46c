//! The data model: influencers, brands and the interactions between them.
//!
//! These are plain records. Text fields hold untrusted scraped text exactly as normalised by
//! the importer; whoever renders them must treat them as text, never markup.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One influencer profile, aggregated from that account's scraped posts (the default: no
/// name, everything unknown or empty, a creator).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Influencer {
    /// Account name (unique key, compared case-insensitively).
    pub name: String,
    /// Follower count; `None` when the scrape never reported it (unknown is not zero).
    pub followers: Option<u64>,
    /// Profile bio.
    pub description: String,
    /// Mean likes over the posts that reported likes; `None` when no post did.
    pub mean_likes: Option<f64>,
    /// Engagement rate as a fraction (0.035 = 3.5 %): mean likes / followers unless the
    /// source gave it; `None` when neither is known (no likes, or no followers).
    pub engagement_rate: Option<f64>,
    /// Country: an ISO 3166-1 alpha-2 code when the place resolved ([`crate::places`]),
    /// else empty (the place's text stays in [`Influencer::location`]).
    pub country: String,
    /// Category slug from the lexicon, or empty when unknown.
    pub category: String,
    /// Normalised hashtags, first-seen order, no duplicates.
    pub hashtags: Vec<String>,
    /// Post URLs, first-seen order.
    pub post_urls: Vec<String>,
    /// Cost of one sponsored post, when known.
    pub cost_per_post: Option<f64>,
    /// Cost of one sponsored story, when known.
    pub cost_per_story: Option<f64>,
    /// The place as the scrape wrote it ("Los Angeles, California"), kept beside the
    /// resolved country.
    #[serde(default)]
    pub location: String,
    /// What the account is: a creator, or a brand's or a medium's own account.
    #[serde(default)]
    pub kind: AccountKind,
    /// The day of the newest post, ISO 8601 ("2026-11-20"); empty where the scrape has no
    /// post times.
    #[serde(default)]
    pub last_post: String,
    /// Posts per week over the span of the account's dated posts; `None` with fewer than two
    /// dated posts or a span under a day.
    #[serde(default)]
    pub posts_per_week: Option<f64>,
    /// Engagement rate over the posts of the last [`RECENT_DAYS`] days before the scrape's
    /// newest post (likes, plus comments where present, over followers); `None` where no
    /// recent post reports likes or the followers are unknown.
    #[serde(default)]
    pub recent_engagement_rate: Option<f64>,
}

/// The window of "recent" engagement, in days before the scrape's newest post.
pub const RECENT_DAYS: i64 = 90;

/// What an account is. Scrapes mix creators with brands, shops and media outlets posting
/// under the same hashtags; a brand looking for influencers mostly wants the first.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    /// A person who posts (the default when nothing says otherwise).
    #[default]
    Creator,
    /// A brand's, shop's or retailer's own account.
    Brand,
    /// A magazine, broadcaster, news or fan page.
    Media,
}

impl AccountKind {
    /// All kinds, in table order.
    pub const ALL: [AccountKind; 3] =
        [AccountKind::Creator, AccountKind::Brand, AccountKind::Media];

    /// The name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Creator => "creator",
            AccountKind::Brand => "brand",
            AccountKind::Media => "media",
        }
    }

    /// Parses a kind by name (case and spaces forgiven); empty is a creator.
    pub fn parse(s: &str) -> Option<AccountKind> {
        let k = s.trim().to_ascii_lowercase();
        if k.is_empty() {
            return Some(AccountKind::Creator);
        }
        AccountKind::ALL.into_iter().find(|a| a.as_str() == k)
    }
}

/// What a card shows of an influencer beyond what ranking and campaign planning read (the
/// story cost stays with the costs): shipped in the bundle's detail shards, fetched when a
/// card needs them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfluencerDetails {
    /// Profile bio.
    pub description: String,
    /// Post URLs, first-seen order.
    pub post_urls: Vec<String>,
    /// The place as the scrape wrote it.
    pub location: String,
}

impl Influencer {
    /// The detail fields (see [`InfluencerDetails`]).
    pub fn details(&self) -> InfluencerDetails {
        InfluencerDetails {
            description: self.description.clone(),
            post_urls: self.post_urls.clone(),
            location: self.location.clone(),
        }
    }

    /// Sets the detail fields.
    pub fn set_details(&mut self, d: InfluencerDetails) {
        self.description = d.description;
        self.post_urls = d.post_urls;
        self.location = d.location;
    }

    /// The record as the bundle's core carries it: detail fields empty.
    pub fn without_details(&self) -> Influencer {
        let mut i = self.clone();
        i.set_details(InfluencerDetails::default());
        i
    }
}

/// Collaboration evidence: an influencer's posts that name one handle (an @mention, a tag or
/// a paid-partnership sponsor), one row of `mentions.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The influencer's account name.
    pub influencer: String,
    /// The handle named, normalised (lower case, no `@`).
    pub handle: String,
    /// Posts that name it.
    pub posts: u32,
    /// Of those, posts marked paid that credit it: it is their named sponsor, or the post
    /// carries a disclosure (#ad and its siblings) and names no sponsor.
    pub sponsored_posts: u32,
    /// The day (ISO 8601) of the first and the last such post, empty where posts carry no
    /// time.
    pub first_seen: String,
    /// See `first_seen`.
    pub last_seen: String,
}

/// One brand (a user of the recommender).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Brand {
    /// Brand name (unique key, compared case-insensitively).
    pub name: String,
    /// Category slug, or empty when unknown.
    pub category: String,
    /// Country (display form).
    pub country: String,
    /// Normalised hashtags.
    pub hashtags: Vec<String>,
    /// Follower count of the brand's own account.
    pub followers: u64,
    /// Brand description.
    pub description: String,
    /// The brand's own account handle (normalised, no `@`), or empty when unknown: what the
    /// influencers' mentions are matched against.
    #[serde(default)]
    pub handle: String,
}

/// What a brand did with a recommended influencer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// Opened the influencer from a list.
    Click,
    /// Looked at the influencer's details.
    CheckInfo,
    /// Put the influencer on a campaign.
    AddToCampaign,
    /// Worked with the influencer.
    Collaboration,
}

impl InteractionKind {
    /// All kinds, in funnel order.
    pub const ALL: [InteractionKind; 4] = [
        InteractionKind::Click,
        InteractionKind::CheckInfo,
        InteractionKind::AddToCampaign,
        InteractionKind::Collaboration,
    ];

    /// The canonical snake_case name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Click => "click",
            InteractionKind::CheckInfo => "check_info",
            InteractionKind::AddToCampaign => "add_to_campaign",
            InteractionKind::Collaboration => "collaboration",
        }
    }

    /// Parses a kind; spaces, dashes and case are forgiven (`"Check info"` is `check_info`).
    pub fn parse(s: &str) -> Option<InteractionKind> {
        let k = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        InteractionKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == k)
    }
}

/// Points each interaction kind earns. Defaults follow the product design.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PointsConfig {
    /// Points for a click (default 1).
    pub click: f64,
    /// Points for checking info (default 2).
    pub check_info: f64,
    /// Points for adding to a campaign (default 5).
    pub add_to_campaign: f64,
    /// Points for a collaboration (default 10).
    pub collaboration: f64,
}

impl Default for PointsConfig {
    fn default() -> Self {
        PointsConfig {
            click: 1.0,
            check_info: 2.0,
            add_to_campaign: 5.0,
            collaboration: 10.0,
        }
    }
}

impl PointsConfig {
    /// Points for one interaction of `kind`.
    pub fn points(&self, kind: InteractionKind) -> f64 {
        match kind {
            InteractionKind::Click => self.click,
            InteractionKind::CheckInfo => self.check_info,
            InteractionKind::AddToCampaign => self.add_to_campaign,
            InteractionKind::Collaboration => self.collaboration,
        }
    }

    /// Rejects negative or non-finite points.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("points.click", self.click),
            ("points.check_info", self.check_info),
            ("points.add_to_campaign", self.add_to_campaign),
            ("points.collaboration", self.collaboration),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::InvalidParam {
                    name,
                    message: format!("must be a finite number >= 0, got {v}"),
                });
            }
        }
        Ok(())
    }
}

/// One recorded interaction: a row that grows the training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// Globally unique event id (generated where the event happened).
    pub event_id: String,
    /// Brand name.
    pub brand: String,
    /// Influencer name.
    pub influencer: String,
    /// What happened.
    pub kind: InteractionKind,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: i64,
    /// Points earned (normally `PointsConfig::points(kind)`).
    pub points: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_forgivingly_and_round_trip() {
        for k in InteractionKind::ALL {
            assert_eq!(InteractionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            InteractionKind::parse(" Check info "),
            Some(InteractionKind::CheckInfo)
        );
        assert_eq!(
            InteractionKind::parse("add-to-campaign"),
            Some(InteractionKind::AddToCampaign)
        );
        assert_eq!(InteractionKind::parse("like"), None);
    }

    #[test]
    fn default_points_follow_the_design_and_validate() {
        let p = PointsConfig::default();
        let got: Vec<f64> = InteractionKind::ALL.iter().map(|&k| p.points(k)).collect();
        assert_eq!(got, vec![1.0, 2.0, 5.0, 10.0]);
        assert!(p.validate().is_ok());
        let bad = PointsConfig { click: -1.0, ..p };
        assert!(bad.validate().is_err());
    }
}
