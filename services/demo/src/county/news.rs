//! The demo's news (资讯): the county official writes three articles and the operator approves
//! them (four eyes: the demo's one operator never reviews their own), and pins the spring
//! planting notice to the home page. Skipped when the official has written anything already.

use farmgate_identity::Actor;
use farmgate_kernel::Page;
use farmgate_news::News;
use farmgate_news::domain::{ArticleInput, NewsCategory};
use farmgate_news::service::Pin;

struct DemoArticle {
    title: &'static str,
    summary: &'static str,
    body: &'static str,
    category: NewsCategory,
    pinned: bool,
}

const ARTICLES: &[DemoArticle] = &[
    DemoArticle {
        title: "青石县春耕备耕农资供应与安全用药提示",
        summary: "春耕在即，县农业农村局提醒：选购农资认准正规渠道，严格遵守农药安全间隔期。",
        body: "<h2>农资选购</h2><p>请到有经营许可的门店购买种子、化肥和农药，索要并保存购货凭证。</p>\
<h2>安全用药</h2><ul><li>按标签剂量使用，不得使用禁用农药；</li><li>严格遵守安全间隔期，间隔期内不得采收上市；</li>\
<li>如实记录投入品使用，平台溯源记录会向消费者展示。</li></ul><p>咨询电话：县农技推广中心。</p>",
        category: NewsCategory::Season,
        pinned: true,
    },
    DemoArticle {
        title: "关于开展食用农产品承诺达标合格证培训的通知",
        summary: "面向合作社、家庭农场的合格证开具与溯源记录培训，每周三下午在县农技推广中心举办。",
        body: "<p>为落实食用农产品承诺达标合格证制度，县农业农村局将组织培训：</p>\
<ol><li>合格证的内容与开具方式；</li><li>在平台上登记批次、记录投入品与检测；</li><li>打印二维码标签。</li></ol>\
<p>请各合作社、家庭农场派员参加。</p>",
        category: NewsCategory::Training,
        pinned: false,
    },
    DemoArticle {
        title: "赣南脐橙上市期价格平稳，平台行情看板上线",
        summary: "平台依据真实成交公开各品类价格，样本过少的分组不予展示。",
        body: "<p>本季赣南脐橙陆续上市，平台成交价格总体平稳。</p>\
<p>平台<a href=\"/market.html\">行情看板</a>按真实已付款订单统计每斤、每公斤价格，按乡镇和品类公开，样本过少的分组不展示。</p>",
        category: NewsCategory::Market,
        pinned: false,
    },
];

/// Writes, approves and pins the demo articles; how many were published.
pub async fn seed(news: &News, official: &Actor, operator: &Actor) -> anyhow::Result<usize> {
    let mine = news
        .listed(official, false, None, Page::clamped(1, 0))
        .await?;
    if mine.total > 0 {
        return Ok(0);
    }
    let mut n = 0;
    for a in ARTICLES {
        let input = ArticleInput {
            title: a.title.to_owned(),
            summary: Some(a.summary.to_owned()),
            body_html: a.body.to_owned(),
            category: a.category,
            cover_image_id: None,
            publish_at: None,
        };
        let r = news.create(official, input).await?;
        let id = farmgate_news::domain::ArticleId(r.article.id);
        news.submit(official, id).await?;
        news.approve(operator, id).await?;
        if a.pinned {
            news.pin(operator, id, &Pin { pinned: true }).await?;
        }
        n += 1;
    }
    Ok(n)
}
