//! Pairing two trees: APIs by name, parameters by wire path, each side
//! resolved through the emitter's type space.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Change, Kind, Report, Semver, Tree};
use crate::diag::Error;
use crate::emit::code;
use crate::emit::family::Family;
use crate::emit::share;
use crate::emit::space::{self, Api, CodeEnum, Field, Scope, Side, Ty, Types};
use crate::layout;
use crate::naming;
use crate::spec::Spec;

/// Every change from `old` to `new`. Fails when a changed spec cannot be
/// resolved as codegen would, naming the spec file of its tree.
pub fn compare(old: &Tree, new: &Tree) -> Result<Report, Error> {
    // Categories are named across a whole tree, as codegen names them.
    let families = (
        Family::of_specs(old.specs.values()),
        Family::of_specs(new.specs.values()),
    );
    let all = (
        old.specs.values().collect::<Vec<_>>(),
        new.specs.values().collect::<Vec<_>>(),
    );
    compare_in(old, new, &families, (&all.0, &all.1))
}

/// The APIs of the categories a comparison touches, on one side, resolved
/// and rewritten to use their category's shared types as codegen does, and
/// those types by feature.
struct Shared<'a> {
    apis: BTreeMap<&'a str, Api<'a>>,
    types: BTreeMap<String, Types>,
}

impl<'a> Shared<'a> {
    /// The API of `spec`, resolved with its category.
    fn api(&self, spec: &Spec) -> Result<&Api<'a>, Error> {
        self.apis.get(spec.api.as_str()).ok_or_else(|| {
            let file = layout::spec_file(&spec.api);
            Error::at(
                &file,
                None,
                "internal: the API was not resolved with its category",
            )
        })
    }
}

fn shared<'a>(
    tree: &Tree,
    all: &[&'a Spec],
    family: &Family,
    features: &BTreeSet<String>,
) -> Result<Shared<'a>, Error> {
    use rayon::prelude::*;
    let touched: Vec<&Spec> = all
        .iter()
        .copied()
        .filter(|s| features.contains(&family.feature(&s.category)))
        .collect();
    let mut apis: Vec<Api> = touched
        .par_iter()
        .map(|s| resolve(tree, s, family))
        .collect::<Result<_, _>>()?;
    apis.sort_by(|a, b| a.spec.api.cmp(&b.spec.api));
    let types = share::plan_all(apis.iter_mut())
        .into_iter()
        .map(|p| (p.feature, p.types))
        .collect();
    let apis = apis.into_iter().map(|a| (a.spec.api.as_str(), a)).collect();
    Ok(Shared { apis, types })
}

/// The features of the APIs that differ between the trees, on both sides.
fn touched_features(old: &Tree, new: &Tree, families: &(Family, Family)) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (api, o) in &old.specs {
        if new.specs.get(api) != Some(o) {
            out.insert(families.0.feature(&o.category));
        }
    }
    for (api, n) in &new.specs {
        if old.specs.get(api) != Some(n) {
            out.insert(families.1.feature(&n.category));
        }
    }
    out
}

/// [`compare`] of parts of two trees, with the families of the whole trees.
pub(super) fn compare_in(
    old: &Tree,
    new: &Tree,
    families: &(Family, Family),
    all: (&[&Spec], &[&Spec]),
) -> Result<Report, Error> {
    use rayon::prelude::*;

    let features = touched_features(old, new, families);
    let shared = (
        shared(old, all.0, &families.0, &features)?,
        shared(new, all.1, &families.1, &features)?,
    );

    let mut names: Vec<&str> = old
        .specs
        .keys()
        .chain(new.specs.keys())
        .map(|s| s.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let per_api: Vec<Result<Vec<Change>, Error>> = names
        .par_iter()
        .map(|name| {
            let o = old.specs.get(*name);
            let n = new.specs.get(*name);
            match (o, n) {
                (Some(o), Some(n)) if o == n => Ok(Vec::new()),
                (Some(o), Some(n)) => modified(o, n, &shared),
                (None, Some(n)) => Ok(vec![added(n, &families.1)]),
                (Some(o), None) => Ok(vec![removed(o, &families.0)]),
                (None, None) => Ok(Vec::new()),
            }
        })
        .collect();
    let mut changes = Vec::new();
    for r in per_api {
        changes.extend(r?);
    }
    for feature in &features {
        let none = Types::default();
        let o = shared.0.types.get(feature).unwrap_or(&none);
        let n = shared.1.types.get(feature).unwrap_or(&none);
        let category = [&shared.1, &shared.0]
            .iter()
            .flat_map(|s| s.apis.values())
            .find(|a| a.feature == *feature)
            .map_or_else(String::new, |a| a.spec.category.clone());
        changes.extend(types_changes(feature, &category, o, n));
    }
    Ok(Report { changes })
}

/// `top_api::pc::order_cancel`.
fn module_of(api: &str) -> String {
    let (group, module) = naming::module_path(api);
    format!("top_api::{group}::{module}")
}

fn change(spec: &Spec, feature: &str, path: &str, kind: Kind, level: Semver) -> Change {
    Change {
        api: spec.api.clone(),
        path: path.to_string(),
        kind,
        breaking: level == Semver::Major,
        old: Value::Null,
        new: Value::Null,
        effect: String::new(),
        level,
        category: spec.category.clone(),
        reaches: Vec::new(),
        feature: feature.to_string(),
    }
}

fn with(mut c: Change, old: Value, new: Value, effect: String) -> Change {
    c.old = old;
    c.new = new;
    c.effect = effect;
    c
}

fn added(spec: &Spec, family: &Family) -> Change {
    let feature = family.feature(&spec.category);
    let effect = format!(
        "new module `{}` with `{}` and `{}` (feature `{feature}`)",
        module_of(&spec.api),
        naming::request_struct(&spec.api),
        naming::response_struct(&spec.api),
    );
    with(
        change(spec, &feature, "", Kind::ApiAdded, Semver::Minor),
        Value::Null,
        json!(spec.api),
        effect,
    )
}

fn removed(spec: &Spec, family: &Family) -> Change {
    let effect = format!(
        "module `{}` is gone, with `{}` and `{}`",
        module_of(&spec.api),
        naming::request_struct(&spec.api),
        naming::response_struct(&spec.api),
    );
    with(
        change(
            spec,
            &family.feature(&spec.category),
            "",
            Kind::ApiRemoved,
            Semver::Major,
        ),
        json!(spec.api),
        Value::Null,
        effect,
    )
}

/// Resolve a spec as codegen does; an error names the file of its tree.
fn resolve<'a>(tree: &Tree, spec: &'a Spec, family: &Family) -> Result<Api<'a>, Error> {
    let file = tree
        .files
        .get(&spec.api)
        .cloned()
        .unwrap_or_else(|| layout::spec_file(&spec.api));
    space::resolve(&space::ApiInput::new(spec.into(), &file, family)).map(|(api, _)| api)
}

/// The changes of an API in both trees; both were resolved with their
/// categories (a changed API's features are always touched).
fn modified(o: &Spec, n: &Spec, shared: &(Shared, Shared)) -> Result<Vec<Change>, Error> {
    let (oa, na) = (shared.0.api(o)?, shared.1.api(n)?);
    let mut cx = Cx::new(oa.scope(), na.scope(), Origin::Api(na.spec, &na.feature));
    cx.whole_api(oa, na);
    for side in [Side::Request, Side::Response] {
        let paths = (side_path(o, side), side_path(n, side));
        let paths = (paths.0.as_str(), paths.1.as_str());
        let (owners, fields) = match side {
            Side::Request => (
                (&oa.request_name, &na.request_name),
                (&oa.request, &na.request),
            ),
            Side::Response => (
                (&oa.response_name, &na.response_name),
                (&oa.response, &na.response),
            ),
        };
        cx.fields(side, paths, (owners.0, owners.1), fields.0, fields.1);
    }
    cx.error_codes(oa.spec, na.spec);
    Ok(cx.out)
}

/// Wire path of a side's top-level fields: Qimen's hoisted `request` struct
/// stays in the path, as in the emitter's messages.
fn side_path(spec: &Spec, side: Side) -> String {
    match spec.qimen_root(side) {
        Some(root) => format!("{}.{}", side.root(), root.name),
        None => side.root().to_string(),
    }
}

/// A type as a reader writes it: `Option<Vec<OrderItem>>`, `top_runtime::Decimal`.
fn rust(ty: syn::Type) -> String {
    let mut s: String = quote::ToTokens::to_token_stream(&ty)
        .to_string()
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    // Generated code writes std's types as the prelude names them, except
    // `BTreeMap`.
    s = s.replace(',', ", ").replace("::std::collections::", "");
    s.replace("::top_runtime", "top_runtime")
        .replace("::serde_json", "serde_json")
}

/// Text shown for an optional description or example.
fn text(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| json!(s))
}

/// Where the changes of a walk are listed: under an API, or under a shared
/// type of a category (`types::Trade`), with the APIs it reaches.
enum Origin<'c> {
    Api(&'c Spec, &'c str),
    Shared {
        feature: &'c str,
        category: &'c str,
        name: &'c str,
        /// Request-side: in `types::param`.
        request: bool,
        users: &'c [String],
    },
}

/// A walk over the fields of two versions of a struct (and, for an API,
/// of the structs they hold), with the tables their fields index.
struct Cx<'c> {
    old: Scope<'c>,
    new: Scope<'c>,
    origin: Origin<'c>,
    out: Vec<Change>,
    /// Struct pairs being walked, to stop where a type contains itself.
    open: Vec<(usize, usize)>,
}

impl<'c> Cx<'c> {
    fn new(old: Scope<'c>, new: Scope<'c>, origin: Origin<'c>) -> Self {
        Cx {
            old,
            new,
            origin,
            out: Vec::new(),
            open: Vec::new(),
        }
    }

    /// A walk over shared struct `index` of `types` (on both sides until
    /// the old one is set).
    fn shared(feature: &'c str, category: &'c str, types: &'c Types, index: usize) -> Self {
        let s = &types.structs[index];
        let origin = Origin::Shared {
            feature,
            category,
            name: &s.name,
            request: s.side == Side::Request,
            users: &types.users[index],
        };
        Cx::new(types.scope(index), types.scope(index), origin)
    }

    fn push(&mut self, mut c: Change) {
        if let Origin::Shared { users, .. } = self.origin {
            c.effect = format!("{}; reaches {}", c.effect, users.join(", "));
        }
        self.out.push(c);
    }

    fn at(&self, path: &str, kind: Kind, level: Semver) -> Change {
        match self.origin {
            Origin::Api(spec, feature) => change(spec, feature, path, kind, level),
            Origin::Shared {
                feature,
                category,
                name,
                request,
                users,
            } => Change {
                api: format!(
                    "{}{}",
                    super::SHARED_PREFIX,
                    naming::shared_path(request, name)
                ),
                path: path.to_string(),
                kind,
                breaking: level == Semver::Major,
                old: Value::Null,
                new: Value::Null,
                effect: String::new(),
                level,
                category: category.to_string(),
                feature: feature.to_string(),
                reaches: users.to_vec(),
            },
        }
    }

    fn whole_api(&mut self, old: &Api, new: &Api) {
        let (o, n) = (old.spec, new.spec);
        let req = &new.request_name;
        let (of, nf) = (&old.feature, &new.feature);
        if o.category != n.category || of != nf {
            let (level, effect) = if of == nf {
                (Semver::Patch, format!("stays in feature `{nf}`"))
            } else {
                (
                    Semver::Major,
                    format!(
                        "`{}` moves from feature `{of}` to `{nf}`",
                        module_of(&n.api)
                    ),
                )
            };
            let c = self.at("", Kind::CategoryChanged, level);
            let (old, new) = if o.category != n.category {
                (json!(o.category), json!(n.category))
            } else {
                (json!(of), json!(nf))
            };
            self.push(with(c, old, new, effect));
        }
        if o.protocol != n.protocol {
            let c = self.at("", Kind::ProtocolChanged, Semver::Major);
            let effect = format!(
                "`{req}` is sent as a {} call instead of a {} call",
                protocol_name(n.protocol),
                protocol_name(o.protocol)
            );
            self.push(with(c, json!(o.protocol), json!(n.protocol), effect));
        }
        for (what, ov, nv) in [
            ("title", &o.title, &n.title),
            ("description", &o.description, &n.description),
        ] {
            if ov != nv {
                let c = self.at("", Kind::DescriptionChanged, Semver::Patch);
                let effect = format!("the {what} in the doc comment of `{req}`");
                self.push(with(c, json!(ov), json!(nv), effect));
            }
        }
        if o.examples != n.examples {
            let c = self.at("", Kind::ExampleChanged, Semver::Patch);
            let effect = format!("the example test of `{}`", module_of(&n.api));
            self.push(with(c, json!(o.examples), json!(n.examples), effect));
        }
    }

    fn error_codes(&mut self, o: &Spec, n: &Spec) {
        let has = |s: &Spec, code: &str| s.error_codes.iter().any(|e| e.code == code);
        for e in &n.error_codes {
            if !has(o, &e.code) {
                let c = self.at("", Kind::ErrorCodeAdded, Semver::Patch);
                let effect = "none: docs of the error code table".to_string();
                self.push(with(c, Value::Null, json!(e.code), effect));
            }
        }
        for e in &o.error_codes {
            if !has(n, &e.code) {
                let c = self.at("", Kind::ErrorCodeRemoved, Semver::Patch);
                let effect = "none: docs of the error code table".to_string();
                self.push(with(c, json!(e.code), Value::Null, effect));
            }
        }
    }

    /// Fields of one struct on both sides; `paths` and `owners` are its wire
    /// paths and Rust names, old and new (they differ where Qimen hoists).
    fn fields(
        &mut self,
        side: Side,
        paths: (&str, &str),
        owners: (&str, &str),
        old: &[Field],
        new: &[Field],
    ) {
        for n in new {
            let here = format!("{}.{}", paths.1, n.wire);
            match old.iter().find(|o| o.wire == n.wire) {
                Some(o) => self.field(side, &here, owners, o, n),
                None => self.field_added(side, &here, owners.1, n),
            }
        }
        for o in old {
            if !new.iter().any(|n| n.wire == o.wire) {
                let here = format!("{}.{}", paths.0, o.wire);
                self.field_removed(side, &here, owners.0, o);
            }
        }
    }

    fn field_added(&mut self, side: Side, path: &str, owner: &str, f: &Field) {
        let ty = rust(code::declared_type(&self.new, side, f));
        let (level, effect) = match side {
            Side::Request if f.required => (
                Semver::Major,
                format!("`{owner}::new` gains an argument `{}: {ty}`", f.ident),
            ),
            Side::Request => (
                Semver::Minor,
                format!(
                    "`{owner}` gains `{}(…)` (field `{}: {ty}`)",
                    code::setter_name(f),
                    f.ident
                ),
            ),
            Side::Response => (
                Semver::Minor,
                format!("`{owner}` gains a field `{}: {ty}`", f.ident),
            ),
        };
        let c = self.at(path, Kind::FieldAdded, level);
        self.push(with(c, Value::Null, json!(ty), effect));
    }

    fn field_removed(&mut self, side: Side, path: &str, owner: &str, f: &Field) {
        let ty = rust(code::declared_type(&self.old, side, f));
        let effect = match side {
            Side::Request if f.required => format!(
                "`{owner}::new` loses the argument `{}`; the field is gone",
                f.ident
            ),
            Side::Request => format!(
                "`{owner}` loses the field `{}` and `{}(…)`",
                f.ident,
                code::setter_name(f)
            ),
            Side::Response => format!("`{owner}` loses the field `{}`", f.ident),
        };
        let c = self.at(path, Kind::FieldRemoved, Semver::Major);
        self.push(with(c, json!(ty), Value::Null, effect));
    }

    fn field(&mut self, side: Side, path: &str, owners: (&str, &str), o: &Field, n: &Field) {
        let owner = owners.1;
        let (ot, nt) = (
            rust(code::value_type(&self.old, o)),
            rust(code::value_type(&self.new, n)),
        );
        if ot != nt {
            let effect = format!(
                "`{owner}.{}`: `{}` → `{}`",
                n.ident,
                rust(code::declared_type(&self.old, side, o)),
                rust(code::declared_type(&self.new, side, n)),
            );
            let c = self.at(path, Kind::TypeChanged, Semver::Major);
            self.push(with(c, json!(ot), json!(nt), effect));
        }
        if o.required != n.required {
            let setter = code::setter_name(n);
            let effect = if n.required {
                format!(
                    "`{owner}::new` gains an argument `{}`; `{setter}(…)` is gone",
                    n.ident
                )
            } else {
                format!(
                    "`{owner}::new` loses the argument `{}`; `{setter}(…)` sets it",
                    n.ident
                )
            };
            let c = self.at(path, Kind::RequiredChanged, Semver::Major);
            self.push(with(c, json!(o.required), json!(n.required), effect));
        }
        if o.description != n.description {
            let effect = format!("the doc comment of `{owner}.{}`", n.ident);
            let c = self.at(path, Kind::DescriptionChanged, Semver::Patch);
            self.push(with(c, text(&o.description), text(&n.description), effect));
        }
        if o.example != n.example {
            let effect = format!("the example in the doc comment of `{owner}.{}`", n.ident);
            let c = self.at(path, Kind::ExampleChanged, Semver::Patch);
            self.push(with(c, text(&o.example), text(&n.example), effect));
        }
        if let (Some(i), Some(j)) = (o.code, n.code) {
            let (old, new) = (self.old, self.new);
            self.code_values(path, &old.codes[i], &new.codes[j]);
        }
        if let (Ty::Struct(i), Ty::Struct(j)) = (o.ty, n.ty) {
            let (old, new) = (self.old, self.new);
            let (os, ns) = (&old.structs[i], &new.structs[j]);
            // A shared type's own changes are listed once, under it.
            let shared = (os.imported.is_some() && ns.imported.is_some())
                || matches!(self.origin, Origin::Shared { .. });
            if self.open.contains(&(i, j)) || shared {
                return;
            }
            self.open.push((i, j));
            self.fields(
                side,
                (path, path),
                (&os.name, &ns.name),
                &os.fields,
                &ns.fields,
            );
            self.open.pop();
        }
    }
}

impl Cx<'_> {
    /// Codes of a field that is an enum on both sides; a field that becomes
    /// or stops being one is a type change already.
    fn code_values(&mut self, path: &str, o: &CodeEnum, n: &CodeEnum) {
        let lists = |e: &CodeEnum, wire: &str| e.variants.iter().any(|v| v.wire == wire);
        for v in n.variants.iter().filter(|v| !lists(o, &v.wire)) {
            let effect = format!("`{}` gains the variant `{}`", n.name, v.ident);
            let c = self.at(path, Kind::ValueAdded, Semver::Minor);
            self.push(with(c, Value::Null, json!(v.wire), effect));
        }
        for v in o.variants.iter().filter(|v| !lists(n, &v.wire)) {
            let effect = format!(
                "`{}::{}` is gone; the code decodes to `{}::Other`",
                o.name, v.ident, n.name
            );
            let c = self.at(path, Kind::ValueRemoved, Semver::Major);
            self.push(with(c, json!(v.wire), Value::Null, effect));
        }
    }
}

fn protocol_name(p: crate::spec::Protocol) -> &'static str {
    match p {
        crate::spec::Protocol::Top => "TOP",
        crate::spec::Protocol::Qimen => "Qimen",
    }
}

/// The changes of a category's shared types: each one once, with the APIs
/// it reaches.
fn types_changes(feature: &str, category: &str, old: &Types, new: &Types) -> Vec<Change> {
    let mut out = Vec::new();
    let paths = |t: &Types| -> BTreeMap<String, usize> {
        (0..t.structs.len()).map(|i| (t.path(i), i)).collect()
    };
    let (old_paths, new_paths) = (paths(old), paths(new));
    for (path, &j) in &new_paths {
        let ns = &new.structs[j];
        let mut cx = Cx::shared(feature, category, new, j);
        let Some(&i) = old_paths.get(path) else {
            let effect = format!("new shared type `types::{path}`");
            let c = cx.at(&ns.top_type, Kind::TypeShared, Semver::Minor);
            cx.push(with(c, Value::Null, json!(new.users[j]), effect));
            out.append(&mut cx.out);
            continue;
        };
        let os = &old.structs[i];
        cx.old = old.scope(i);
        let top = (os.top_type.as_str(), ns.top_type.as_str());
        cx.fields(ns.side, top, (&os.name, &ns.name), &os.fields, &ns.fields);
        out.append(&mut cx.out);
    }
    for (path, &i) in &old_paths {
        if !new_paths.contains_key(path) {
            let os = &old.structs[i];
            let mut cx = Cx::shared(feature, category, old, i);
            let effect = format!("shared type `types::{path}` is gone");
            let c = cx.at(&os.top_type, Kind::TypeUnshared, Semver::Major);
            cx.push(with(c, json!(old.users[i]), Value::Null, effect));
            out.append(&mut cx.out);
        }
    }
    out
}
