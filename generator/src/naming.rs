//! Every naming rule in one place: case conversion, keyword escaping, collisions.
//!
//! - Fields: snake_case (heck); anything but ASCII letters, digits and `_`
//!   becomes `_`; a leading digit gets a `_` prefix; keywords get a trailing
//!   `_` (`type` → `type_`). The wire name stays in `#[serde(rename)]`.
//! - Types: a TOP type name spells its acronyms as one word
//!   (`ImItemSkuInfoVO` → `ImItemSkuInfoVo`); a name that then is an
//!   UpperCamelCase identifier is kept as written, others are converted
//!   (heck); a leading digit gets a `_` prefix;
//!   `Self` becomes `SelfValue`; a name of the std prelude or the common
//!   imports (`Result`, `Error`, …) takes the API's name before it
//!   (`PcOrderDetailResult`), the TOP name staying in the docs.
//! - Modules: the API name minus a leading `taobao.`; the first segment is the
//!   group module, the rest joined by `_` the API module
//!   (`taobao.pc.order.cancel` → `pc::order_cancel`, `alibaba.x.y` →
//!   `alibaba::x_y`; a one-segment name `taobao.x` → `x::api`). Segments are
//!   snake_cased and anything but ASCII letters and digits becomes `_`
//!   (`m-kvstore.aliyuncs.com.CreateInstance.2015-03-01` →
//!   `m_kvstore::aliyuncs_com_create_instance_2015_03_01`). Module paths are
//!   all lowercase, so files differ whenever paths do; two APIs on one path
//!   are an error.
//! - Request/response structs: the same segments in UpperCamelCase plus
//!   `Request` / `Response` (`PcOrderCancelRequest`).
//! - Category crates and features ([`category_slugs`]): an override line in
//!   `emit/categories.tsv`, else the doc center's package name (`catelog.json`
//!   `pkg`), else the category's name romanized (pinyin, no tones; a closing
//!   `API` dropped: `采购宝API` → `caigoubao`). Names left empty, reserved or
//!   too long are still made valid and stable, with a warning; two categories
//!   on one name are told apart by `-2`, `-3`, … with a warning. The crate
//!   is `top-api-<slug>` ([`category_crate`]), the facade's feature `<slug>`.
//! - Names are unique case-insensitively within their scope ([`Namer`]), so
//!   rustdoc's files never clash on a case-insensitive file system.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords, strict and reserved (2024 edition), plus the weak `union`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// ASCII letters, digits and `_` only; runs of anything else become one `_`.
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// A snake_case identifier (field, module) for a wire name.
pub fn snake_ident(wire: &str) -> String {
    let mut s = sanitize(&wire.to_snake_case());
    if s.trim_matches('_').is_empty() {
        s = "field".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// An UpperCamelCase type name for a TOP type name or a path of names.
pub fn type_ident(name: &str) -> String {
    let kept = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    let mut s = if kept {
        name.to_string()
    } else {
        sanitize(&name.to_upper_camel_case())
    };
    if s.trim_matches('_').is_empty() {
        s = "Type".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if s == "Self" {
        s = "SelfValue".into();
    }
    s
}

/// The type name of a TOP type: acronyms are one word, as Rust spells
/// them (`ImItemSkuInfoVO` → `ImItemSkuInfoVo`), so the spellings of one
/// TOP type that differ only so (`CouponInfoVO`, `CouponInfoVo`) are one
/// name, whichever of them the documents use.
pub fn top_type_ident(top: &str) -> String {
    type_ident(&fold_acronyms(top))
}

/// Each run of capitals but its first letter in lower case; of a run
/// followed by a lower-case letter, the last capital starts that word
/// (`DTOList` → `DtoList`).
fn fold_acronyms(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let upper = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_uppercase());
    let lower = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_lowercase());
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let inside_run = i > 0 && upper(i - 1) && upper(i);
            if inside_run && !lower(i + 1) {
                c.to_ascii_lowercase()
            } else {
                *c
            }
        })
        .collect()
}

/// A type name derived from a field path (`["request", "orderItems"]` → `RequestOrderItems`).
pub fn path_type_ident(path: &[&str]) -> String {
    type_ident(
        &path
            .iter()
            .map(|p| p.to_upper_camel_case())
            .collect::<String>(),
    )
}

/// The API name without its leading `taobao.`.
fn bare(api: &str) -> &str {
    api.strip_prefix("taobao.").unwrap_or(api)
}

/// Group module and API module of an API.
pub fn module_path(api: &str) -> (String, String) {
    let mut segs = bare(api).split('.');
    let mut group = snake_ident(segs.next().unwrap_or(api));
    // `types` is each crate's module of shared types.
    if group == TYPES_MODULE {
        group.push('_');
    }
    let rest: Vec<String> = segs.map(|s| sanitize(&s.to_snake_case())).collect();
    let module = if rest.is_empty() {
        "api".to_string()
    } else {
        snake_ident(&rest.join("_"))
    };
    (group, module)
}

/// The module of a category crate (and of the facade) holding the shared types.
pub const TYPES_MODULE: &str = "types";

/// The module of [`TYPES_MODULE`] holding the shared request-side types:
/// a type sent and a type answered may have one TOP name, and neither
/// side's name then depends on the other's.
pub const PARAM_MODULE: &str = "param";

/// Path of a shared type under [`TYPES_MODULE`]: `Trade`, `param::TradeQuery`.
pub fn shared_path(request: bool, name: &str) -> String {
    if request {
        format!("{PARAM_MODULE}::{name}")
    } else {
        name.to_string()
    }
}

/// Whether a [`shared_path`] is of a request-side type, and its name.
pub fn split_shared_path(path: &str) -> (bool, &str) {
    match path.split_once("::") {
        Some((PARAM_MODULE, name)) => (true, name),
        _ => (false, path),
    }
}

fn api_camel(api: &str) -> String {
    bare(api)
        .split('.')
        .map(|s| sanitize(&s.to_upper_camel_case()).replace('_', ""))
        .collect()
}

/// `PcOrderCancelRequest` for `taobao.pc.order.cancel`.
pub fn request_struct(api: &str) -> String {
    type_ident(&format!("{}Request", api_camel(api)))
}

/// `PcOrderCancelResponse` for `taobao.pc.order.cancel`.
pub fn response_struct(api: &str) -> String {
    type_ident(&format!("{}Response", api_camel(api)))
}

/// Envelope key of a TOP answer: method minus a leading `taobao.`, `.` → `_`,
/// plus `_response`. The runtime's `envelope::response_key` states the same
/// rule for the client; the generated tests check the two agree.
pub fn response_key(api: &str) -> String {
    format!("{}_response", bare(api).replace('.', "_"))
}

/// The setter of a field in generated builders: `with_x` for field `x`
/// (`type_` → `with_type`).
pub fn setter(field_ident: &str) -> String {
    format!("with_{}", field_ident.trim_matches('_'))
}

/// Type names that say nothing; a struct of such a type is named from its path.
const GENERIC_TYPE_NAMES: &[&str] = &["Struct", "Object", "object"];

/// A TOP type name that says nothing of its struct (`Struct`, `Object`).
pub fn is_generic_type_name(top_type: &str) -> bool {
    GENERIC_TYPE_NAMES.contains(&top_type)
}

/// The example test modules' names, one per API, claimed in API order:
/// `<group>_<module>`, never `main` (the tests' root module).
#[derive(Debug)]
pub struct TestModules(Namer);

impl TestModules {
    pub fn new() -> Self {
        let mut names = Namer::new();
        names.claim("main");
        TestModules(names)
    }

    pub fn claim(&mut self, group: &str, module: &str) -> String {
        self.0.claim(&format!("{group}_{module}"))
    }
}

impl Default for TestModules {
    fn default() -> Self {
        Self::new()
    }
}

/// The element a list item takes in Qimen XML: the type name in lowerCamelCase.
pub fn xml_item_name(top_type: &str) -> String {
    let mut c = top_type.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Hands out names unique within one scope, compared case-insensitively.
#[derive(Debug, Default, Clone)]
pub struct Namer {
    taken: BTreeSet<String>,
}

impl Namer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(&name.to_ascii_lowercase())
    }

    /// Take `name`, or `name2`, `name3`, … when it is taken.
    pub fn claim(&mut self, name: &str) -> String {
        let mut candidate = name.to_string();
        let mut n = 2;
        while !self.is_free(&candidate) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.taken.insert(candidate.to_ascii_lowercase());
        candidate
    }
}

/// The category → feature table (`emit/categories.tsv`).
#[derive(Debug, Clone)]
pub struct Features {
    table: BTreeMap<String, String>,
}

impl Features {
    pub fn builtin() -> Self {
        Self::parse(include_str!("emit/categories.tsv"))
    }

    /// Lines `category<TAB>feature`; `#` starts a comment line. Malformed
    /// lines are skipped: a unit test keeps the shipped table clean.
    pub fn parse(text: &str) -> Self {
        let table = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('\t'))
            .map(|(c, f)| (c.trim().to_string(), f.trim().to_string()))
            .collect();
        Features { table }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.table.iter().map(|(c, f)| (c.as_str(), f.as_str()))
    }
}

/// Names a generated type must not take: the std prelude's types, traits
/// and variants, and the common imports. A `use module::*` would shadow them.
const PRELUDE_NAMES: &[&str] = &[
    "AsMut",
    "AsRef",
    "BTreeMap",
    "BTreeSet",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Display",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "Error",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "HashMap",
    "HashSet",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// A type name of the std prelude or the common imports (`Result`, `Error`, …).
pub fn is_prelude_name(name: &str) -> bool {
    PRELUDE_NAMES.contains(&name)
}

/// `name`, or the API's name in UpperCamelCase before it when `name` would
/// shadow a prelude name (`Result` in `taobao.pc.order.detail` →
/// `PcOrderDetailResult`). The docs of the struct keep the TOP name.
pub fn unshadowed_type_ident(name: &str, api: &str) -> String {
    if is_prelude_name(name) {
        type_ident(&format!("{}{name}", api_camel(api)))
    } else {
        name.to_string()
    }
}

/// Where a category's crate and feature name came from; the earlier wins
/// when two categories would get one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameSource {
    /// A line of `emit/categories.tsv`.
    Override,
    /// The doc center's own package name (`catelog.json` `pkg`).
    Package,
    /// The category's name, romanized.
    Romanized,
}

/// A category as the input states it: its name and, where the doc center
/// gives one, its package name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Category {
    pub name: String,
    pub package: Option<String>,
}

/// The facade crate's name; a category's crate is this, `-`, its slug.
pub const FACADE_CRATE: &str = "top-api";

/// The crate of a category's APIs: `top-api-qimen` for the slug `qimen`.
pub fn category_crate(slug: &str) -> String {
    format!("{FACADE_CRATE}-{slug}")
}

/// The name of a crate in Rust paths: `top_api_qimen` for `top-api-qimen`.
pub fn crate_ident(krate: &str) -> String {
    krate.replace('-', "_")
}

/// Longest slug: crates.io takes 64 characters, less `top-api-`.
pub const MAX_SLUG: usize = 56;

/// Slugs cargo or the family reserves for themselves (`server` is the
/// feature of the receiving side, `emit::server::FEATURE`; `serde` gives
/// response types `Serialize`, `emit::server::SERDE_FEATURE`; `types` is
/// the module of shared types).
const RESERVED_SLUGS: &[&str] = &[
    "default", "full", "server", "serde", "types", "std", "core", "alloc", "test", "runtime",
];

/// Words of a category name: ASCII letters and digits lowercased, each run
/// of Chinese characters romanized into one word (plain pinyin, no tones),
/// anything else a separator.
fn slug_words(text: &str) -> Vec<String> {
    use pinyin::ToPinyin;
    #[derive(PartialEq)]
    enum Run {
        None,
        Ascii,
        Han,
    }
    let mut words: Vec<String> = Vec::new();
    let mut run = Run::None;
    for c in text.chars() {
        let (kind, piece) = if c.is_ascii_alphanumeric() {
            (Run::Ascii, c.to_ascii_lowercase().to_string())
        } else if let Some(p) = c.to_pinyin() {
            (Run::Han, p.plain().to_string())
        } else {
            run = Run::None;
            continue;
        };
        if kind != run {
            words.push(String::new());
            run = kind;
        }
        if let Some(w) = words.last_mut() {
            w.push_str(&piece);
        }
    }
    words
}

/// 32-bit FNV-1a of `text` in hex: a stable tag for names with no letters.
fn stable_tag(text: &str) -> String {
    let hash = text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

/// Joins words into a slug that cargo takes as a feature and, after
/// `top-api-`, as a crate name; says why it had to be adjusted.
fn valid_slug(words: &[String], raw: &str) -> (String, Option<String>) {
    let mut slug = words.join("-");
    let mut why = None;
    if slug.is_empty() {
        why = Some(format!(
            "`{raw}` has no letters or digits to name a crate after"
        ));
        slug = format!("cat-{}", stable_tag(raw));
    } else if slug.starts_with(|c: char| c.is_ascii_digit()) {
        slug.insert_str(0, "cat-");
    }
    if is_keyword(&slug) || RESERVED_SLUGS.contains(&slug.as_str()) {
        why = Some(format!("`{slug}` is a reserved word"));
        slug.push_str("-cat");
    }
    if slug.len() > MAX_SLUG {
        why = Some(format!("`{slug}` is longer than {MAX_SLUG} characters"));
        let keep: String = slug.chars().take(MAX_SLUG - 9).collect();
        slug = format!("{}-{}", keep.trim_end_matches('-'), stable_tag(raw));
    }
    (slug, why)
}

/// The romanized slug of a category name; a closing word `API` is dropped,
/// since every category is one of APIs (`采购宝API` → `caigoubao`).
pub fn romanized_slug(name: &str) -> (String, Option<String>) {
    let mut words = slug_words(name);
    if words.len() > 1 && words.last().is_some_and(|w| w == "api") {
        words.pop();
    }
    valid_slug(&words, name)
}

/// A category's crate and feature name before collisions, where it came
/// from, and a warning when it had to be adjusted or a source was unusable.
pub fn category_slug(
    category: &Category,
    overrides: &Features,
) -> (String, NameSource, Option<String>) {
    if let Some(slug) = overrides.table.get(category.name.trim()) {
        return (slug.clone(), NameSource::Override, None);
    }
    let mut unusable = None;
    if let Some(pkg) = category.package.as_deref() {
        let words = slug_words(pkg);
        let (slug, why) = valid_slug(&words, pkg);
        if pkg.is_ascii() && why.is_none() {
            return (slug, NameSource::Package, None);
        }
        unusable = Some(format!(
            "package name `{pkg}` is not a usable crate name; named after the category instead"
        ));
    }
    let (slug, why) = romanized_slug(&category.name);
    let why = match (unusable, why) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    (slug, NameSource::Romanized, why)
}

/// Crate and feature names of all categories, unique: when two would get one
/// name, the one from the earlier [`NameSource`] (then the smaller category)
/// keeps it and the others get `-2`, `-3`, … with a warning. Warnings come
/// with the category they are about.
pub fn category_slugs(
    categories: &BTreeSet<Category>,
    overrides: &Features,
) -> (BTreeMap<Category, String>, Vec<(Category, String)>) {
    let mut warnings = Vec::new();
    let mut wanted: Vec<(NameSource, &Category, String)> = Vec::new();
    for c in categories {
        let (slug, source, why) = category_slug(c, overrides);
        if let Some(why) = why {
            warnings.push((c.clone(), format!("category `{}`: {why}", c.name)));
        }
        wanted.push((source, c, slug));
    }
    wanted.sort();
    let mut owner: BTreeMap<String, &Category> = BTreeMap::new();
    let mut names = BTreeMap::new();
    for (_, c, slug) in wanted {
        let mut name = slug.clone();
        let mut n = 2;
        while owner.contains_key(&name) {
            name = format!("{slug}-{n}");
            n += 1;
        }
        if name != slug {
            warnings.push((
                c.clone(),
                format!(
                    "categories `{}` and `{}` would both be named `{slug}`; `{}` is `{name}`",
                    owner[&slug].name, c.name, c.name
                ),
            ));
        }
        owner.insert(name.clone(), c);
        names.insert(c.clone(), name);
    }
    (names, warnings)
}

/// A feature name cargo accepts and that means one thing in the generated crate.
pub fn is_valid_feature(f: &str) -> bool {
    f.starts_with(|c: char| c.is_ascii_alphabetic())
        && f.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !matches!(f, "default" | "full" | "server" | "serde")
}

// Code enums
//
// - Variants: the code in UpperCamelCase, always converted
//   (`TRADE_CLOSED_BY_TAOBAO` → `TradeClosedByTaobao`, `JYCK` → `Jyck`); a
//   code that starts with a digit or a minus gets a readable prefix (`1` →
//   `Code1`, `-1` → `CodeMinus1`); an empty code is `Empty`.
// - The catch-all is [`OTHER_VARIANT`]; a listed code named like it (`OTHER`)
//   becomes `OtherCode`. Codes that differ only in case or `_` (`open`,
//   `OPEN`) are told apart in list order by [`Namer`] (`Open`, `Open2`).
// - Enums: the owning struct's name and the field's
//   (`Trade` + `status` → `TradeStatus`; top-level fields are owned by
//   `Request` / `Response`), unique within the API through its [`Namer`].

/// The variant that carries a code the documentation does not list.
pub const OTHER_VARIANT: &str = "Other";

/// The variant name of one code, before collisions are decided.
pub fn code_variant(code: &str) -> String {
    let code = code.trim();
    if code.is_empty() {
        return "Empty".into();
    }
    let (sign, body) = match code.strip_prefix('-') {
        Some(rest) => ("Minus", rest),
        None => ("", code),
    };
    let camel = sanitize(&body.to_upper_camel_case()).replace('_', "");
    let name = if camel.is_empty()
        || !sign.is_empty()
        || camel.starts_with(|c: char| c.is_ascii_digit())
    {
        format!("Code{sign}{camel}")
    } else {
        camel
    };
    match name.as_str() {
        "Self" => "SelfValue".into(),
        OTHER_VARIANT => format!("{OTHER_VARIANT}Code"),
        _ => name,
    }
}

/// The variant names of a code list, in list order, distinct from each other
/// and from the catch-all.
pub fn code_variants<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut namer = Namer::new();
    namer.claim(OTHER_VARIANT);
    codes
        .into_iter()
        .map(|c| namer.claim(&code_variant(c)))
        .collect()
}

/// The enum name of a code field: owner and field, before collisions.
pub fn code_enum(owner: &str, field: &str) -> String {
    type_ident(&format!("{owner}{}", field.to_upper_camel_case()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters() {
        for (field, setter) in [
            ("biz_order_id", "with_biz_order_id"),
            ("type_", "with_type"),
            ("_1688id", "with_1688id"),
            ("self_", "with_self"),
        ] {
            assert_eq!(super::setter(field), setter, "{field}");
        }
    }

    #[test]
    fn generic_type_names() {
        for (name, generic) in [
            ("Struct", true),
            ("Object", true),
            ("object", true),
            ("Trade", false),
            ("struct", false),
        ] {
            assert_eq!(is_generic_type_name(name), generic, "{name}");
        }
    }

    #[test]
    fn test_module_names() {
        let mut t = TestModules::new();
        for (group, module, name) in [
            ("pc", "order_cancel", "pc_order_cancel"),
            ("main", "", "main_"),
            ("pc", "order_cancel", "pc_order_cancel2"),
            ("PC", "Order_Cancel", "PC_Order_Cancel3"),
        ] {
            assert_eq!(t.claim(group, module), name, "{group} {module}");
        }
    }

    #[test]
    fn field_names() {
        for (wire, ident) in [
            ("biz_order_id", "biz_order_id"),
            ("warehouseCode", "warehouse_code"),
            ("ownUserId", "own_user_id"),
            ("sub_trade_id", "sub_trade_id"),
            ("ImItemSkuInfoVO", "im_item_sku_info_vo"),
            ("type", "type_"),
            ("self", "self_"),
            ("Self", "self_"),
            ("match", "match_"),
            ("async", "async_"),
            ("gen", "gen_"),
            ("a.b", "a_b"),
            ("a-b", "a_b"),
            ("1688id", "_1688id"),
            ("中文", "field"),
            ("$", "field"),
        ] {
            assert_eq!(snake_ident(wire), ident, "{wire}");
        }
    }

    #[test]
    fn type_names() {
        for (name, ident) in [
            ("ContractCancelOrderReq", "ContractCancelOrderReq"),
            ("ImItemSkuInfoVO", "ImItemSkuInfoVO"),
            ("Result", "Result"),
            ("orderItem", "OrderItem"),
            ("order_item", "OrderItem"),
            ("a.b-c", "ABC"),
            ("Self", "SelfValue"),
            ("1688Order", "_1688Order"),
            ("Struct", "Struct"),
        ] {
            assert_eq!(type_ident(name), ident, "{name}");
        }
        for (top, ident) in [
            ("ImItemSkuInfoVO", "ImItemSkuInfoVo"),
            ("CouponInfoVo", "CouponInfoVo"),
            ("TradeDTO", "TradeDto"),
            ("DTOList", "DtoList"),
            ("OpenApiTrainOrderDetailRSV2", "OpenApiTrainOrderDetailRsv2"),
            ("ISVOrderDO", "IsvOrderDo"),
            ("CampaignDTo", "CampaignDTo"),
            ("1688Order", "_1688Order"),
            ("A", "A"),
            ("order_item", "OrderItem"),
        ] {
            assert_eq!(top_type_ident(top), ident, "{top}");
        }
        assert_eq!(
            path_type_ident(&["request", "orderItems", "orderItem"]),
            "RequestOrderItemsOrderItem"
        );
        assert_eq!(
            path_type_ident(&["result", "order_detail_item"]),
            "ResultOrderDetailItem"
        );
    }

    #[test]
    fn modules_and_structs() {
        for (api, group, module, req) in [
            (
                "taobao.pc.order.cancel",
                "pc",
                "order_cancel",
                "PcOrderCancelRequest",
            ),
            (
                "taobao.qimen.order.cancel",
                "qimen",
                "order_cancel",
                "QimenOrderCancelRequest",
            ),
            (
                "taobao.qimen.auto.entryorder.giftitemcancel",
                "qimen",
                "auto_entryorder_giftitemcancel",
                "QimenAutoEntryorderGiftitemcancelRequest",
            ),
            (
                "taobao.itemmarket.order.info.update",
                "itemmarket",
                "order_info_update",
                "ItemmarketOrderInfoUpdateRequest",
            ),
            ("alibaba.x.y", "alibaba", "x_y", "AlibabaXYRequest"),
            ("taobao.time.get", "time", "get", "TimeGetRequest"),
            ("taobao.type.mod", "type_", "mod_", "TypeModRequest"),
            ("taobao.types.get", "types_", "get", "TypesGetRequest"),
            ("taobao.single", "single", "api", "SingleRequest"),
            (
                "account.aliyuncs.com.CreateApp.2013-07-01",
                "account",
                "aliyuncs_com_create_app_2013_07_01",
                "AccountAliyuncsComCreateApp20130701Request",
            ),
            (
                "m-kvstore.aliyuncs.com.CreateInstance.2015-03-01",
                "m_kvstore",
                "aliyuncs_com_create_instance_2015_03_01",
                "MKvstoreAliyuncsComCreateInstance20150301Request",
            ),
        ] {
            assert_eq!(
                module_path(api),
                (group.to_string(), module.to_string()),
                "{api}"
            );
            assert_eq!(request_struct(api), req, "{api}");
        }
        assert_eq!(
            response_struct("taobao.pc.order.cancel"),
            "PcOrderCancelResponse"
        );
    }

    #[test]
    fn envelope_keys() {
        assert_eq!(
            response_key("taobao.pc.order.cancel"),
            "pc_order_cancel_response"
        );
        assert_eq!(response_key("alibaba.x.y"), "alibaba_x_y_response");
    }

    #[test]
    fn qimen_item_names() {
        assert_eq!(xml_item_name("SubSourceOrder"), "subSourceOrder");
        assert_eq!(xml_item_name("String"), "string");
    }

    #[test]
    fn namer_is_case_insensitive() {
        let mut n = Namer::new();
        assert_eq!(n.claim("Logistics"), "Logistics");
        assert_eq!(n.claim("logistics"), "logistics2");
        assert_eq!(n.claim("LOGISTICS"), "LOGISTICS3");
        assert!(!n.is_free("LoGiStIcS"));
        assert!(n.is_free("Receiver"));
    }

    #[test]
    fn the_embedded_pages_categories_keep_the_doc_centers_package_names() {
        let f = Features::builtin();
        for (name, slug, source) in [
            ("采购宝API", "caigoubao", NameSource::Romanized),
            ("奇门仓储API", "qimen", NameSource::Override),
            ("物流宝API", "wlb", NameSource::Override),
            ("分销铺货", "puhuo", NameSource::Override),
        ] {
            let (got, from, why) = category_slug(&cat(name, None), &f);
            assert_eq!((got.as_str(), from, why), (slug, source, None), "{name}");
        }
    }

    #[test]
    fn shipped_table_is_clean() {
        let text = include_str!("emit/categories.tsv");
        let mut features = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (cat, feature) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("line {}: no tab", i + 1));
            assert!(
                is_valid_feature(feature),
                "line {}: bad feature `{feature}`",
                i + 1
            );
            assert!(!cat.trim().is_empty(), "line {}: empty category", i + 1);
            if let Some(other) = features.insert(cat.to_string(), feature.to_string()) {
                panic!("line {}: category `{cat}` listed twice ({other})", i + 1);
            }
        }
    }

    #[test]
    fn prelude_names_take_the_api_before_them() {
        for (name, api, ident) in [
            ("Result", "taobao.pc.order.detail", "PcOrderDetailResult"),
            (
                "Error",
                "taobao.trade.fullinfo.get",
                "TradeFullinfoGetError",
            ),
            ("Option", "alibaba.x.y", "AlibabaXYOption"),
            ("String", "taobao.time.get", "TimeGetString"),
            ("Vec", "taobao.time.get", "TimeGetVec"),
            ("Box", "taobao.time.get", "TimeGetBox"),
            ("Results", "taobao.pc.order.detail", "Results"),
            ("ResultDTO", "taobao.pc.order.detail", "ResultDTO"),
        ] {
            assert_eq!(unshadowed_type_ident(name, api), ident, "{name}");
        }
    }

    fn cat(name: &str, package: Option<&str>) -> Category {
        Category {
            name: name.into(),
            package: package.map(Into::into),
        }
    }

    #[test]
    fn category_names_from_package_pinyin_or_override() {
        let overrides = Features::parse("分销铺货\tpuhuo\n");
        for (name, package, slug, source, warns) in [
            (
                "奇门仓储API",
                Some("qimen"),
                "qimen",
                NameSource::Package,
                false,
            ),
            (
                "AE-供应链",
                Some("ascpffo"),
                "ascpffo",
                NameSource::Package,
                false,
            ),
            (
                "Some Pkg",
                Some("Ali-Health_2"),
                "ali-health-2",
                NameSource::Package,
                false,
            ),
            (
                "分销铺货",
                Some("fenxiao"),
                "puhuo",
                NameSource::Override,
                false,
            ),
            ("采购宝API", None, "caigoubao", NameSource::Romanized, false),
            (
                "奇门仓储API",
                None,
                "qimencangchu",
                NameSource::Romanized,
                false,
            ),
            (
                "ICBU卖家API",
                None,
                "icbu-maijia",
                NameSource::Romanized,
                false,
            ),
            (
                "ICBU－信保",
                None,
                "icbu-xinbao",
                NameSource::Romanized,
                false,
            ),
            ("MOZI 租户", None, "mozi-zuhu", NameSource::Romanized, false),
            (
                "Promotion Creatives",
                None,
                "promotion-creatives",
                NameSource::Romanized,
                false,
            ),
            ("openimAPI", None, "openimapi", NameSource::Romanized, false),
            ("API", None, "api", NameSource::Romanized, false),
            (
                "1688推客API",
                None,
                "cat-1688-tuike",
                NameSource::Romanized,
                false,
            ),
            (
                "度假&门票-交易管理API",
                None,
                "dujia-menpiao-jiaoyiguanli",
                NameSource::Romanized,
                false,
            ),
            // Bad input: still a valid, stable name, with a warning.
            ("", None, "cat-811c9dc5", NameSource::Romanized, true),
            ("★☆", None, "cat-46ddccce", NameSource::Romanized, true),
            ("type", None, "type-cat", NameSource::Romanized, true),
            ("Full", None, "full-cat", NameSource::Romanized, true),
            ("Server", None, "server-cat", NameSource::Romanized, true),
            (
                "新类目",
                Some("新"),
                "xinleimu",
                NameSource::Romanized,
                true,
            ),
            (
                "新类目",
                Some("--"),
                "xinleimu",
                NameSource::Romanized,
                true,
            ),
        ] {
            let (got, from, why) = category_slug(&cat(name, package), &overrides);
            assert_eq!((got.as_str(), from), (slug, source), "{name:?} {package:?}");
            assert_eq!(why.is_some(), warns, "{name:?}: {why:?}");
            assert!(is_valid_feature(&got), "{got}");
        }
    }

    #[test]
    fn long_category_names_are_cut_with_a_stable_tag() {
        let name = "很".repeat(40);
        let (slug, _, why) = category_slug(&cat(&name, None), &Features::parse(""));
        assert!(slug.len() <= MAX_SLUG, "{slug}");
        assert!(why.is_some());
        assert_eq!(
            slug,
            category_slug(&cat(&name, None), &Features::parse("")).0
        );
        assert_ne!(slug, romanized_slug(&"很".repeat(41)).0);
    }

    #[test]
    fn colliding_categories_are_told_apart_deterministically() {
        let overrides = Features::parse("覆盖\tshop\n");
        let all: BTreeSet<Category> = [
            cat("店铺", None),              // romanized `dianpu`
            cat("店铺API", None),           // romanized `dianpu` too
            cat("店铺API", Some("dianpu")), // the doc center's own `dianpu`
            cat("覆盖", None),              // override `shop`
            cat("商店", Some("shop")),      // package `shop`
        ]
        .into_iter()
        .collect();
        let (names, warnings) = category_slugs(&all, &overrides);
        let got: Vec<(&str, Option<&str>, &str)> = names
            .iter()
            .map(|(c, s)| (c.name.as_str(), c.package.as_deref(), s.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("商店", Some("shop"), "shop-2"),
                ("店铺", None, "dianpu-2"),
                ("店铺API", None, "dianpu-3"),
                ("店铺API", Some("dianpu"), "dianpu"),
                ("覆盖", None, "shop"),
            ]
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].1.contains("`覆盖` and `商店`"), "{warnings:?}");
        assert_eq!(category_slugs(&all, &overrides), (names, warnings));
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn code_variant_names() {
        for (code, want) in [
            ("TRADE_CLOSED_BY_TAOBAO", "TradeClosedByTaobao"),
            ("WAIT_BUYER_PAY", "WaitBuyerPay"),
            ("JYCK", "Jyck"),
            ("B2BRK", "B2brk"),
            ("unShelfed", "UnShelfed"),
            ("create_success", "CreateSuccess"),
            ("v_sp_t_1", "VSpT1"),
            ("1", "Code1"),
            ("01", "Code01"),
            ("-1", "CodeMinus1"),
            ("2B", "Code2b"),
            ("", "Empty"),
            ("  ", "Empty"),
            ("OTHER", "OtherCode"),
            ("other", "OtherCode"),
            ("Self", "SelfValue"),
            ("状态", "Code"),
        ] {
            assert_eq!(code_variant(code), want, "{code:?}");
        }
    }

    #[test]
    fn code_variants_are_told_apart_in_list_order() {
        assert_eq!(
            code_variants(["open", "OPEN", "Open_", "close"]),
            ["Open", "Open2", "Open3", "Close"]
        );
        assert_eq!(
            code_variants(["OTHER", "Other"]),
            ["OtherCode", "OtherCode2"]
        );
        assert_eq!(code_variants(["1", "01"]), ["Code1", "Code01"]);
    }

    #[test]
    fn code_enum_names() {
        assert_eq!(code_enum("Trade", "status"), "TradeStatus");
        assert_eq!(code_enum("Request", "orderType"), "RequestOrderType");
        assert_eq!(
            code_enum("DeliveryOrder", "order_type"),
            "DeliveryOrderOrderType"
        );
        assert_eq!(code_enum("Response", "type"), "ResponseType");
    }
}
