//! The category tree every installation starts with: county produce, two levels. The operator
//! edits it afterwards (`/api/v1/admin/categories`).

use crate::Catalog;
use crate::error::Result;
use crate::store::category;
use sea_orm::{EntityTrait, PaginatorTrait};
use uuid::Uuid;

/// (slug, 中文, English, claim window in hours, children)
type Node = (
    &'static str,
    &'static str,
    &'static str,
    i32,
    &'static [(&'static str, &'static str, &'static str)],
);

/// Claim windows follow how long the goods keep: eggs, vegetables and fish 24 h, fruit 48 h,
/// dry and processed goods a week.
pub const TREE: &[Node] = &[
    (
        "fruit",
        "水果",
        "Fruit",
        48,
        &[
            ("citrus", "柑橘橙柚", "Citrus"),
            ("apple-pear", "苹果梨", "Apples & pears"),
            ("stone-fruit", "桃李杏梅", "Stone fruit"),
            ("berries", "莓果葡萄", "Berries & grapes"),
            ("melons", "瓜类", "Melons"),
            ("fruit-other", "其他水果", "Other fruit"),
        ],
    ),
    (
        "vegetables",
        "蔬菜",
        "Vegetables",
        24,
        &[
            ("leafy", "叶菜", "Leafy greens"),
            ("roots", "根茎薯类", "Roots & tubers"),
            ("fruiting-veg", "茄果瓜豆", "Fruiting vegetables"),
            ("fresh-fungi", "鲜菌菇", "Fresh mushrooms"),
            ("alliums", "葱姜蒜", "Alliums & ginger"),
        ],
    ),
    (
        "grain-oil",
        "粮油米面",
        "Grain & oil",
        168,
        &[
            ("rice", "大米", "Rice"),
            ("coarse-grain", "杂粮豆类", "Coarse grains"),
            ("cooking-oil", "食用油", "Cooking oil"),
            ("flour-noodles", "面粉米粉", "Flour & noodles"),
        ],
    ),
    (
        "meat-eggs",
        "禽畜肉蛋",
        "Meat & eggs",
        24,
        &[
            ("eggs", "禽蛋", "Eggs"),
            ("poultry", "鸡鸭鹅", "Poultry"),
            ("meat", "猪牛羊肉", "Pork, beef & lamb"),
        ],
    ),
    (
        "aquatic",
        "水产",
        "Aquatic products",
        24,
        &[
            ("fish", "鲜鱼", "Fish"),
            ("shrimp-crab", "虾蟹", "Shrimp & crab"),
            ("dried-seafood", "水产干货", "Dried aquatic"),
        ],
    ),
    (
        "tea",
        "茶叶",
        "Tea",
        168,
        &[
            ("green-tea", "绿茶", "Green tea"),
            ("black-tea", "红茶", "Black tea"),
            ("white-tea", "白茶", "White tea"),
            ("tea-other", "花草茶及其他", "Herbal & other"),
        ],
    ),
    (
        "mountain-dry",
        "山货干货",
        "Mountain & dry goods",
        168,
        &[
            ("dried-fungi", "干菌菇", "Dried mushrooms"),
            ("nuts", "坚果炒货", "Nuts"),
            ("honey", "蜂蜜", "Honey"),
            ("bamboo-shoots", "笋干", "Dried bamboo shoots"),
        ],
    ),
    (
        "processed",
        "加工食品",
        "Processed food",
        168,
        &[
            ("dried-fruit", "果干果脯", "Dried fruit"),
            ("pickles", "酱菜腌腊", "Pickles & cured"),
            ("pastry", "糕点", "Pastry"),
            ("drinks", "饮品", "Drinks"),
        ],
    ),
];

impl Catalog {
    /// Seeds the category tree when there are no categories yet; returns how many were added.
    pub async fn ensure_categories(&self) -> Result<usize> {
        let db = &self.infra().db;
        if category::Entity::find().count(db).await? > 0 {
            return Ok(0);
        }
        let now = self.infra().clock.now();
        let mut rows = Vec::new();
        for (i, (slug, name, name_en, window, children)) in TREE.iter().enumerate() {
            let parent = Uuid::now_v7();
            let order = i32::try_from(i).unwrap_or(0) * 10;
            rows.push(category::ActiveModel::from(category::Model {
                id: parent,
                parent_id: None,
                name: (*name).to_owned(),
                name_en: (*name_en).to_owned(),
                slug: (*slug).to_owned(),
                sort_order: order,
                active: true,
                claim_window_hours: *window,
                commission_bp: 500,
                created_at: now,
                ship_within_hours: None,
            }));
            for (j, (cslug, cname, cname_en)) in children.iter().enumerate() {
                rows.push(category::ActiveModel::from(category::Model {
                    id: Uuid::now_v7(),
                    parent_id: Some(parent),
                    name: (*cname).to_owned(),
                    name_en: (*cname_en).to_owned(),
                    slug: (*cslug).to_owned(),
                    sort_order: i32::try_from(j).unwrap_or(0),
                    active: true,
                    claim_window_hours: *window,
                    commission_bp: 500,
                    created_at: now,
                    ship_within_hours: None,
                }));
            }
        }
        let n = rows.len();
        // Parents first, so the foreign key holds at every insert.
        for row in rows {
            category::Entity::insert(row)
                .exec_without_returning(db)
                .await?;
        }
        Ok(n)
    }

    /// A category by slug (the demo seed and tests use slugs).
    pub async fn category_by_slug(&self, slug: &str) -> Result<Option<category::Model>> {
        Ok(self
            .categories()
            .await?
            .into_iter()
            .find(|c| c.slug == slug))
    }
}
