//! News's tables. Status and category columns are read into their domain enums here, once.

use crate::domain::{NewsCategory, ReviewStatus};

farmgate_infra::stored_enum!(NewsCategory, ReviewStatus);

pub mod article {
    use super::{NewsCategory, ReviewStatus};
    use sea_orm::entity::prelude::*;

    /// An article: who wrote it, where its newest revision stands, what is public.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "news_articles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub author_id: Uuid,
        pub author_name: String,
        /// `operator` or `official`: what the public page says about who wrote it.
        pub author_role: String,
        pub status: ReviewStatus,
        /// The newest revision (what the status is about).
        pub working_revision_id: Uuid,
        /// The revision the public sees, once one was approved.
        pub published_revision_id: Option<Uuid>,
        /// The published revision's category (the public list filters by it).
        pub category: Option<NewsCategory>,
        pub public_from: Option<DateTimeUtc>,
        pub pinned: bool,
        pub submitted_at: Option<DateTimeUtc>,
        pub reviewed_by: Option<Uuid>,
        pub reviewed_at: Option<DateTimeUtc>,
        pub reject_reason: Option<String>,
        pub withdrawn_at: Option<DateTimeUtc>,
        pub withdrawn_by: Option<Uuid>,
        pub withdraw_reason: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod revision {
    use super::NewsCategory;
    use sea_orm::entity::prelude::*;

    /// One saved version of an article. Never updated, never deleted.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "news_revisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub article_id: Uuid,
        /// 1, 2, 3 … per article.
        pub number: i32,
        pub title: String,
        pub summary: Option<String>,
        /// Sanitised.
        #[sea_orm(column_type = "Text")]
        pub body_html: String,
        pub category: NewsCategory,
        pub cover_image_id: Option<Uuid>,
        pub publish_at: Option<DateTimeUtc>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod image {
    use sea_orm::entity::prelude::*;

    /// A picture uploaded for an article.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "news_images")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub uploaded_by: Uuid,
        pub original_key: String,
        pub display_key: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub width: i32,
        pub height: i32,
        pub uploaded_at: DateTimeUtc,
        /// Shown by an approved revision since then: served to anyone.
        pub public_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
