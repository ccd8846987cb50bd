//! Where buyers live and what they are called: destinations weighted the way a county's
//! parcels go (Guangdong, Shanghai, Zhejiang, Jiangsu, Beijing and Jiangxi first), streets, and
//! Chinese names.

use super::random::pick;
use rand::Rng;
use rand::rngs::StdRng;

/// Province, city, weight, districts.
pub(super) const DESTINATIONS: &[(&str, &str, u32, &[&str])] = &[
    (
        "广东省",
        "广州市",
        9,
        &["天河区", "越秀区", "海珠区", "番禺区", "白云区"],
    ),
    (
        "广东省",
        "深圳市",
        9,
        &["南山区", "福田区", "宝安区", "龙岗区"],
    ),
    ("广东省", "东莞市", 3, &["南城街道", "东城街道", "长安镇"]),
    ("广东省", "佛山市", 3, &["禅城区", "南海区", "顺德区"]),
    (
        "上海市",
        "上海市",
        14,
        &["浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区"],
    ),
    (
        "浙江省",
        "杭州市",
        7,
        &["西湖区", "拱墅区", "滨江区", "余杭区"],
    ),
    ("浙江省", "宁波市", 3, &["鄞州区", "海曙区"]),
    ("浙江省", "温州市", 2, &["鹿城区", "瓯海区"]),
    ("江苏省", "南京市", 5, &["鼓楼区", "玄武区", "江宁区"]),
    ("江苏省", "苏州市", 5, &["姑苏区", "吴中区", "昆山市"]),
    ("江苏省", "无锡市", 2, &["梁溪区", "滨湖区"]),
    (
        "北京市",
        "北京市",
        10,
        &["朝阳区", "海淀区", "丰台区", "东城区"],
    ),
    ("江西省", "南昌市", 6, &["红谷滩区", "东湖区", "青山湖区"]),
    ("江西省", "赣州市", 6, &["章贡区", "南康区", "青石县"]),
    ("江西省", "九江市", 2, &["濂溪区", "浔阳区"]),
    ("江西省", "吉安市", 1, &["吉州区"]),
    ("福建省", "厦门市", 2, &["思明区", "湖里区"]),
    ("福建省", "福州市", 2, &["鼓楼区", "仓山区"]),
    ("湖南省", "长沙市", 2, &["岳麓区", "芙蓉区"]),
    ("湖北省", "武汉市", 2, &["武昌区", "洪山区"]),
    ("四川省", "成都市", 2, &["武侯区", "锦江区"]),
    ("山东省", "青岛市", 1, &["市南区"]),
    ("山东省", "济南市", 1, &["历下区"]),
    ("天津市", "天津市", 1, &["南开区"]),
    ("重庆市", "重庆市", 1, &["渝北区"]),
    ("安徽省", "合肥市", 1, &["蜀山区"]),
    ("河南省", "郑州市", 1, &["金水区"]),
    ("陕西省", "西安市", 1, &["雁塔区"]),
];

/// Days a parcel travels from the county (range).
pub(super) fn transit_days(province: &str) -> (i64, i64) {
    match province {
        "江西省" => (1, 2),
        "广东省" | "福建省" | "湖南省" | "浙江省" | "上海市" | "江苏省" | "湖北省" | "安徽省" => {
            (1, 4)
        }
        _ => (2, 5),
    }
}

pub(super) const STREETS: &[&str] = &[
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "滨江大道",
    "文化路",
    "科技路",
    "花园路",
    "学府路",
    "迎宾大道",
    "幸福路",
    "光明街",
    "朝阳路",
];
pub(super) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "钟",
];
pub(super) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "晓燕", "志强", "海燕", "文", "欣怡", "子涵",
    "浩然", "雨萱", "俊杰", "思远", "佳琪", "梓轩", "婷婷", "建国", "红梅", "春花", "立新",
];

#[derive(Clone, Debug)]
pub(super) struct Place {
    pub(super) province: String,
    pub(super) city: String,
    pub(super) district: String,
    pub(super) street: String,
}

pub(super) fn place(rng: &mut StdRng, prefix: &[f64]) -> Place {
    let i = pick(prefix, rng).unwrap_or(0);
    let (province, city, _, districts) = DESTINATIONS[i];
    Place {
        province: province.to_owned(),
        city: city.to_owned(),
        district: districts[rng.random_range(0..districts.len())].to_owned(),
        street: format!(
            "{} {} 号 {} 栋 {} 室",
            STREETS[rng.random_range(0..STREETS.len())],
            rng.random_range(1..400),
            rng.random_range(1..30),
            rng.random_range(1..33) * 100 + rng.random_range(1..6)
        ),
    }
}

pub(super) fn person_name(rng: &mut StdRng) -> String {
    let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let g = GIVEN[rng.random_range(0..GIVEN.len())];
    format!("{s}{g}")
}
