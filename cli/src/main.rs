//! `top`: call any Taobao Open Platform API from the shell, to try an API
//! before writing code, or from scripts. Built on the runtime's run-time
//! calls ([`top_runtime::DynamicRequest`]), so signing, retries and errors
//! are those of the library.

use std::collections::HashMap;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::value::RawValue;
use top_runtime::client::PRODUCTION_URL;
use top_runtime::envelope::response_key;
use top_runtime::qimen::PRODUCTION_URL as QIMEN_PRODUCTION_URL;
use top_runtime::{AnswerMeta, CallOptions, Client, DynamicRequest, Error, FailedCall, SignMethod};

mod pretty;
mod qimen;

const EXIT_CODES: &str = "\
Exit status:
  0  the call succeeded; the answer is on stdout
  1  the call failed: the platform's error_response (code, msg, sub_code,
     sub_msg, request_id on stderr), or no usable answer (network, HTTP
     status, an answer that does not decode)
  2  usage error: bad arguments, missing credentials, a client setting
     the runtime refuses";

const CALL_ABOUT: &str = "\
Signs and sends one API call and prints the answer's value (inside its
`<method>_response` envelope) as pretty JSON on stdout, numbers exactly as
sent; the request_id goes to stderr.

Credentials and endpoint come from TOP_APP_KEY, TOP_APP_SECRET, TOP_SESSION,
TOP_SIGN_METHOD and TOP_GATEWAY_URL, or from the flags below. The secret and
the session are never printed.

With --qimen the call goes to the Qimen router (TOP_QIMEN_URL) with
TOP_CUSTOMER_ID; the parameters become the <request> document (objects nest,
lists repeat their element) and the fields of the <response> are printed.

Retries follow the library's rules: a read (a method whose last segment is
get, query, detail, search, list or count, or --read) is tried again after a
busy status (429, 502, 503, 504), a timeout, a reset or a busy platform code;
a write (--write, or any other method) only when it provably did not run (no
connection, refused by access control). --verbose shows each attempt, the
waits and the request URL with the session masked.

Examples:
  top call taobao.time.get
  top call taobao.trades.sold.get fields=tid,status page_size=20
  top call taobao.pc.order.detail --json-params '{\"tp_request\":{\"biz_order_id\":\"1\"}}'
  top call taobao.qimen.order.cancel --qimen warehouseCode=W1 orderCode=O1";

/// Call any Taobao Open Platform (TOP) API from the shell.
#[derive(Parser)]
#[command(name = "top", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign and send one API call; print the answer as pretty JSON.
    #[command(long_about = CALL_ABOUT, after_help = EXIT_CODES)]
    Call(CallArgs),
}

#[derive(Args)]
struct CallArgs {
    /// The API method, e.g. `taobao.trades.sold.get`.
    method: String,
    /// Business parameters as `name=value`, each value sent as text; they
    /// replace members of --json-params of the same name.
    #[arg(value_name = "NAME=VALUE", value_parser = name_value)]
    params: Vec<(String, String)>,
    /// Business parameters as a JSON object: strings as they are, numbers by
    /// their text, objects and lists of objects as JSON text.
    #[arg(long, value_name = "JSON")]
    json_params: Option<String>,
    /// A Qimen call: the parameters form its XML <request> document.
    #[arg(long)]
    qimen: bool,
    /// Treat the call as a read: tried again after transient failures.
    #[arg(long, conflicts_with = "write")]
    read: bool,
    /// Treat the call as a write: tried again only when it provably did not
    /// run.
    #[arg(long)]
    write: bool,
    /// Show each attempt, the waits between attempts and the request URL
    /// (session masked) on stderr.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    access: Access,
}

/// Who calls, and where.
#[derive(Args)]
struct Access {
    /// The app key.
    #[arg(long, env = "TOP_APP_KEY")]
    app_key: Option<String>,
    /// The app secret (prefer the environment: a flag shows in `ps`).
    #[arg(long, env = "TOP_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// The user's session (authorization), for APIs that need one.
    #[arg(long, env = "TOP_SESSION", hide_env_values = true)]
    session: Option<String>,
    /// `md5`, `hmac` or `hmac-sha256`.
    #[arg(long, env = "TOP_SIGN_METHOD", default_value = "md5")]
    sign_method: SignMethod,
    /// The TOP router URL.
    #[arg(long, env = "TOP_GATEWAY_URL", default_value = PRODUCTION_URL)]
    gateway_url: String,
    /// The Qimen router URL (with --qimen).
    #[arg(long, env = "TOP_QIMEN_URL", default_value = QIMEN_PRODUCTION_URL)]
    qimen_url: String,
    /// The Qimen customerId (with --qimen).
    #[arg(long, env = "TOP_CUSTOMER_ID")]
    customer_id: Option<String>,
}

fn name_value(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{arg}` is not NAME=VALUE")),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Command::Call(args) = Cli::parse().command;
    if args.verbose {
        tracing_subscriber::fmt()
            .with_env_filter("top_runtime=debug")
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();
    }
    match call(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Call(failed)) => {
            report(&failed, args.verbose);
            ExitCode::from(1)
        }
    }
}

/// Why `top` exits non-zero.
enum Failure {
    Usage(String),
    Call(Box<FailedCall>),
}

async fn call(args: &CallArgs) -> Result<(), Failure> {
    let request = request(args)?;
    let client = client(&args.access)?;
    let mut opts = CallOptions::new();
    if args.read || args.write {
        opts = opts.idempotent(args.read);
    }
    match client.call_with_meta(&request, &opts).await {
        Ok(answer) => {
            let meta = answer.meta();
            if args.verbose {
                eprintln!("url: {}", meta.url());
                eprintln!("attempts: {}", meta.attempts());
            }
            println!(
                "{}",
                pretty::pretty(&answer_text(&args.method, meta, answer.value()))
            );
            if let Some(id) = meta.request_id() {
                eprintln!("request_id: {id}");
            }
            Ok(())
        }
        Err(failed) => match failed.error() {
            Error::Config(message) => Err(Failure::Usage(message.clone())),
            _ => Err(Failure::Call(Box::new(failed))),
        },
    }
}

/// The call from the method, --json-params, then the NAME=VALUE pairs.
fn request(args: &CallArgs) -> Result<DynamicRequest, Failure> {
    let json = match &args.json_params {
        Some(text) => Some(
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| Failure::Usage(format!("--json-params is not JSON: {e}")))?,
        ),
        None => None,
    };
    if args.qimen {
        let xml = qimen::request_document(json.as_ref(), &args.params).map_err(Failure::Usage)?;
        return Ok(DynamicRequest::qimen(args.method.clone(), xml));
    }
    let mut request = match &json {
        Some(json) => DynamicRequest::from_json(args.method.clone(), json)
            .map_err(|e| Failure::Usage(format!("--json-params: {e}")))?,
        None => DynamicRequest::new(args.method.clone()),
    };
    for (name, value) in &args.params {
        request = request.param(name.clone(), value.clone());
    }
    Ok(request)
}

/// A required setting from its flag or environment variable.
fn required(value: &Option<String>, flag: &str, var: &str) -> Result<String, Failure> {
    value
        .clone()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Failure::Usage(format!("no {flag}: set {var} or pass --{flag}")))
}

fn client(access: &Access) -> Result<Client, Failure> {
    let app_key = required(&access.app_key, "app-key", "TOP_APP_KEY")?;
    let app_secret = required(&access.app_secret, "app-secret", "TOP_APP_SECRET")?;
    let mut builder = Client::builder(app_key, app_secret)
        .url(access.gateway_url.clone())
        .qimen_url(access.qimen_url.clone())
        .sign_method(access.sign_method);
    if let Some(id) = &access.customer_id {
        builder = builder.customer_id(id.clone());
    }
    if let Some(session) = access.session.as_deref().filter(|s| !s.is_empty()) {
        builder = builder.session(session);
    }
    builder.build().map_err(|e| Failure::Usage(e.to_string()))
}

/// The answer's value as sent: the member inside the `<method>_response`
/// envelope, or the whole answer; from the raw body, so numbers keep their
/// digits.
fn answer_text(method: &str, meta: &AnswerMeta, value: &serde_json::Value) -> String {
    let members: Option<HashMap<String, Box<RawValue>>> = serde_json::from_slice(meta.raw()).ok();
    let Some(members) = members else {
        return value.to_string();
    };
    match members.get(&response_key(method)) {
        Some(inner) => inner.get().to_owned(),
        None => String::from_utf8_lossy(meta.raw()).into_owned(),
    }
}

/// The failure on stderr: the platform's fields one per line, or the error.
fn report(failed: &FailedCall, verbose: bool) {
    if verbose && let Some(meta) = failed.meta() {
        eprintln!("url: {}", meta.url());
        eprintln!("attempts: {}", meta.attempts());
    }
    match failed.error().platform() {
        Some(p) => {
            eprintln!("error: the platform answered error_response");
            eprintln!("code: {}", p.code);
            eprintln!("msg: {}", p.msg);
            if let Some(sub) = &p.sub_code {
                eprintln!("sub_code: {sub}");
            }
            if let Some(sub) = &p.sub_msg {
                eprintln!("sub_msg: {sub}");
            }
        }
        None => eprintln!("error: {}", failed.error()),
    }
    if let Some(id) = failed.request_id() {
        eprintln!("request_id: {id}");
    }
}
