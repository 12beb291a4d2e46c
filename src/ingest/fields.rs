//! The canonical fields a scraped column or JSON key maps onto, and `--map FIELD=COLUMN`.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// The canonical fields a scraped column can map onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// Account name (required).
    Name,
    /// Follower count.
    Followers,
    /// Profile bio.
    Description,
    /// Likes of the post.
    Likes,
    /// Post caption.
    PostText,
    /// Profile location / audience country.
    Location,
    /// Location tagged on the post.
    PostLocation,
    /// Hashtag list.
    Hashtags,
    /// Post URL.
    PostUrl,
    /// Engagement rate.
    EngagementRate,
    /// Translated hashtag list.
    HashtagsTranslated,
    /// All descriptions joined by the scraper.
    AllDescriptions,
    /// Translated text.
    Translated,
    /// Given category.
    Category,
    /// Cost of a sponsored post.
    CostPost,
    /// Cost of a sponsored story.
    CostStory,
    /// Comments of the post.
    Comments,
    /// The export's business-account flag.
    Business,
    /// The platform's category of a business account.
    BusinessCategory,
    /// The account's display name.
    FullName,
    /// When the post was published (ISO 8601 or Unix time).
    Timestamp,
    /// Handles the post mentions, as the scraper lists them.
    Mentions,
    /// Accounts tagged on the post.
    Tagged,
    /// The post's co-authors (a collab post shown on both accounts).
    Coauthors,
    /// The post's paid-partnership sponsors.
    Sponsors,
    /// The post's paid-partnership flag.
    Sponsored,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 26] = [
        Field::Name,
        Field::Followers,
        Field::Description,
        Field::Likes,
        Field::PostText,
        Field::Location,
        Field::PostLocation,
        Field::Hashtags,
        Field::PostUrl,
        Field::EngagementRate,
        Field::HashtagsTranslated,
        Field::AllDescriptions,
        Field::Translated,
        Field::Category,
        Field::CostPost,
        Field::CostStory,
        Field::Comments,
        Field::Business,
        Field::BusinessCategory,
        Field::FullName,
        Field::Timestamp,
        Field::Mentions,
        Field::Tagged,
        Field::Coauthors,
        Field::Sponsors,
        Field::Sponsored,
    ];

    /// The canonical name used by `--map FIELD=COLUMN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Followers => "followers",
            Field::Description => "description",
            Field::Likes => "likes",
            Field::PostText => "post_text",
            Field::Location => "location",
            Field::PostLocation => "post_location",
            Field::Hashtags => "hashtags",
            Field::PostUrl => "post_url",
            Field::EngagementRate => "engagement_rate",
            Field::HashtagsTranslated => "hashtags_translated",
            Field::AllDescriptions => "all_descriptions",
            Field::Translated => "translated",
            Field::Category => "category",
            Field::CostPost => "cost_post",
            Field::CostStory => "cost_story",
            Field::Comments => "comments",
            Field::Business => "business",
            Field::BusinessCategory => "business_category",
            Field::FullName => "full_name",
            Field::Timestamp => "timestamp",
            Field::Mentions => "mentions",
            Field::Tagged => "tagged",
            Field::Coauthors => "coauthors",
            Field::Sponsors => "sponsors",
            Field::Sponsored => "sponsored",
        }
    }

    /// Column names recognised without a mapping (compared by `name_key`): the seed
    /// scrape's names first, then common alternatives: Instagram scrapers' (Apify's
    /// `ownerUsername`, `likesCount`, ...) and TikTok's (Apify's TikTok scraper:
    /// `authorMeta.name`, `authorMeta.fans`, `diggCount`, `commentCount`, `text`,
    /// `createTimeISO`, `webVideoUrl`, `hashtags: [{name}]`, `locationCreated`, `isAd`; the
    /// web app's item JSON: `author.uniqueId`, `authorStats.followerCount`, `stats.diggCount`,
    /// `desc`, `createTime`, `challenges: [{title}]`). A dotted name is a path into nested
    /// objects in JSON, and the column a CSV export writes for it (`authorMeta/name` or
    /// `authorMeta.name`).
    pub fn default_columns(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "user_Name",
                "name",
                "account",
                "username",
                "ownerUsername",
                "owner_username",
                "authorMeta.name",
                "author.uniqueId",
            ],
            Field::Followers => &[
                "followers",
                "followersCount",
                "followers_count",
                "authorMeta.fans",
                "authorStats.followerCount",
            ],
            Field::Description => &[
                "user_Description",
                "description",
                "bio",
                "biography",
                "authorMeta.signature",
                "author.signature",
            ],
            Field::Likes => &[
                "likes",
                "mean_likes",
                "likesCount",
                "likes_count",
                "diggCount",
                "stats.diggCount",
                "statsV2.diggCount",
            ],
            Field::PostText => &["post_Description", "post_text", "caption", "text", "desc"],
            Field::Location => &["location", "country", "audience country"],
            Field::PostLocation => &[
                "post_Location",
                "locationName",
                "location_name",
                "locationCreated",
            ],
            Field::Hashtags => &["hashtags", "challenges"],
            Field::PostUrl => &["post_Url", "post_urls", "link", "url", "webVideoUrl"],
            Field::EngagementRate => &["engagement_rate"],
            Field::HashtagsTranslated => &["hashtags_translated"],
            Field::AllDescriptions => &["all_descriptions"],
            Field::Translated => &["translated"],
            Field::Category => &["max_category", "category", "category1"],
            Field::CostPost => &["cost_post", "cost_per_post", "cost post"],
            Field::CostStory => &["cost_story", "cost_per_story", "cost story"],
            Field::Comments => &[
                "comments",
                "commentsCount",
                "comments_count",
                "commentCount",
                "stats.commentCount",
                "statsV2.commentCount",
            ],
            Field::Business => &["isBusinessAccount", "is_business_account", "business"],
            Field::BusinessCategory => &[
                "businessCategoryName",
                "business_category_name",
                "business_category",
                "category_name",
            ],
            Field::FullName => &[
                "fullName",
                "full_name",
                "ownerFullName",
                "authorMeta.nickName",
                "author.nickname",
            ],
            Field::Timestamp => &[
                "timestamp",
                "taken_at_timestamp",
                "taken_at",
                "created_at",
                "published_at",
                "createTimeISO",
                "createTime",
            ],
            Field::Mentions => &["mentions", "post_mentions"],
            Field::Tagged => &["taggedUsers", "tagged_users", "tagged_accounts", "tagged"],
            Field::Coauthors => &["coauthorProducers", "coauthors", "co_authors"],
            Field::Sponsors => &[
                "sponsors",
                "sponsor",
                "sponsor_users",
                "paidPartnershipPartners",
                "paid_partner",
            ],
            Field::Sponsored => &[
                "isSponsored",
                "is_sponsored",
                "sponsored",
                "isPaidPartnership",
                "is_paid_partnership",
                "paid_partnership",
                "isAd",
            ],
        }
    }

    /// Parses a canonical field name.
    pub fn parse(s: &str) -> Option<Field> {
        let k = s.trim().to_lowercase();
        Field::ALL.into_iter().find(|f| f.as_str() == k)
    }
}

/// How a column name or JSON key is compared with a field's names: case-insensitively, and
/// with a CSV export's slash path the same as its dotted path (`authorMeta/name` is
/// `authormeta.name`).
pub(super) fn name_key(name: &str) -> String {
    name.trim().to_lowercase().replace('/', ".")
}

/// Explicit `field -> column` assignments that take precedence over the default names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    pub(super) explicit: BTreeMap<Field, String>,
}

impl ColumnMapping {
    /// The names (as [`name_key`]s) a column or JSON key holding `f` may have: the mapped
    /// one, else the field's default names.
    pub(super) fn names_for(&self, f: Field) -> Vec<String> {
        match self.explicit.get(&f) {
            Some(c) => vec![name_key(c)],
            None => f.default_columns().iter().map(|c| name_key(c)).collect(),
        }
    }

    /// Parses `FIELD=COLUMN` specs, e.g. `["followers=Followers count", "name=handle"]`.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<Self> {
        let mut explicit = BTreeMap::new();
        for spec in specs {
            let spec = spec.as_ref();
            let (f, col) = spec.split_once('=').ok_or_else(|| Error::InvalidParam {
                name: "map",
                message: format!("expected FIELD=COLUMN, found {spec:?}"),
            })?;
            let field = Field::parse(f).ok_or_else(|| Error::InvalidParam {
                name: "map",
                message: format!(
                    "unknown field {:?}; fields are: {}",
                    f.trim(),
                    Field::ALL.map(Field::as_str).join(", ")
                ),
            })?;
            explicit.insert(field, col.trim().to_string());
        }
        Ok(ColumnMapping { explicit })
    }
}
