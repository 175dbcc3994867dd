//! The family of crates: which crate, and so which feature of the facade,
//! each category's APIs go to.
//!
//! A category is named once for the whole set of specs (names must be told
//! apart across categories), by the rules of [`naming::category_slugs`].
//! Specs of one category name share one package name: the first given, in
//! API order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::{Kind, Warning};
use crate::naming::{self, Category, Features};
use crate::spec::Spec;

/// The category of every API, named.
#[derive(Debug, Clone, Default)]
pub struct Family {
    /// Category name → slug: the facade's feature and the crate's suffix.
    slugs: BTreeMap<String, String>,
}

impl Family {
    /// Name every category of `inputs` (spec file, spec), in API order.
    /// Warnings name the first document of the category they are about.
    pub fn of(inputs: &[(&Path, &Spec)], overrides: &Features) -> (Family, Vec<Warning>) {
        let mut warnings = Vec::new();
        let mut first: BTreeMap<&str, (&Path, &Spec)> = BTreeMap::new();
        for &(file, spec) in inputs {
            let category = spec.category.as_str();
            let Some(&(first_file, first_spec)) = first.get(category) else {
                first.insert(category, (file, spec));
                continue;
            };
            if first_spec.package.is_none() && spec.package.is_some() {
                first.insert(category, (file, spec));
            } else if let Some(why) = package_clash(first_file, first_spec, spec) {
                warnings.push(Warning::about(Kind::Codegen, file, &spec.api, None, why));
            }
        }
        let categories: BTreeSet<Category> = first
            .values()
            .map(|(_, s)| Category {
                name: s.category.clone(),
                package: s.package.clone(),
            })
            .collect();
        let (named, why) = naming::category_slugs(&categories, overrides);
        for (category, message) in why {
            let (file, spec) = first[category.name.as_str()];
            warnings.push(Warning::about(
                Kind::Codegen,
                file,
                &spec.api,
                None,
                message,
            ));
        }
        let slugs = named.into_iter().map(|(c, s)| (c.name, s)).collect();
        (Family { slugs }, warnings)
    }

    /// The family of `specs` alone, without their warnings.
    pub fn of_specs<'a>(specs: impl IntoIterator<Item = &'a Spec>) -> Family {
        let files: Vec<_> = specs
            .into_iter()
            .map(|s| (crate::layout::spec_file(&s.api), s))
            .collect();
        let inputs: Vec<_> = files.iter().map(|(f, s)| (f.as_path(), *s)).collect();
        Family::of(&inputs, &Features::builtin()).0
    }

    /// The feature (and crate suffix) of `category`; a category the family
    /// was not built from gets the name it would have alone.
    pub fn feature(&self, category: &str) -> String {
        match self.slugs.get(category) {
            Some(slug) => slug.clone(),
            None => naming::romanized_slug(category).0,
        }
    }
}

/// Why the package of `spec` is not the one its category's first spec gave.
fn package_clash(first_file: &Path, first: &Spec, spec: &Spec) -> Option<String> {
    let (Some(kept), Some(other)) = (&first.package, &spec.package) else {
        return None;
    };
    (kept != other).then(|| {
        format!(
            "category `{}` has package `{other}` here but `{kept}` in {}; its crate is named after `{kept}`",
            spec.category,
            first_file.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(api: &str, category: &str, package: Option<&str>) -> Spec {
        let yaml =
            format!("format: 1\napi: {api}\ntitle: t\ncategory: {category}\nprotocol: top\n");
        let mut s = Spec::from_yaml(Path::new("t.yaml"), &yaml).unwrap();
        s.package = package.map(str::to_string);
        s
    }

    fn family(specs: &[Spec]) -> (Family, Vec<String>) {
        let files: Vec<_> = specs
            .iter()
            .map(|s| (crate::layout::spec_file(&s.api), s))
            .collect();
        let inputs: Vec<_> = files.iter().map(|(f, s)| (f.as_path(), *s)).collect();
        let (f, w) = Family::of(&inputs, &Features::parse("覆盖\tcustom\n"));
        (f, w.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn names_come_from_override_then_package_then_pinyin() {
        let (f, w) = family(&[
            spec("taobao.a.b", "覆盖", Some("ignored")),
            spec("taobao.c.d", "某类目", Some("pkgname")),
            spec("taobao.e.f", "奇门仓储API", None),
        ]);
        assert_eq!(f.feature("覆盖"), "custom");
        assert_eq!(f.feature("某类目"), "pkgname");
        assert_eq!(f.feature("奇门仓储API"), "qimencangchu");
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn one_category_takes_the_package_any_of_its_specs_gives() {
        let (f, w) = family(&[
            spec("taobao.a.b", "某类目", None),
            spec("taobao.c.d", "某类目", Some("pkgname")),
        ]);
        assert_eq!(f.feature("某类目"), "pkgname");
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn two_packages_for_one_category_warn_naming_both_files() {
        let (f, w) = family(&[
            spec("taobao.a.b", "某类目", Some("first")),
            spec("taobao.c.d", "某类目", Some("second")),
        ]);
        assert_eq!(f.feature("某类目"), "first");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("specs/taobao.c.d.yaml"), "{}", w[0]);
        assert!(w[0].contains("specs/taobao.a.b.yaml"), "{}", w[0]);
    }

    #[test]
    fn categories_that_would_share_a_name_are_told_apart_with_a_warning() {
        let (f, w) = family(&[
            spec("taobao.a.b", "采购宝", None),
            spec("taobao.c.d", "采购宝API", None),
        ]);
        let names: BTreeSet<String> = [f.feature("采购宝"), f.feature("采购宝API")].into();
        assert_eq!(names, ["caigoubao".into(), "caigoubao-2".into()].into());
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("would both be named"), "{}", w[0]);
    }

    #[test]
    fn a_category_without_letters_still_gets_a_valid_name_with_a_warning() {
        let (f, w) = family(&[spec("taobao.a.b", "——", None)]);
        assert!(naming::is_valid_feature(&f.feature("——")));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("specs/taobao.a.b.yaml"), "{}", w[0]);
    }
}
