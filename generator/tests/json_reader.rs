//! The doc center JSON reader on the fixture sample of `tests/fixtures/top-docs`
//! (and, in an ignored test, on the whole corpus).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use topgen::Warning;
use topgen::pipeline::collect_inputs;
use topgen::scrape::json::{QIMEN_CATEGORY, UNTYPED, read_document};
use topgen::scrape::{Context, Scraped};
use topgen::spec::{Param, Protocol, Spec};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/top-docs")
}

/// The category of a document, as the pipeline takes it from `catelog.json`.
fn context(doc: &Path) -> Context {
    topgen::pipeline::context_for(doc).unwrap()
}

fn read_at(root: &Path, doc: &Path) -> Scraped {
    let shown = doc.strip_prefix(root).unwrap();
    let bytes = std::fs::read(doc).unwrap();
    read_document(shown, &bytes, &context(doc)).unwrap_or_else(|e| panic!("{e}"))
}

/// Every fixture, keyed by its path relative to the fixture folder.
fn read_all() -> BTreeMap<String, Scraped> {
    let root = fixtures_dir();
    let docs = collect_inputs(std::slice::from_ref(&root)).unwrap();
    docs.iter()
        .map(|d| {
            (
                d.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                read_at(&root, d),
            )
        })
        .collect()
}

fn get<'a>(all: &'a BTreeMap<String, Scraped>, doc: &str) -> &'a Scraped {
    all.get(doc)
        .unwrap_or_else(|| panic!("fixture {doc} is missing"))
}

/// Every parameter of a spec, depth first, with its dotted path.
fn walk<'a>(path: &str, params: &'a [Param], out: &mut Vec<(String, &'a Param)>) {
    for p in params {
        let here = format!("{path}.{}", p.name);
        walk(&here, &p.fields, out);
        out.push((here, p));
    }
}

fn params(spec: &Spec) -> Vec<(String, &Param)> {
    let mut out = Vec::new();
    walk("request", &spec.request, &mut out);
    walk("response", &spec.response, &mut out);
    out
}

fn find<'a>(spec: &'a Spec, path: &str) -> &'a Param {
    params(spec)
        .into_iter()
        .find(|(p, _)| p == path)
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("{}: no parameter {path}", spec.api))
}

fn depth(params: &[Param]) -> usize {
    params
        .iter()
        .map(|p| 1 + depth(&p.fields))
        .max()
        .unwrap_or(0)
}

/// Documents whose warnings contain `needle`.
fn warned(all: &BTreeMap<String, Scraped>, needle: &str) -> Vec<String> {
    all.iter()
        .filter(|(_, s)| s.warnings.iter().any(|w| w.message.contains(needle)))
        .map(|(d, _)| d.clone())
        .collect()
}

#[test]
fn every_fixture_reads_and_round_trips_through_yaml() {
    let all = read_all();
    assert!(all.len() >= 30, "only {} fixtures", all.len());
    for (doc, got) in &all {
        assert_eq!(got.spec.source, *doc);
        assert!(!got.spec.category.is_empty(), "{doc}");
        let notes: Vec<String> = got.warnings.iter().map(Warning::note).collect();
        assert_eq!(got.spec.notes, notes, "{doc}");
        let again =
            Spec::from_yaml(Path::new(doc), &got.spec.to_yaml()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, got.spec, "{doc}");
    }
}

#[test]
fn every_fixture_folder_has_its_licence_note() {
    let readme = std::fs::read_to_string(fixtures_dir().join("README.md")).unwrap();
    assert!(readme.contains("Apache") && readme.contains("bububa/opentaobao"));
    for doc in read_all().keys() {
        assert!(
            readme.contains(doc.as_str()),
            "README.md does not list {doc}"
        );
    }
}

#[test]
fn keyword_and_dotted_names_are_kept_verbatim() {
    let all = read_all();
    for (doc, path, name) in [
        (
            "baodian/taobao_baodian_server_sdk_config_get.json",
            "request.type",
            "type",
        ),
        (
            "security/alibaba_security_jaq_rp_cloud_realname_check.json",
            "response.data.match",
            "match",
        ),
        (
            "tmallhk/tmall_traceplatform_awdc_info_upload.json",
            "request.trace_info.hrd.in",
            "in",
        ),
        (
            "campus/alibaba_campus_acl_grantpermiitemstouser.json",
            "request.priv",
            "priv",
        ),
        (
            "mozi/alibaba_mozi_fusion_dimission_employee_account.json",
            "request.dimission.employee",
            "dimission.employee",
        ),
    ] {
        assert_eq!(find(&get(&all, doc).spec, path).name, name);
    }
}

#[test]
fn untyped_parameters_become_json_with_a_warning() {
    let all = read_all();
    let spec = &get(&all, "msgamp/taobao_message_send.json").spec;
    let p = find(spec, "request.send_message_req.template_data");
    assert_eq!((p.ty.as_str(), p.array, p.required), (UNTYPED, false, true));
    let p = find(
        &get(&all, "icbuseller/alibaba_seller_vendor_order_list.json").spec,
        "request.query_trade_dto.status",
    );
    assert_eq!((p.ty.as_str(), p.array), (UNTYPED, true));
    assert_eq!(
        warned(&all, "read as `Json`"),
        [
            "baichuan/alibaba_baichuan_taopassword_check.json",
            "icbuseller/alibaba_seller_vendor_order_list.json",
            "msgamp/taobao_message_send.json",
            "tmallhk/tmall_traceplatform_awdc_info_upload.json",
        ]
    );
}

#[test]
fn both_array_spellings_and_nested_arrays() {
    let all = read_all();
    let p = find(
        &get(&all, "nrt/tmall_nrt_brandinfo_query.json").spec,
        "response.datas",
    );
    assert_eq!((p.ty.as_str(), p.array), ("Json", true));
    let p = find(
        &get(&all, "scbp/alibaba_scbp_ad_keyword_batchdelete.json").spec,
        "request.keyword_id_list",
    );
    assert_eq!(
        (p.ty.as_str(), p.array, p.constraints.max_list_size),
        ("String", true, Some(20))
    );
    let p = find(
        &get(&all, "openmall/taobao_openmall_refund_image_upload.json").spec,
        "request.image",
    );
    assert_eq!((p.ty.as_str(), p.array, p.required), ("byte", true, true));
    let p = find(
        &get(&all, "lstvending/alibaba_lst_vending_goods_save.json").spec,
        "request.goods_d_t_o_list.img_data",
    );
    assert_eq!((p.ty.as_str(), p.array), ("byte", true));
    assert_eq!(
        warned(&all, "array of arrays"),
        ["lstvending/alibaba_lst_vending_goods_save.json"]
    );
}

#[test]
fn exact_repeats_are_merged() {
    let all = read_all();
    for (doc, path, name) in [
        (
            "nazca/alibaba_infodept_lassen_casestatistics_get.json",
            "response",
            "result",
        ),
        (
            "qimen/taobao_qimen_inventory_report.json",
            "request.request",
            "remark",
        ),
        (
            "shop/alibaba_interact_sensor_clipbroad.json",
            "response",
            "unnamed",
        ),
    ] {
        let spec = &get(&all, doc).spec;
        let n = params(spec)
            .iter()
            .filter(|(p, _)| *p == format!("{path}.{name}"))
            .count();
        assert_eq!(n, 1, "{doc}");
    }
    assert_eq!(
        warned(&all, "twice"),
        [
            "nazca/alibaba_infodept_lassen_casestatistics_get.json",
            "qimen/taobao_qimen_inventory_report.json",
            "shop/alibaba_interact_sensor_clipbroad.json",
        ]
    );
}

#[test]
fn awkward_type_names_are_kept() {
    let all = read_all();
    let types: Vec<(&str, &str)> = [
        ("tvupadmin/yunos_osupdate_osfota_publish.json", "Result"),
        (
            "alitripmerchant/alitrip_merchant_galaxy_member_token.json",
            "Response",
        ),
        (
            "logistic/alibaba_ele_fengniao_chainstore_contract_cancel.json",
            "Data",
        ),
        ("qimen/taobao_qimen_combineitem_query.json", "Map"),
        ("maitix/alibaba_damai_maitix_order_confirm.json", "T"),
    ]
    .into();
    for (doc, ty) in types {
        assert!(
            params(&get(&all, doc).spec).iter().any(|(_, p)| p.ty == ty),
            "{doc}: no {ty}"
        );
    }
}

#[test]
fn one_type_name_has_different_shapes_in_one_category() {
    let all = read_all();
    let shape = |doc: &str| {
        let spec = &get(&all, doc).spec;
        let (_, p) = params(spec)
            .into_iter()
            .find(|(_, p)| p.ty == "Result")
            .unwrap();
        p.fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect::<Vec<_>>()
    };
    let a = shape("tvupadmin/yunos_osupdate_osfota_publish.json");
    let b = shape("tvupadmin/yunos_osupdate_osfota_query.json");
    assert_ne!(a, b);
    assert_eq!(
        get(&all, "tvupadmin/yunos_osupdate_osfota_query.json")
            .spec
            .category,
        get(&all, "tvupadmin/yunos_osupdate_osfota_publish.json")
            .spec
            .category
    );
}

#[test]
fn names_equal_once_case_converted_in_one_category() {
    let all = read_all();
    let has = |doc: &str, ty: &str| params(&get(&all, doc).spec).iter().any(|(_, p)| p.ty == ty);
    assert!(has(
        "baichuan/alibaba_baichuan_aso_query.json",
        "ASODeviceInfoDO"
    ));
    assert!(has(
        "baichuan/alibaba_baichuan_aso_activate.json",
        "AsoDeviceInfoDo"
    ));
}

#[test]
fn deep_nesting_is_read() {
    let all = read_all();
    let deepest = |doc: &str| {
        let s = &get(&all, doc).spec;
        depth(&s.request).max(depth(&s.response))
    };
    assert_eq!(
        deepest("ascpchannel/alibaba_ascp_industry_icp_query_lbx.json"),
        6
    );
    assert_eq!(
        deepest("axindata/taobao_alitrip_travel_fsc_hotel_list_query.json"),
        7
    );
}

#[test]
fn struct_types_without_fields_are_kept_for_codegen_to_resolve() {
    let all = read_all();
    let spec = &get(
        &all,
        "btrip/alitrip_btrip_supplychain_flight_industry_search.json",
    )
    .spec;
    let all_params = params(spec);
    let empty_structs: Vec<&str> = all_params
        .iter()
        .filter(|(_, p)| p.fields.is_empty() && p.ty.ends_with("Rs"))
        .map(|(_, p)| p.ty.as_str())
        .collect();
    // SearchPriceRs is defined elsewhere in the document; the others nowhere.
    assert!(
        empty_structs.contains(&"SearchPriceRs"),
        "{empty_structs:?}"
    );
    assert!(
        all_params
            .iter()
            .any(|(_, p)| p.ty == "SearchPriceRs" && !p.fields.is_empty())
    );
    assert!(empty_structs.contains(&"CabinRs"), "{empty_structs:?}");
    let p = find(
        &get(&all, "tvupadmin/yunos_tvpubadmin_device_apkinfo.json").spec,
        "response.object",
    );
    assert!(p.ty == "DicControlApkDO" && p.fields.is_empty());
}

#[test]
fn scalar_names_with_fields_are_read_as_structs() {
    let all = read_all();
    let p = find(
        &get(&all, "flight/alitrip_agent_flight_intention_confirm.json").spec,
        "request.param_confirm_request_d_t_o.prices",
    );
    assert_eq!((p.ty.as_str(), p.array), ("Price", true));
    assert!(!p.fields.is_empty());
    assert_eq!(
        warned(&all, "read as a struct named"),
        [
            "flight/alitrip_agent_flight_intention_confirm.json",
            "wdk/alibaba_ax_warehouse_outbound_callback.json"
        ]
    );
}

#[test]
fn protocol_and_categories() {
    let all = read_all();
    let proto = |doc: &str| get(&all, doc).spec.protocol;
    assert_eq!(
        proto("qimen/taobao_qimen_combineitem_query.json"),
        Protocol::Qimen
    );
    assert_eq!(
        proto("qimen/taobao_qimen_inventory_report.json"),
        Protocol::Qimen
    );
    // Qimen category, plain parameters: a TOP API.
    assert_eq!(proto("qimen/taobao_qimen_store_delete.json"), Protocol::Top);
    // A `request` struct outside the Qimen category: a TOP API.
    assert_eq!(
        proto("fundplatform/alibaba_fundplatform_cardorder_status_query.json"),
        Protocol::Top
    );
    let qimen: Vec<_> = all
        .iter()
        .filter(|(_, s)| s.spec.protocol == Protocol::Qimen)
        .map(|(d, _)| d.as_str())
        .collect();
    assert_eq!(
        qimen,
        [
            "qimen/taobao_qimen_combineitem_query.json",
            "qimen/taobao_qimen_inventory_report.json"
        ]
    );
    assert_eq!(
        get(&all, "qimen/taobao_qimen_store_delete.json")
            .spec
            .category,
        QIMEN_CATEGORY
    );
}

#[test]
fn aliyun_methods_limits_and_empty_documents() {
    let all = read_all();
    let spec = &get(
        &all,
        "aliyun/slb_aliyuncs_com_DeleteLoadBalancerListener_2013-02-21.json",
    )
    .spec;
    assert_eq!(
        spec.api,
        "slb.aliyuncs.com.DeleteLoadBalancerListener.2013-02-21"
    );
    let bounded: Vec<_> = params(spec)
        .into_iter()
        .filter(|(_, p)| p.constraints.min_value.is_some() || p.constraints.max_value.is_some())
        .collect();
    assert!(!bounded.is_empty());
    let spec = &get(
        &all,
        "aliyun/slb_aliyuncs_com_SetLoadBalancerName_2013-02-21.json",
    )
    .spec;
    assert!(
        params(spec)
            .iter()
            .any(|(_, p)| p.constraints.max_length.is_some())
    );
    let spec = &get(&all, "interactvip/alibaba_interact_vip_get.json").spec;
    assert!(spec.request.is_empty() && spec.response.is_empty());
}

#[test]
fn snapshots_of_representative_specs() {
    let all = read_all();
    for doc in [
        "tmallhk/tmall_traceplatform_awdc_info_upload.json",
        "qimen/taobao_qimen_combineitem_query.json",
        "aliyun/slb_aliyuncs_com_DeleteLoadBalancerListener_2013-02-21.json",
    ] {
        let spec = &get(&all, doc).spec;
        insta::assert_snapshot!(
            format!("json_{}", spec.api.replace(['.', '-'], "_")),
            spec.to_yaml()
        );
    }
}

/// Reads the whole corpus (`TOP_DOCS`, default `../shared/top-docs`) and prints
/// counts and speed: `cargo test -p topgen --test json_reader -- --ignored --nocapture`.
#[test]
#[ignore = "needs the full corpus outside the repository"]
fn whole_corpus() {
    let root = std::env::var_os("TOP_DOCS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/top-docs"));
    assert!(
        root.is_dir(),
        "no corpus at {}; set TOP_DOCS",
        root.display()
    );
    let docs = collect_inputs(std::slice::from_ref(&root)).unwrap();
    let inputs: Vec<(PathBuf, Vec<u8>, Context)> = docs
        .iter()
        .map(|d| {
            (
                d.strip_prefix(&root).unwrap().to_path_buf(),
                std::fs::read(d).unwrap(),
                context(d),
            )
        })
        .collect();
    let start = std::time::Instant::now();
    let results: Vec<_> = inputs
        .iter()
        .map(|(shown, bytes, ctx)| read_document(shown, bytes, ctx))
        .collect();
    let elapsed = start.elapsed();
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    let ok: Vec<&Scraped> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for w in ok.iter().flat_map(|s| &s.warnings) {
        let kind = [
            ("no type", "no type (read as Json or a struct)"),
            ("type `null", "type null (read as Json)"),
            ("array of arrays", "nested array mark"),
            ("twice", "exact repeat merged"),
            ("read as a struct named", "scalar type name with fields"),
            ("apiChineseName", "no title"),
        ]
        .iter()
        .find(|(needle, _)| w.message.contains(needle))
        .map_or("other", |(_, kind)| kind);
        *kinds.entry(kind).or_default() += 1;
    }
    let qimen = ok
        .iter()
        .filter(|s| s.spec.protocol == Protocol::Qimen)
        .count();
    let round_trip_failures: Vec<String> = ok
        .iter()
        .filter_map(
            |s| match Spec::from_yaml(Path::new(&s.spec.source), &s.spec.to_yaml()) {
                Ok(again) if again == s.spec => None,
                Ok(_) => Some(format!("{}: changed by the YAML round trip", s.spec.source)),
                Err(e) => Some(e.to_string()),
            },
        )
        .collect();
    println!(
        "{} documents, {} read, {} errors, {qimen} qimen, in {:.3}s ({:.0} documents/s)",
        inputs.len(),
        ok.len(),
        errors.len(),
        elapsed.as_secs_f64(),
        inputs.len() as f64 / elapsed.as_secs_f64()
    );
    for (kind, n) in &kinds {
        println!("  warnings: {n:5} {kind}");
    }
    assert_eq!(inputs.len(), 3480);
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(round_trip_failures.is_empty(), "{round_trip_failures:#?}");
    assert_eq!(kinds.get("other"), None);
}
