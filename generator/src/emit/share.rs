//! Shared types: within a category crate, one Rust type per TOP type, in
//! the crate's `types` module, however many of its APIs use it.
//!
//! Each API is resolved on its own first ([`super::space::resolve`]); this
//! step reads the structs of all the APIs of a category and decides:
//!
//! - a response-side TOP type is one struct with the union of the fields
//!   its documents give it (every response field is optional); where they
//!   disagree about a field's type, the type both forms decode into
//!   (`reconcile`), else the TOP type stays a struct of each API;
//! - a request-side TOP type is shared when every document gives it the
//!   same fields with the same required flags;
//! - a shared type's fields may only name shared types, so a type that
//!   holds a type kept per API stays per API too; generic wrapper names
//!   (`Result`) are never shared;
//! - a type one document gives several shapes or spellings stays per API:
//!   that document's module names them apart;
//! - a type used by one API is shared all the same, so where a type lives
//!   depends on its own documents alone, not on which other APIs exist;
//! - its name is its TOP type's ([`naming::top_type_ident`]), whatever other
//!   types and APIs there are; request-side types are in `types::param`,
//!   so a type sent and a type answered may have one TOP name;
//! - an API module re-exports each shared type its document declares under
//!   the name resolving that document alone gave it (`Far as FarData`), so
//!   no other document renames anything in it.
//!
//! Every disagreement decided is a [`Decision`], and a warning.

use std::collections::{BTreeMap, BTreeSet};

use super::space::{self, Api, CodeEnum, Field, Scalar, Side, Struct, Ty, Types, Variant};
use crate::diag::{Kind, Warning};
use crate::naming::{self, Namer};

/// A TOP type of a category: request side, sent over Qimen, its name.
type Key = (bool, bool, String);

fn key_of(s: &Struct) -> Key {
    (s.side == Side::Request, s.qimen, s.top_type.clone())
}

/// TOP types merged into one: where documents give one field of a type
/// different struct types (`PromotionDetail`, `PromotionDetails`), they
/// are the same type under two names. Each maps to the name that sorts
/// first.
#[derive(Debug, Default)]
struct Aliases(BTreeMap<Key, Key>);

impl Aliases {
    fn rep(&self, k: &Key) -> Key {
        let mut k = k;
        while let Some(next) = self.0.get(k) {
            k = next;
        }
        k.clone()
    }

    /// Merge the types of `keys`; whether any two were apart.
    fn unite(&mut self, keys: &BTreeSet<Key>) -> bool {
        let reps: BTreeSet<Key> = keys.iter().map(|k| self.rep(k)).collect();
        let Some(first) = reps.iter().next().cloned() else {
            return false;
        };
        for r in reps.iter().skip(1) {
            self.0.insert(r.clone(), first.clone());
        }
        reps.len() > 1
    }

    /// The TOP names merged into `k`, but its own, sorted.
    fn merged_into(&self, k: &Key) -> Vec<String> {
        self.0
            .keys()
            .filter(|a| self.rep(a) == *k)
            .map(|a| a.2.clone())
            .collect()
    }
}

/// What a field holds, across APIs: a scalar or a TOP type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Holds {
    Scalar(Scalar),
    Type(Key),
}

impl Holds {
    fn shown(&self) -> String {
        match self {
            Holds::Scalar(s) => scalar_name(*s).to_string(),
            Holds::Type((_, _, t)) => t.clone(),
        }
    }
}

/// The name a scalar goes by in messages: its first TOP name.
fn scalar_name(s: Scalar) -> &'static str {
    crate::types::TABLE
        .iter()
        .find(|(_, x)| *x == s)
        .map_or("?", |(n, _)| n)
}

/// One field of a shared type, merged from its occurrences.
#[derive(Debug, Clone)]
struct Merged {
    wire: String,
    holds: Holds,
    array: bool,
    boxed: bool,
    required: bool,
    description: Option<String>,
    example: Option<String>,
    /// The field's code enum, with the union of the occurrences' codes
    /// (named and placed when the type is built).
    codes: Option<CodeEnum>,
}

/// A disagreement between the documents of a category about a TOP type,
/// and how it was decided. `cargo xtask platform` lists them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub feature: String,
    pub side: Side,
    pub top_type: String,
    /// The field the documents disagree about.
    pub field: String,
    /// Each type seen, with the APIs that give it.
    pub seen: Vec<(String, Vec<String>)>,
    /// `String`: one type that reads every form; `kept apart: …`: a struct
    /// per API.
    pub outcome: String,
    /// Field path of the field in the first document.
    pub path: String,
}

impl Decision {
    /// Every API the decision is about, first seen first.
    pub fn apis(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in self.seen.iter().flat_map(|(_, apis)| apis) {
            if !out.contains(&a.as_str()) {
                out.push(a);
            }
        }
        out
    }

    /// A row of the decisions' TSV.
    pub fn tsv_row(&self) -> String {
        let seen: Vec<String> = self
            .seen
            .iter()
            .map(|(t, apis)| format!("{t}: {}", apis.join(",")))
            .collect();
        let clean = |s: &str| s.replace(['\t', '\n'], " ");
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            self.feature,
            self.side.root(),
            self.top_type,
            self.field,
            clean(&seen.join("; ")),
            clean(&self.outcome)
        )
    }

    /// The header line of the decisions' TSV.
    pub const TSV_HEADER: &'static str = "feature\tside\ttype\tfield\tseen\tdecision\n";

    fn message(&self) -> String {
        let seen: Vec<String> = self
            .seen
            .iter()
            .map(|(t, apis)| format!("`{t}` in {}", listed(apis)))
            .collect();
        format!(
            "documents disagree about field `{}` of TOP type `{}` ({}): {}; {}",
            self.field,
            self.top_type,
            self.side.root(),
            seen.join(", "),
            self.outcome
        )
    }
}

/// At most a few API names, and how many more.
fn listed(apis: &[String]) -> String {
    const SHOWN: usize = 4;
    let mut out = apis
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if apis.len() > SHOWN {
        out.push_str(&format!(" and {} more", apis.len() - SHOWN));
    }
    out
}

/// The shared types of one category and what each API becomes with them.
#[derive(Debug, Default)]
pub struct Plan {
    pub feature: String,
    pub types: Types,
    /// Digest of each shared struct with its code enums, by path under
    /// `types` ([`Types::path`]): what an
    /// API's example tests read of the types it imports.
    pub digests: BTreeMap<String, [u8; 32]>,
    pub decisions: Vec<Decision>,
    pub warnings: Vec<Warning>,
}

/// The type both forms of a field decode into, losing no value the gateway
/// may send: a JSON value holds anything; a decimal reads integers; text
/// reads numbers, flags and dates as sent. Files mix with nothing.
fn reconcile(seen: &BTreeSet<Scalar>) -> Option<Scalar> {
    use Scalar::*;
    let all = |allowed: &[Scalar]| seen.iter().all(|s| allowed.contains(s));
    if seen.len() == 1 {
        seen.iter().next().copied()
    } else if seen.contains(&File) {
        None
    } else if seen.contains(&Json) || seen.contains(&Map) {
        Some(Json)
    } else if all(&[Int, Decimal]) {
        Some(Decimal)
    } else {
        Some(String)
    }
}

/// The occurrences of each TOP type: (API, struct) in API order.
type Groups = BTreeMap<Key, Vec<(usize, usize)>>;

fn groups(apis: &[&Api], al: &Aliases, reserved: &Reserved) -> Groups {
    let mut out = Groups::new();
    for (a, api) in apis.iter().enumerate() {
        for (i, s) in api.structs.iter().enumerate() {
            if reserved.allows(&s.top_type) {
                out.entry(al.rep(&key_of(s))).or_default().push((a, i));
            }
        }
    }
    out
}

/// Merge TOP names that differ only in case, and the struct types that
/// one response field of a type holds across documents under singular and
/// plural spellings of one name
/// (`PromotionDetail`, `PromotionDetails`), until no field disagrees so.
/// Other names stay apart: a wrapper (`ApiResult`) whose `data` is a
/// different type in each API is not one type.
fn aliases(apis: &[&Api], reserved: &Reserved) -> Aliases {
    let mut al = Aliases::default();
    // Names that differ only in case (`FeatureDO`, `FeatureDo`) are one
    // type wherever they are: their Rust names would differ by a number
    // that depends on which of them exist.
    let mut cases: BTreeMap<Key, BTreeSet<Key>> = BTreeMap::new();
    for s in apis.iter().flat_map(|a| &a.structs) {
        if reserved.allows(&s.top_type) {
            let (request, qimen, top) = key_of(s);
            let folded = (request, qimen, top.to_ascii_lowercase());
            cases.entry(folded).or_default().insert(key_of(s));
        }
    }
    for keys in cases.values() {
        al.unite(keys);
    }
    loop {
        let mut changed = false;
        for (k, occ) in &groups(apis, &al, reserved) {
            if k.0 {
                continue;
            }
            for (_, seen) in by_wire(apis, occ) {
                // A type is not merged with the one that holds it: that is a
                // document pointing a field back at its owner.
                let mut spellings: BTreeMap<String, BTreeSet<Key>> = BTreeMap::new();
                for (a, f) in &seen {
                    if let Holds::Type(t) = holds(apis[*a], f, &al)
                        && reserved.allows(&t.2)
                        && t != *k
                    {
                        spellings.entry(singular(&t.2)).or_default().insert(t);
                    }
                }
                for types in spellings.values() {
                    changed |= al.unite(types);
                }
            }
        }
        if !changed {
            return al;
        }
    }
}

/// A name with each word's plural `s` dropped, lower case:
/// `PromotionDetails` and `PromotionDetail`, `LyricsDto` and `LyricDto`
/// spell one name.
fn singular(top: &str) -> String {
    use heck::ToSnakeCase;
    top.to_snake_case()
        .split('_')
        .map(|w| w.strip_suffix('s').filter(|r| !r.is_empty()).unwrap_or(w))
        .collect::<Vec<_>>()
        .join("_")
}

/// The type names a category's `types` module leaves alone: what says
/// nothing of a struct (`Struct`), prelude names (`Option`, renamed per
/// API), and `Request`, `Response` and the names of the APIs' own request
/// and response structs, which their modules define.
struct Reserved(BTreeSet<String>);

impl Reserved {
    fn of(apis: &[&Api]) -> Self {
        let own = apis
            .iter()
            .flat_map(|a| [&a.request_name, &a.response_name]);
        let names = own
            .map(|n| n.to_ascii_lowercase())
            .chain(["request".into(), "response".into()]);
        Reserved(names.collect())
    }

    fn allows(&self, top: &str) -> bool {
        let ident = naming::top_type_ident(top);
        !naming::is_generic_type_name(top)
            && !naming::is_prelude_name(&ident)
            && !self.0.contains(&ident.to_ascii_lowercase())
    }
}

/// How a group came out: its fields, or why it stays per API (and the
/// decisions taken on its fields either way).
struct Outcome {
    fields: Result<Vec<Merged>, String>,
    decisions: Vec<Decision>,
}

/// What a field of an API's struct holds.
fn holds(api: &Api, f: &Field, al: &Aliases) -> Holds {
    match f.ty {
        Ty::Scalar(s) => Holds::Scalar(s),
        Ty::Struct(j) => Holds::Type(al.rep(&key_of(&api.structs[j]))),
    }
}

fn first_text<'a>(texts: impl Iterator<Item = &'a Option<String>>) -> Option<String> {
    texts.flatten().find(|t| !t.trim().is_empty()).cloned()
}

/// The fields of a group's occurrences, by wire name in order of first
/// appearance.
fn by_wire<'a>(
    apis: &'a [&'a Api<'a>],
    occ: &[(usize, usize)],
) -> Vec<(&'a str, Vec<(usize, &'a Field)>)> {
    let mut order: Vec<(&str, Vec<(usize, &Field)>)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for &(a, i) in occ {
        for f in &apis[a].structs[i].fields {
            let slot = *at.entry(f.wire.as_str()).or_insert_with(|| {
                order.push((f.wire.as_str(), Vec::new()));
                order.len() - 1
            });
            order[slot].1.push((a, f));
        }
    }
    order
}

/// The merged code enum of a field: the first occurrence's, with every
/// listed code once, first meaning kept; `None` when no occurrence lists
/// codes or the type takes none.
fn merged_codes(apis: &[&Api], seen: &[(usize, &Field)], scalar: Scalar) -> Option<CodeEnum> {
    let number = match scalar {
        Scalar::String => false,
        Scalar::Int => true,
        _ => return None,
    };
    let mut variants: Vec<Variant> = Vec::new();
    let mut first: Option<CodeEnum> = None;
    for (a, f) in seen {
        let Some(c) = f.code else { continue };
        let code = &apis[*a].codes[c];
        first.get_or_insert_with(|| code.clone());
        for v in &code.variants {
            if !variants.iter().any(|k| k.wire == v.wire) {
                variants.push(v.clone());
            }
        }
    }
    space::name_variants(&mut variants);
    Some(CodeEnum {
        number,
        variants,
        ..first?
    })
}

/// Each type seen for a field, with its APIs.
fn seen_types(apis: &[&Api], seen: &[(usize, &Field)]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (a, f) in seen {
        let own = holds(apis[*a], f, &Aliases::default()).shown();
        let shown = format!("{own}{}", if f.array { "[]" } else { "" });
        let api = apis[*a].spec.api.clone();
        match out.iter_mut().find(|(t, _)| *t == shown) {
            Some((_, list)) if !list.contains(&api) => list.push(api),
            Some(_) => {}
            None => out.push((shown, vec![api])),
        }
    }
    out
}

/// The path of field `wire` in the first occurrence that has it.
fn field_path(apis: &[&Api], occ: &[(usize, usize)], wire: &str) -> String {
    occ.iter()
        .map(|&(a, i)| &apis[a].structs[i])
        .find(|s| s.fields.iter().any(|f| f.wire == wire))
        .map_or_else(String::new, |s| format!("{}.{wire}", s.path))
}

/// Why a TOP type stays per API when one document gives it several shapes
/// or spellings (as its own fields and as a field's type, say): that
/// document's module names them apart ([`space::resolve`]), and would so
/// whether or not the type is shared.
fn several_shapes(apis: &[&Api], occ: &[(usize, usize)]) -> Option<String> {
    let mut seen = BTreeSet::new();
    let (a, _) = occ.iter().find(|(a, _)| !seen.insert(*a))?;
    let api = apis[*a];
    let tops: BTreeSet<&str> = occ
        .iter()
        .filter(|(b, _)| b == a)
        .map(|&(_, i)| api.structs[i].top_type.as_str())
        .collect();
    let tops: Vec<String> = tops.into_iter().map(|t| format!("`{t}`")).collect();
    Some(format!(
        "{} gives it several shapes ({})",
        api.spec.api,
        tops.join(", ")
    ))
}

/// Merge the response-side occurrences of one TOP type.
fn merge_response(
    feature: &str,
    key: &Key,
    apis: &[&Api],
    occ: &[(usize, usize)],
    al: &Aliases,
) -> Outcome {
    let mut fields = Vec::new();
    let mut decisions = Vec::new();
    let mut apart = None;
    for (wire, seen) in by_wire(apis, occ) {
        let kinds: BTreeSet<Holds> = seen.iter().map(|(a, f)| holds(apis[*a], f, al)).collect();
        // Each type as its documents write it, list marks included.
        let written = seen_types(apis, &seen);
        let arrays: BTreeSet<bool> = seen.iter().map(|(_, f)| f.array).collect();
        let scalars: Option<BTreeSet<Scalar>> = kinds
            .iter()
            .map(|k| match k {
                Holds::Scalar(s) => Some(*s),
                Holds::Type(_) => None,
            })
            .collect();
        // A list reads a single item too.
        let decided = if kinds.len() == 1 {
            Ok(kinds.iter().next().cloned().expect("one kind"))
        } else {
            match scalars.as_ref().and_then(reconcile) {
                Some(s) => Ok(Holds::Scalar(s)),
                None => Err("no one type reads every form".to_string()),
            }
        };
        if written.len() > 1 {
            decisions.push(Decision {
                feature: feature.to_string(),
                side: Side::Response,
                top_type: key.2.clone(),
                field: wire.to_string(),
                seen: written,
                path: field_path(apis, occ, wire),
                outcome: match &decided {
                    Ok(h) if arrays.len() > 1 => {
                        format!("a list of `{}`, which reads a single value too", h.shown())
                    }
                    Ok(h) => format!("one type `{}`, which reads every form", h.shown()),
                    Err(why) => format!("kept apart, a struct per API: {why}"),
                },
            });
        }
        let holds = match decided {
            Ok(h) => h,
            Err(why) => {
                apart.get_or_insert(format!("field `{wire}` is {why}"));
                continue;
            }
        };
        let codes = match &holds {
            Holds::Scalar(s) => merged_codes(apis, &seen, *s),
            Holds::Type(_) => None,
        };
        fields.push(Merged {
            wire: wire.to_string(),
            holds,
            array: arrays.contains(&true),
            boxed: false,
            required: false,
            description: first_text(seen.iter().map(|(_, f)| &f.description)),
            example: first_text(seen.iter().map(|(_, f)| &f.example)),
            codes,
        });
    }
    Outcome {
        fields: apart.map_or(Ok(fields), Err),
        decisions,
    }
}

/// What must agree for request-side occurrences to be one type.
fn request_shape(
    api: &Api,
    s: &Struct,
    al: &Aliases,
) -> Vec<(String, Holds, bool, bool, Vec<String>)> {
    s.fields
        .iter()
        .map(|f| {
            let codes = f
                .code
                .map(|c| {
                    api.codes[c]
                        .variants
                        .iter()
                        .map(|v| v.wire.clone())
                        .collect()
                })
                .unwrap_or_default();
            (
                f.wire.clone(),
                holds(api, f, al),
                f.array,
                f.required,
                codes,
            )
        })
        .collect()
}

/// Request-side occurrences are one type when their fields agree exactly.
fn merge_request(apis: &[&Api], occ: &[(usize, usize)], al: &Aliases) -> Outcome {
    let (a0, i0) = occ[0];
    let shape = request_shape(apis[a0], &apis[a0].structs[i0], al);
    let same = occ
        .iter()
        .all(|&(a, i)| request_shape(apis[a], &apis[a].structs[i], al) == shape);
    let fields = if same {
        let api = &apis[a0];
        Ok(api.structs[i0]
            .fields
            .iter()
            .map(|f| Merged {
                wire: f.wire.clone(),
                holds: holds(api, f, al),
                array: f.array,
                boxed: f.boxed,
                required: f.required,
                description: f.description.clone(),
                example: f.example.clone(),
                codes: f.code.map(|c| api.codes[c].clone()),
            })
            .collect())
    } else {
        Err("its documents give it different fields".to_string())
    };
    Outcome {
        fields,
        decisions: Vec::new(),
    }
}

/// The groups whose fields name only shareable groups, to a fixed point.
fn shareable(outcomes: &BTreeMap<Key, Outcome>) -> BTreeSet<Key> {
    let mut ok: BTreeSet<Key> = outcomes
        .iter()
        .filter(|(_, o)| o.fields.is_ok())
        .map(|(k, _)| k.clone())
        .collect();
    loop {
        let bad: Vec<Key> = ok
            .iter()
            .filter(|k| {
                let fields = outcomes[*k].fields.as_ref().expect("ok");
                fields.iter().any(|f| match &f.holds {
                    Holds::Type(t) => !ok.contains(t),
                    Holds::Scalar(_) => false,
                })
            })
            .cloned()
            .collect();
        if bad.is_empty() {
            return ok;
        }
        for k in bad {
            ok.remove(&k);
        }
    }
}

/// Names of the shared structs: the TOP type's, in the namespace of its
/// side (`types`, `types::param`), so no name depends on the other side.
fn struct_names(shared: &BTreeSet<Key>, namers: &mut [Namer; 2]) -> BTreeMap<Key, String> {
    shared
        .iter()
        .map(|k| {
            let namer = &mut namers[usize::from(k.0)];
            (k.clone(), namer.claim(&naming::top_type_ident(&k.2)))
        })
        .collect()
}

/// [`plan`] for each category of `apis` (in API order), the categories in
/// parallel; the plans come in feature order.
pub fn plan_all<'s, 'a: 's>(apis: impl IntoIterator<Item = &'s mut Api<'a>>) -> Vec<Plan> {
    use rayon::prelude::*;
    let mut by_feature: BTreeMap<String, Vec<&mut Api>> = BTreeMap::new();
    for api in apis {
        by_feature.entry(api.feature.clone()).or_default().push(api);
    }
    by_feature
        .into_par_iter()
        .map(|(feature, mut apis)| plan(&feature, &mut apis))
        .collect()
}

/// Decide the shared types of one category (`apis` in API order), and
/// rewrite each API to use them.
pub fn plan(feature: &str, apis: &mut [&mut Api]) -> Plan {
    let view: Vec<&Api> = apis.iter().map(|a| &**a).collect();
    let (types, decisions) = decide(feature, &view);
    let warnings = warnings(&view, &decisions);
    let by_key = by_key(&types);
    for api in apis.iter_mut() {
        localize(api, &types, &by_key);
    }
    Plan {
        feature: feature.to_string(),
        digests: digests(&types),
        types,
        decisions,
        warnings,
    }
}

/// [`Plan::digests`] of `types`.
pub fn digests(types: &Types) -> BTreeMap<String, [u8; 32]> {
    types
        .structs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let codes: Vec<&CodeEnum> = types.codes_of(i).collect();
            let bytes = serde_json::to_vec(&(s, codes)).unwrap_or_default();
            (types.path(i), crate::cache::digest(&bytes))
        })
        .collect()
}

fn decide(feature: &str, apis: &[&Api]) -> (Types, Vec<Decision>) {
    let reserved = Reserved::of(apis);
    let al = aliases(apis, &reserved);
    let groups = groups(apis, &al, &reserved);
    let mut decisions = Vec::new();
    let mut outcomes = BTreeMap::new();
    for (k, occ) in &groups {
        let mut o = if let Some(why) = several_shapes(apis, occ) {
            Outcome {
                fields: Err(why),
                decisions: Vec::new(),
            }
        } else if k.0 {
            merge_request(apis, occ, &al)
        } else {
            merge_response(feature, k, apis, occ, &al)
        };
        let users: BTreeSet<usize> = occ.iter().map(|(a, _)| *a).collect();
        if users.len() > 1 {
            decisions.append(&mut o.decisions);
        }
        outcomes.insert(k.clone(), o);
    }
    // Every shareable type, whether one API uses it or many: where a type
    // lives then depends on its own documents alone, and an API that comes
    // or goes moves no other API's types.
    let shared = shareable(&outcomes);
    let mut namers = [Namer::new(), Namer::new()];
    let names = struct_names(&shared, &mut namers);
    let types = build_types(apis, &groups, &outcomes, &names, &mut namers, &al);
    (types, decisions)
}

/// A warning per decision, about the first document it names.
fn warnings(apis: &[&Api], decisions: &[Decision]) -> Vec<Warning> {
    decisions
        .iter()
        .filter_map(|d| {
            let first = *d.apis().first()?;
            let api = apis.iter().find(|a| a.spec.api == first)?;
            Some(Warning::about(
                Kind::Codegen,
                &api.file,
                &api.spec.api,
                Some(&d.path),
                d.message(),
            ))
        })
        .collect()
}

/// The `types` module: the shared structs, response side first, in name
/// order, then their code enums, each named once in its side's namespace.
fn build_types(
    apis: &[&Api],
    groups: &Groups,
    outcomes: &BTreeMap<Key, Outcome>,
    names: &BTreeMap<Key, String>,
    namers: &mut [Namer; 2],
    al: &Aliases,
) -> Types {
    let mut order: Vec<(&Key, &String)> = names.iter().collect();
    order.sort_by(|a, b| (a.0.0, a.1).cmp(&(b.0.0, b.1)));
    let index: BTreeMap<&Key, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (*k, i))
        .collect();
    let mut types = Types::default();
    for (k, name) in &order {
        let occ = &groups[*k];
        let structs: Vec<&Struct> = occ.iter().map(|&(a, i)| &apis[a].structs[i]).collect();
        let mut idents = Namer::new();
        let merged = outcomes[*k].fields.as_ref().expect("shared");
        let mut fields = Vec::with_capacity(merged.len());
        for m in merged {
            let code = m.codes.as_ref().map(|c| {
                types.codes.push(CodeEnum {
                    name: namers[usize::from(k.0)].claim(&naming::code_enum(name, &m.wire)),
                    field: m.wire.clone(),
                    path: format!("{}.{}", structs[0].path, m.wire),
                    imported: None,
                    ..c.clone()
                });
                types.codes.len() - 1
            });
            fields.push(Field {
                wire: m.wire.clone(),
                ident: idents.claim(&naming::snake_ident(&m.wire)),
                ty: match &m.holds {
                    Holds::Scalar(s) => Ty::Scalar(*s),
                    Holds::Type(t) => Ty::Struct(index[t]),
                },
                array: m.array,
                boxed: m.boxed,
                required: m.required,
                description: m.description.clone(),
                example: m.example.clone(),
                code,
            });
        }
        let mut users: Vec<String> = Vec::new();
        for &(a, _) in occ {
            if !users.contains(&apis[a].spec.api) {
                users.push(apis[a].spec.api.clone());
            }
        }
        types.structs.push(Struct {
            name: (*name).clone(),
            top_type: k.2.clone(),
            side: structs[0].side,
            description: first_text(structs.iter().map(|s| &s.description)),
            path: structs[0].path.clone(),
            fields,
            list_item: structs.iter().any(|s| s.list_item),
            qimen: k.1,
            imported: None,
        });
        types.users.push(users);
        types.merged.push(al.merged_into(k));
    }
    box_cycles(&mut types.structs);
    types
}

/// A response struct that holds itself, through other structs' fields
/// that are neither lists nor boxed, boxes the field that closes the loop:
/// the union of documents can make loops no one document has.
fn box_cycles(structs: &mut [Struct]) {
    for s in 0..structs.len() {
        if structs[s].side == Side::Request {
            continue;
        }
        for f in 0..structs[s].fields.len() {
            let field = &structs[s].fields[f];
            if let (Ty::Struct(t), false, false) = (field.ty, field.array, field.boxed)
                && reaches(structs, t, s)
            {
                structs[s].fields[f].boxed = true;
            }
        }
    }
}

/// Whether struct `from` holds struct `to` inline, directly or deeper.
fn reaches(structs: &[Struct], from: usize, to: usize) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from];
    while let Some(s) = todo.pop() {
        if s == to {
            return true;
        }
        if !seen.insert(s) {
            continue;
        }
        for f in &structs[s].fields {
            if let (Ty::Struct(t), false, false) = (f.ty, f.array, f.boxed) {
                todo.push(t);
            }
        }
    }
    false
}

/// Rewrite an API to use the shared types: each of its structs of a shared
/// TOP type becomes that type, imported with the types it holds, so the
/// API's tables stay whole for the emitter and the example tests; the
/// names in its module come from [`name_locals`].
fn localize(api: &mut Api, types: &Types, by_key: &BTreeMap<Key, usize>) {
    // Shared struct → the API's struct index that stands for it.
    let mut local: BTreeMap<usize, usize> = BTreeMap::new();
    let mut imported: Vec<(usize, usize)> = Vec::new();
    for (i, s) in api.structs.iter().enumerate() {
        if let Some(&t) = by_key.get(&key_of(s)) {
            local.entry(t).or_insert(i);
            imported.push((i, t));
        }
    }
    if imported.is_empty() {
        return;
    }
    let own = api.structs.len();
    let mut codes: BTreeMap<usize, usize> = BTreeMap::new();
    let mut todo = imported;
    let mut done = BTreeSet::new();
    while let Some((i, t)) = todo.pop() {
        if !done.insert(i) {
            continue;
        }
        let shared = &types.structs[t];
        let request = shared.side == Side::Request;
        let mut fields = shared.fields.clone();
        for f in &mut fields {
            if let Ty::Struct(u) = f.ty {
                let j = *local.entry(u).or_insert_with(|| {
                    api.structs.push(types.structs[u].clone());
                    api.structs.len() - 1
                });
                todo.push((j, u));
                f.ty = Ty::Struct(j);
            }
            if let Some(c) = f.code {
                f.code = Some(*codes.entry(c).or_insert_with(|| {
                    let code = &types.codes[c];
                    api.codes.push(CodeEnum {
                        imported: Some(naming::shared_path(request, &code.name)),
                        ..code.clone()
                    });
                    api.codes.len() - 1
                }));
            }
        }
        let name = if i < own {
            api.structs[i].name.clone()
        } else {
            shared.name.clone()
        };
        api.structs[i] = Struct {
            name,
            fields,
            imported: Some(types.path(t)),
            ..shared.clone()
        };
    }
    name_locals(api, own);
}

/// Each shared struct by the keys of every TOP name it stands for.
fn by_key(types: &Types) -> BTreeMap<Key, usize> {
    let mut out = BTreeMap::new();
    for (i, s) in types.structs.iter().enumerate() {
        let (request, qimen, _) = key_of(s);
        out.insert(key_of(s), i);
        for other in &types.merged[i] {
            out.insert((request, qimen, other.clone()), i);
        }
    }
    out
}

/// Names in the API's module. The structs its document declares (the
/// first `own`) keep the names resolving that document alone gave them,
/// shared or not, so no other document renames them: a shared type is
/// re-exported under that name. The imports the API reaches only through
/// shared types' fields, and the code enums of shared types, take their
/// shared names where free; its own code enums give way to them.
fn name_locals(api: &mut Api, own: usize) {
    let mut namer = Namer::new();
    namer.claim(&api.request_name);
    namer.claim(&api.response_name);
    for s in &mut api.structs[..own] {
        s.name = namer.claim(&s.name);
    }
    // Each import once, by its path in `types`.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut local = |name: &mut String, path: &Option<String>| {
        if let Some(path) = path {
            let taken = names.entry(path.clone());
            *name = taken.or_insert_with(|| namer.claim(name)).clone();
        }
    };
    for s in &mut api.structs[own..] {
        local(&mut s.name, &s.imported);
    }
    for c in &mut api.codes {
        local(&mut c.name, &c.imported);
    }
    for c in api.codes.iter_mut().filter(|c| c.imported.is_none()) {
        c.name = namer.claim(&c.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconcile_loses_no_value() {
        use Scalar::*;
        let r = |s: &[Scalar]| reconcile(&s.iter().copied().collect());
        assert_eq!(r(&[Int]), Some(Int));
        assert_eq!(r(&[Int, String]), Some(String));
        assert_eq!(r(&[Int, Decimal]), Some(Decimal));
        assert_eq!(r(&[DateTime, String]), Some(String));
        assert_eq!(r(&[Bool, Int]), Some(String));
        assert_eq!(r(&[Map, Json]), Some(Json));
        assert_eq!(r(&[Map, String]), Some(Json));
        assert_eq!(r(&[File, String]), None);
    }
}
