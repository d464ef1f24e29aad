//! Lists the active access-certification campaigns and, in each, the reviews
//! assigned to one reviewer, following every page of both lists.
//!
//! Needs an API token, or an access token with the scopes
//! `okta.governance.accessCertifications.read`.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://dev-123456.okta.com OKTA_CLIENT_TOKEN=... \
//!     cargo run --example governance_campaigns \
//!     --features governance-campaigns,governance-reviews -- <reviewer user id>
//! ```

use okta_api::governance::models::{CampaignsList, ReviewList};
use okta_api::governance::{CampaignsApi, ReviewsApi};
use okta_api::{Client, Error};

/// An active campaign and the reviews in it that the reviewer has to decide.
#[derive(Debug, PartialEq)]
pub struct CampaignReviews {
    pub campaign: String,
    /// `(review id, decision)`.
    pub reviews: Vec<(String, String)>,
}

/// Every active campaign, each with the reviews assigned to `reviewer_id`.
/// Governance lists carry their next page in `_links.next`.
pub async fn run(client: &Client, reviewer_id: &str) -> Result<Vec<CampaignReviews>, Error> {
    let mut out = Vec::new();
    let mut campaigns: CampaignsList = CampaignsApi::new(client)
        .list_campaigns()
        .filter("status eq \"ACTIVE\"")
        .await?;
    loop {
        for campaign in &campaigns.data {
            let filter = format!(
                "campaignId eq \"{}\" and reviewerId eq \"{reviewer_id}\"",
                campaign.id
            );
            let mut reviews: ReviewList = ReviewsApi::new(client).list_reviews().filter(filter).await?;
            let mut decided = Vec::new();
            loop {
                decided.extend(
                    reviews
                        .data
                        .iter()
                        .map(|r| (r.id.clone(), r.decision.to_string())),
                );
                match &reviews.links.next {
                    Some(next) => reviews = client.get_href(&next.href).await?,
                    None => break,
                }
            }
            out.push(CampaignReviews {
                campaign: campaign.name.clone(),
                reviews: decided,
            });
        }
        match &campaigns.links.next {
            Some(next) => campaigns = client.get_href(&next.href).await?,
            None => break,
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reviewer = std::env::args()
        .nth(1)
        .ok_or("usage: governance_campaigns <reviewer user id>")?;
    let client = Client::from_env()?;
    for c in run(&client, &reviewer).await? {
        println!("{}: {} review(s)", c.campaign, c.reviews.len());
        for (id, decision) in c.reviews {
            println!("  {id} {decision}");
        }
    }
    Ok(())
}
