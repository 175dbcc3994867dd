//! The 34 doc-center fixture documents through scrape and codegen, as
//! `cargo xtask platform` runs the whole corpus: no error, exactly the expected
//! warnings, every file name unique even on a case-insensitive file system,
//! and each quirk of the corpus handled as decided.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use topgen::emit::Options;
use topgen::pipeline::{self, Regen};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/top-docs")
}

fn regen() -> Regen {
    let root = fixtures_dir();
    let pages = pipeline::collect_inputs(std::slice::from_ref(&root)).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../runtime")
        .canonicalize()
        .unwrap();
    let options = Options {
        runtime_path: runtime.display().to_string(),
        standalone: true,
    };
    pipeline::regen(&root, &pages, &options, &|| {}).unwrap_or_else(|e| panic!("{e}"))
}

fn text(r: &Regen, path: &str) -> String {
    let bytes = r
        .files
        .get(path)
        .unwrap_or_else(|| panic!("{path} was not generated"));
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn every_fixture_generates_with_the_expected_warnings() {
    let r = regen();
    assert_eq!((r.pages, r.specs), (34, 34));
    let mut got: Vec<String> = r
        .warnings
        .iter()
        .map(|w| {
            // Codegen's name the API and field path; the reader's say them in the message.
            let parts = [
                w.api.as_deref(),
                w.path.as_deref(),
                Some(w.message.as_str()),
            ];
            let said: Vec<&str> = parts.into_iter().flatten().collect();
            format!("{}: {}", w.file.display(), said.join(": "))
        })
        .collect();
    got.sort();
    let mut expected = vec![
        // The reader's.
        "baichuan/alibaba_baichuan_taopassword_check.json: `request.param_dto.extra_param` has no type; read as `Json`, so any value is kept",
        "flight/alitrip_agent_flight_intention_confirm.json: `request.param_confirm_request_d_t_o.prices` has type `Price` and sub-parameters; it is read as a struct named `Price`",
        "icbuseller/alibaba_seller_vendor_order_list.json: `request.query_trade_dto.status` has type `null[]`; read as `Json`, so any value is kept",
        "lstvending/alibaba_lst_vending_goods_save.json: `request.goods_d_t_o_list.img_data` has type `byte[][]`, an array of arrays; read as one array of `byte`",
        "msgamp/taobao_message_send.json: `request.send_message_req.template_data` has no type; read as `Json`, so any value is kept",
        "msgamp/taobao_message_send.json: `request.send_message_req.action_url_params` has no type; read as `Json`, so any value is kept",
        "nazca/alibaba_infodept_lassen_casestatistics_get.json: `response` lists `result` twice (lines 21 and 26) with the same content; kept once",
        "qimen/taobao_qimen_inventory_report.json: `request.request` lists `remark` twice (lines 58 and 132) with the same content; kept once",
        "shop/alibaba_interact_sensor_clipbroad.json: `response` lists `unnamed` twice (lines 11 and 16) with the same content; kept once",
        "tmallhk/tmall_traceplatform_awdc_info_upload.json: `request.trace_info.hrd.ext_info` has no type; read as `Json`, so any value is kept",
        "wdk/alibaba_ax_warehouse_outbound_callback.json: `request.trade_out_bound_call_back_request.demand_detail_call_back_requests.sku_weights` has type `BigDecimal` and sub-parameters; it is read as a struct named `BigDecimal`",
        // The code generator's.
        "specs/alibaba.baichuan.taopassword.check.yaml: alibaba.baichuan.taopassword.check: request.client_info: type `RichClientInfo` has no fields here and no definition elsewhere in the document; kept as a JSON value (`serde_json::Value`)",
        "specs/alibaba.lst.vending.goods.save.yaml: alibaba.lst.vending.goods.save: request.goods_d_t_o_list.img_data: `byte[]` is a file only as a top-level TOP request parameter; kept here as a JSON value (base64 text, as the Java SDK sends bytes)",
        "specs/alitrip.btrip.supplychain.flight.industry.search.yaml: alitrip.btrip.supplychain.flight.industry.search: response.result.module.item_list.route_info.journey_list.segment_list.segment_show_info: type `SegmentShowInfoRs` has no fields here and no definition elsewhere in the document; kept as a JSON value (`serde_json::Value`)",
        "specs/alitrip.btrip.supplychain.flight.industry.search.yaml: alitrip.btrip.supplychain.flight.industry.search: response.result.module.item_list.shopping_items.shopping_item.segment_cabin_prices.cabin: type `CabinRs` has no fields here and no definition elsewhere in the document; kept as a JSON value (`serde_json::Value`)",
        "specs/alitrip.btrip.supplychain.flight.industry.search.yaml: alitrip.btrip.supplychain.flight.industry.search: response.result.module.item_list.shopping_items.shopping_item.segment_cabin_prices.segment: type `SegmentPositionRs` has no fields here and no definition elsewhere in the document; kept as a JSON value (`serde_json::Value`)",
        "specs/yunos.tvpubadmin.device.apkinfo.yaml: yunos.tvpubadmin.device.apkinfo: response.object: type `DicControlApkDO` has no fields here and no definition elsewhere in the document; kept as a JSON value (`serde_json::Value`)",
    ];
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn every_file_name_is_unique_ignoring_case() {
    let r = regen();
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (path, _) in r.files.iter() {
        if let Some(other) = seen.insert(path.to_lowercase(), path) {
            panic!("{path} and {other} differ only in case");
        }
    }
    // One module per document, in the crates of the 10 categories.
    let modules = seen.values().filter(|p| is_module(p)).count();
    assert_eq!(modules, 34, "34 API modules");
    // A crate per category, named after its `catelog.json` `pkg`.
    let crates: Vec<&str> = seen
        .values()
        .filter_map(|p| {
            p.strip_prefix("generated/top-api-")?
                .strip_suffix("/Cargo.toml")
        })
        .collect();
    let mut packages: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("catelog.json")).ok())
        .map(|t| serde_json::from_str::<serde_json::Value>(&t).unwrap()["pkg"].to_string())
        .map(|p| p.trim_matches('"').to_string())
        .collect();
    packages.sort();
    assert_eq!(crates, packages);
}

/// An API module file of a generated crate.
fn is_module(path: &str) -> bool {
    path.starts_with("generated/")
        && path.contains("/src/")
        && !path.ends_with("/lib.rs")
        && !path.ends_with("/src/types.rs")
        && !path.contains("/src/types/")
}

/// The module file of `group/module`, in whichever crate holds it, and its
/// crate's `types` module with `types::param`, where its shared types are.
fn module_text(r: &Regen, module: &str) -> String {
    let suffix = format!("/src/{module}.rs");
    let (path, _) = r
        .files
        .iter()
        .find(|(p, _)| is_module(p) && p.ends_with(&suffix))
        .unwrap_or_else(|| panic!("no module {module}"));
    let krate = path.split_once("/src/").map_or(path, |(k, _)| k);
    let shared = ["types.rs", "types/param.rs"].map(|file| {
        r.files
            .get(&format!("{krate}/src/{file}"))
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    });
    format!("{}\n{}\n{}", text(r, path), shared[0], shared[1])
}

/// Every `pub struct` name of a module, for case-insensitive uniqueness.
fn struct_names(code: &str) -> Vec<&str> {
    code.lines()
        .filter_map(|l| l.strip_prefix("pub struct "))
        .filter_map(|l| l.split([' ', '{']).next())
        .collect()
}

#[test]
fn rust_names_are_unique_ignoring_case_within_each_module() {
    let r = regen();
    for (path, bytes) in r.files.iter() {
        if !is_module(path) && !path.ends_with("/src/types.rs") {
            continue;
        }
        let code = String::from_utf8(bytes.to_vec()).unwrap();
        let mut seen = BTreeMap::new();
        for n in struct_names(&code) {
            if let Some(other) = seen.insert(n.to_lowercase(), n) {
                panic!("{path}: `{n}` and `{other}` differ only in case");
            }
        }
    }
}

#[test]
fn the_quirks_come_out_as_decided() {
    let r = regen();
    let code = |p: &str| module_text(&r, p);
    for (module, needles) in [
        // Keywords are escaped, the wire name kept.
        (
            "baodian/server_sdk_config_get",
            &["rename = \"type\"", "pub type_: "][..],
        ),
        (
            "alibaba/security_jaq_rp_cloud_realname_check",
            // A response field: its wire name is the key the reader looks up.
            &["\"check_message\", \"match\"];", "pub match_: "],
        ),
        (
            "tmall/traceplatform_awdc_info_upload",
            &["rename = \"in\"", "pub in_: "],
        ),
        (
            "alibaba/campus_acl_grantpermiitemstouser",
            &["rename = \"priv\"", "pub priv_: "],
        ),
        // A dotted name.
        (
            "alibaba/mozi_fusion_dimission_employee_account",
            &[
                "rename = \"dimission.employee\"",
                "pub dimission_employee: ",
            ],
        ),
        // `Price` / `BigDecimal` with fields are structs.
        (
            "alitrip/agent_flight_intention_confirm",
            &["pub struct Price {"],
        ),
        (
            "alibaba/ax_warehouse_outbound_callback",
            &["pub struct BigDecimal {"],
        ),
        // A reference resolved to the definition elsewhere in the document.
        (
            "alitrip/btrip_supplychain_flight_industry_search",
            &[
                "pub search_price: Option<SearchPriceRs>,",
                "pub cabin: Option<::serde_json::Value>,",
            ],
        ),
        // `Result`, `Data`, `T` are kept; `Response` is left to the API's own.
        (
            "alibaba/ele_fengniao_chainstore_contract_cancel",
            &["pub struct Data {"],
        ),
        ("alibaba/damai_maitix_order_confirm", &["pub struct T {"]),
        (
            "alitrip/merchant_galaxy_member_token",
            &["/// TOP type `Response`, at `response.result`."],
        ),
        // A top-level `byte[]` is a multipart file.
        (
            "openmall/refund_image_upload",
            &["pub image: ::top_runtime::FileItem,", "fn files(&self)"],
        ),
        // Qimen documents speak the Qimen protocol; a plain one in its category does not.
        (
            "qimen/inventory_report",
            &["::top_runtime::Protocol::Qimen"],
        ),
        ("qimen/store_delete", &["::top_runtime::Protocol::Top"]),
        // Aliyun names: module from the documented rule.
        (
            "slb/aliyuncs_com_delete_load_balancer_listener_2013_02_21",
            &["pub struct SlbAliyuncsComDeleteLoadBalancerListener20130221Request"],
        ),
        // Two spellings of one type, in two APIs of one category: one type,
        // its acronyms spelled as Rust does.
        (
            "alibaba/baichuan_aso_query",
            &["pub struct AsoDeviceInfoDo {"],
        ),
        (
            "alibaba/baichuan_aso_activate",
            &["param::AsoDeviceInfoDo};", "(also named `AsoDeviceInfoDo`)"],
        ),
    ] {
        let c = code(module);
        for n in needles {
            assert!(c.contains(n), "{module}: missing `{n}` in\n{c}");
        }
    }
    // A struct the document calls `Result` takes its API's name instead of
    // the prelude's, and its docs keep the TOP name.
    for (api, name) in [
        (
            "yunos/osupdate_osfota_publish",
            "YunosOsupdateOsfotaPublishResult",
        ),
        (
            "yunos/osupdate_osfota_query",
            "YunosOsupdateOsfotaQueryResult",
        ),
    ] {
        let c = code(api);
        assert!(c.contains(&format!("pub struct {name} {{")), "{api}");
        assert!(!c.contains("pub struct Result {"), "{api}");
    }
    assert!(!code("alitrip/merchant_galaxy_member_token").contains("pub struct Response {"));
}
