//! Code lists in descriptions: `1:未冻结 2:已冻结`, `JYCK=一般交易出库单;HHCK=换货出库`,
//! `可选值: WAIT_BUYER_PAY(等待买家付款) WAIT_SELLER_SEND_GOODS(等待卖家发货)`, the same
//! in `<ul><li>…</li></ul>`, `0-减钱；1-打折`, `0表示全部参与；1表示部分商品参与`.
//!
//! Precision comes first: a reading that is wrong types a free-text field as an
//! enum. So a list is read only when every item has the one form `CODE SEP
//! MEANING`, the codes are ASCII words or integers, the meanings are mostly
//! Chinese, and nothing around it says the field holds several values or a
//! format (`格式为k1:v1;k2:v2`, `如:`). Anything doubtful stays a `String`.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;

use crate::spec::CodeValue;
use crate::types::{self, Codes};

/// The longest code read; longer ASCII runs are identifiers or data, not codes.
const MAX_CODE: usize = 64;
/// The longest meaning (in characters) of an item followed by another one.
const MAX_MEANING: usize = 120;

/// A code list read from one description, with the doubts it raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub values: Vec<CodeValue>,
    /// Doubtful points resolved while reading, as warning messages.
    pub doubts: Vec<String>,
}

/// The code list a description states, if it states exactly one.
pub fn read(description: &str) -> Option<Reading> {
    let text: Vec<char> = plain(description).chars().collect();
    if says_several_values(&text) {
        return None;
    }
    let heads = heads(&text);
    let mut lists = runs(&text, &heads)
        .into_iter()
        .filter_map(|run| items(&text, &heads, &run))
        .filter(|items| plausible(&text, items));
    let first = lists.next()?;
    // Two lists in one description describe something composite; no one enum fits.
    if lists.next().is_some() {
        return None;
    }
    Some(settle(first))
}

/// The code list of a parameter of TOP type `ty` (without the array mark),
/// if the type takes one ([`types::code_list`]).
pub fn read_typed(ty: &str, description: &str) -> Option<Reading> {
    let codes = types::code_list(ty)?;
    let reading = read(description)?;
    let integers = || {
        reading
            .values
            .iter()
            .all(|v| v.value.parse::<i64>().is_ok())
    };
    (codes == Codes::Text || integers()).then_some(reading)
}

/// The `values` of a parameter for the spec: its code list, each doubt handed
/// to `warn` (the reader adds the page line and the parameter's path).
pub fn values(ty: &str, description: Option<&str>, mut warn: impl FnMut(String)) -> Vec<CodeValue> {
    let Some(reading) = description.and_then(|d| read_typed(ty, d)) else {
        return Vec::new();
    };
    for doubt in reading.doubts {
        warn(doubt);
    }
    reading.values
}

/// How an item's code is joined to its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// `CODE(meaning)`, also with full-width parentheses.
    Paren,
    /// `CODE:meaning`, `CODE：meaning`.
    Colon,
    /// `CODE=meaning`.
    Equals,
    /// `0-meaning`, numeric codes only.
    Dash,
    /// `0表示meaning`, numeric codes only.
    Means,
}

/// A candidate item start: `CODE SEP`.
#[derive(Debug, Clone, Copy)]
struct Head {
    /// Index of the item's first character: the code, or the parenthesis
    /// enclosing the whole item (`(waiting = 开票中)`).
    outer: usize,
    /// Index of the code's first character.
    start: usize,
    /// The code follows a word without a space (`数据类型0：`, `商家ERP：`):
    /// it may open a list, never continue one.
    glued: bool,
    /// One past the code's last character.
    code_end: usize,
    sep: Sep,
    /// Index of the meaning's first character.
    body: usize,
    /// Index of the parenthesis that closes the meaning: `CODE(meaning)` or
    /// an enclosed item; `None` when the next item or a stop ends it.
    close: Option<usize>,
}

/// One item of a list, as character ranges.
#[derive(Debug, Clone)]
struct Item {
    start: usize,
    /// One past the item's last character (its closing parenthesis, or its meaning).
    end: usize,
    code: String,
    meaning: String,
    sep: Sep,
}

/// The description with markup turned into line breaks (`<li>`, `<br>`) or
/// dropped (`<span …>`), and `&nbsp;` as a space.
fn plain(description: &str) -> String {
    // Some documents carry NULs and other controls among the spaces.
    let s: String = description
        .replace("&nbsp;", " ")
        .replace("\r\n", "\n")
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let is_tag = tag[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
        match tag.find('>').filter(|&end| is_tag && end < 200) {
            Some(end) => {
                let name = tag[1..end].trim_start_matches('/');
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if matches!(
                    name.as_str(),
                    "li" | "br" | "p" | "ul" | "ol" | "div" | "tr"
                ) {
                    out.push('\n');
                }
                rest = &tag[end + 1..];
            }
            None => {
                out.push('<');
                rest = &tag[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Words saying the field takes several codes at once, or holds a structure
/// (JSON, a map, a URL with a query) whose keys the list describes.
fn says_several_values(text: &[char]) -> bool {
    const SEVERAL: &[&str] = &[
        "逗号",
        "分隔",
        "隔开",
        "多个值",
        "多选",
        "字段列表",
        "json",
        "结构",
        "格式",
        "key值",
        "key为",
        "包含的字段",
        "字段有",
        "字段说明",
        "对象",
        "公式",
        "返回的字段",
        "返回字段",
        "[{",
        "{\"",
    ];
    let s: String = text.iter().collect::<String>().to_lowercase();
    let query = text
        .windows(2)
        .any(|w| w[0] == '?' && w[1].is_ascii_alphabetic());
    query || SEVERAL.iter().any(|w| s.contains(w))
}

/// Codes named like fields (`itemId`, `awardTypeName`, `area_id`): the list
/// describes the keys of a structure.
fn field_like(code: &str) -> bool {
    const ENDS: &[&str] = &[
        "Id", "ID", "Name", "Time", "Url", "List", "Info", "Code", "Desc", "No",
    ];
    const SNAKE_ENDS: &[&str] = &[
        "_id", "_name", "_time", "_url", "_list", "_info", "_code", "_desc", "_no",
    ];
    let camel = code.starts_with(|c: char| c.is_ascii_lowercase())
        && ENDS
            .iter()
            .any(|e| code.len() > e.len() && code.ends_with(e));
    camel || SNAKE_ENDS.iter().any(|e| code.ends_with(e))
}

fn is_code_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{3000}' || c == '\u{a0}'
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Characters that glue a preceding token to a code: `a.b`, `"key"`, `x-y`, a URL's `?a=`.
fn glues(c: char) -> bool {
    is_code_char(c) || "\"'`.-/\\$#@&%+{<~^?=:".contains(c)
}

/// Every position where an item could start.
fn heads(text: &[char]) -> Vec<Head> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let at_boundary =
            i == 0 || !glues(text[i - 1]) || is_list_colon(text, i) || is_dash_after_word(text, i);
        if !at_boundary || !(is_code_char(text[i]) || starts_negative(text, i)) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end < text.len() && is_code_char(text[end]) {
            end += 1;
        }
        if let Some(head) = head_at(text, start, end) {
            out.push(head);
        }
        i = end;
    }
    out
}

/// A colon after a word (`可选值:`, `状态：`) opens a list, unlike `a:b` inside data.
fn is_list_colon(text: &[char], i: usize) -> bool {
    matches!(text[i - 1], ':' | '：') && i >= 2 && !is_code_char(text[i - 2])
}

/// `状态-0:待部署`: a dash after a word introduces the code, it is no minus.
fn is_dash_after_word(text: &[char], i: usize) -> bool {
    text[i - 1] == '-' && i >= 2 && is_cjk(text[i - 2])
}

fn starts_negative(text: &[char], i: usize) -> bool {
    text[i] == '-'
        && text.get(i + 1).is_some_and(|c| c.is_ascii_digit())
        && (i == 0 || !is_cjk(text[i - 1]))
}

fn head_at(text: &[char], start: usize, end: usize) -> Option<Head> {
    let len = end - start;
    if len > MAX_CODE {
        return None;
    }
    let numeric = is_number(&text[start..end]);
    let mut j = end;
    while j < text.len() && is_space(text[j]) {
        j += 1;
    }
    let c = *text.get(j)?;
    let next = text.get(j + 1).copied();
    let (sep, body) = match c {
        '(' | '（' => {
            let close = closing(text, j)?;
            return Some(Head {
                outer: start,
                start,
                glued: glued(text, start),
                code_end: end,
                sep: Sep::Paren,
                body: j + 1,
                close: Some(close),
            });
        }
        ':' if next == Some(':') => (Sep::Colon, j + 2),
        ':' | '：' => (Sep::Colon, j + 1),
        '=' if next != Some('=') => (Sep::Equals, j + 1),
        '-' if numeric && next.is_some_and(|n| !n.is_ascii_digit() && n != '>') => {
            (Sep::Dash, j + 1)
        }
        '表' if numeric && next == Some('示') => (Sep::Means, j + 2),
        _ => return None,
    };
    let enclosed = enclosing(text, start).and_then(|open| {
        let close = closing(text, open)?;
        // `(waiting = 开票中)` holds one item; `（1-新房 2-二手房）` holds a list.
        let one = !text[body..close.max(body)]
            .iter()
            .any(|c| c.is_ascii_alphanumeric());
        one.then_some((open, close))
    });
    let (outer, close) = match enclosed {
        Some((open, close)) => (open, Some(close)),
        None => (start, None),
    };
    Some(Head {
        outer,
        start,
        glued: glued(text, start),
        code_end: end,
        sep,
        body,
        close,
    })
}

/// Whether a word runs straight into the code (`为1表示`, `指定tag3:`).
fn glued(text: &[char], start: usize) -> bool {
    start > 0 && is_cjk(text[start - 1])
        || start > 1 && text[start - 1] == '-' && is_cjk(text[start - 2])
}

/// The parenthesis that encloses a whole item starting at `start`, as in
/// `可选值：(waiting = 开票中)、(create_success = 开票成功)`: one that opens
/// after a separator, not after a word (`单据类型(JYCK=…;HHCK=…)`).
fn enclosing(text: &[char], start: usize) -> Option<usize> {
    let mut k = start;
    while k > 0 && is_space(text[k - 1]) {
        k -= 1;
    }
    let open = k
        .checked_sub(1)
        .filter(|&o| matches!(text[o], '(' | '（'))?;
    let mut b = open;
    while b > 0 && is_space(text[b - 1]) {
        b -= 1;
    }
    (b == 0 || b < open || is_gap(&text[b - 1..b]) || matches!(text[b - 1], ':' | '：'))
        .then_some(open)
}

fn is_number(code: &[char]) -> bool {
    let digits = code.strip_prefix(&['-']).unwrap_or(code);
    !digits.is_empty() && digits.iter().all(|c| c.is_ascii_digit())
}

/// The parenthesis closing the one at `open`, on the same line.
fn closing(text: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &c) in text.iter().enumerate().skip(open) {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// Runs of heads of one form that follow each other as one list: indices into `heads`.
fn runs(text: &[char], heads: &[Head]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for sep in [Sep::Paren, Sep::Colon, Sep::Equals, Sep::Dash, Sep::Means] {
        let of_kind: Vec<usize> = (0..heads.len()).filter(|&i| heads[i].sep == sep).collect();
        let mut run: Vec<usize> = Vec::new();
        for &h in &of_kind {
            match run.last() {
                Some(&prev) if linked(text, &heads[prev], &heads[h]) => run.push(h),
                _ => {
                    if run.len() >= 2 {
                        out.push(std::mem::take(&mut run));
                    }
                    run = vec![h];
                }
            }
        }
        if run.len() >= 2 {
            out.push(run);
        }
    }
    out.sort_by_key(|run| heads[run[0]].start);
    out
}

/// Whether `next` continues the list that `prev` is an item of.
fn linked(text: &[char], prev: &Head, next: &Head) -> bool {
    if next.glued && next.sep != Sep::Paren {
        return false;
    }
    if let Some(close) = prev.close {
        return next.outer > close && is_gap(&text[close + 1..next.outer]);
    }
    if next.glued {
        return false;
    }
    if next.outer <= prev.body || next.close.is_some() {
        return false;
    }
    let meaning = &text[prev.body..next.outer];
    let inner = &meaning[..meaning.len() - trailing_separators(meaning)];
    meaning.len() <= MAX_MEANING + 4
        && balanced(meaning)
        && line_item(meaning)
        && !inner.iter().any(|c| matches!(c, ';' | '；'))
}

fn is_separator(c: char) -> bool {
    is_space(c) || c == '\n' || ",，、;；/|*。.".contains(c)
}

/// How many characters at the end of `s` are separators, spaces, or the
/// number of a numbered list (`现金支付； 2. `).
fn trailing_separators(s: &[char]) -> usize {
    let mut end = s.len();
    loop {
        let seps = s[..end]
            .iter()
            .rev()
            .take_while(|&&c| is_separator(c))
            .count();
        end -= seps;
        let digits = s[..end]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let numbered = seps > 0
            && digits > 0
            && matches!(s[end], '.' | '、')
            && (end == digits || is_separator(s[end - digits - 1]));
        if !numbered {
            return s.len() - end;
        }
        end -= digits;
    }
}

/// A meaning that ends its line, as in `<li>1:未冻结</li><li>2:已冻结</li>`.
fn line_item(meaning: &[char]) -> bool {
    let lines: Vec<&[char]> = meaning.split(|&c| c == '\n').collect();
    lines[1..].iter().all(|l| l.iter().all(|&c| is_space(c)))
}

/// What may stand between two items of a list. A `*` is a bullet only with
/// a space beside it; `num(数量)*price(单价)` is a formula.
fn is_gap(gap: &[char]) -> bool {
    let bullet_ok = !gap.contains(&'*') || gap.iter().any(|&c| is_space(c) || c == '\n');
    bullet_ok
        && gap
            .iter()
            .all(|&c| is_space(c) || "\n,，、;；/|*或和及".contains(c))
        && gap.iter().filter(|&&c| "或和及".contains(c)).count() <= 1
}

/// Parentheses in a meaning close what they open and never more.
fn balanced(s: &[char]) -> bool {
    let mut depth = 0i32;
    for &c in s {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// The items of one run, or `None` when one of them is not a list item.
fn items(text: &[char], heads: &[Head], run: &[usize]) -> Option<Vec<Item>> {
    let mut out = Vec::with_capacity(run.len());
    let mut separator: Option<char> = None;
    for (k, &h) in run.iter().enumerate() {
        let head = &heads[h];
        let code: String = text[head.start..head.code_end].iter().collect();
        let raw: &[char] = match (head.close, run.get(k + 1)) {
            (Some(close), _) => &text[head.body..close],
            (None, Some(&next)) => &text[head.body..heads[next].outer],
            (None, None) => last_meaning(&text[head.body..], separator),
        };
        let end = head.close.map_or(head.body + raw.len(), |close| close + 1);
        let (meaning, sep_char) = trim_meaning(raw);
        if k + 1 < run.len() && head.close.is_none() {
            separator = separator.or(sep_char);
        }
        out.push(Item {
            start: head.start,
            end,
            code,
            meaning,
            sep: head.sep,
        });
    }
    Some(out)
}

/// The last item's meaning ends at the list's separator, a sentence end, a line
/// end or a parenthesis it did not open.
fn last_meaning(rest: &[char], separator: Option<char>) -> &[char] {
    let lead = rest.iter().take_while(|&&c| is_space(c)).count();
    let mut depth = 0i32;
    for (k, &c) in rest.iter().enumerate().skip(lead) {
        let stop = match c {
            '(' | '（' => {
                depth += 1;
                false
            }
            ')' | '）' => {
                depth -= 1;
                depth < 0
            }
            '。' | ';' | '；' | '\n' => depth == 0,
            '.' => depth == 0 && rest.get(k + 1).is_none_or(|&n| is_space(n) || is_cjk(n)),
            c if Some(c) == separator => depth == 0,
            c if is_space(c) => {
                depth == 0 && (separator == Some(' ') || starts_remark(&rest[k + 1..]))
            }
            _ => false,
        };
        if stop {
            return &rest[..k];
        }
    }
    rest
}

/// A remark after the list (`2:机场柜台 默认为1`) rather than more of a meaning.
fn starts_remark(rest: &[char]) -> bool {
    const REMARKS: &[&str] = &["默认", "缺省", "注", "如果", "若", "当", "必填", "选填"];
    let s: String = rest.iter().take(2).collect();
    REMARKS.iter().any(|r| s.starts_with(r))
}

/// A meaning without surrounding spaces and trailing separators; also the
/// separator that followed it (`' '` for spaces only).
fn trim_meaning(raw: &[char]) -> (String, Option<char>) {
    let end = raw.len() - trailing_separators(raw);
    let tail = &raw[end..];
    let sep = tail
        .iter()
        .copied()
        .find(|&c| !is_space(c) && c != '\n' && !c.is_ascii_digit())
        .or_else(|| (!tail.is_empty()).then_some(' '));
    let s: String = raw[..end].iter().collect();
    // `10--预订须知` doubles the dash; `…商品特价打折]` closes a bracket opened before the list.
    let s = s.trim_matches(is_space).trim_start_matches('-');
    let s = if s.ends_with(']') && !s.contains('[') {
        &s[..s.len() - 1]
    } else {
        s
    };
    (s.trim_matches(is_space).to_string(), sep)
}

/// The checks that tell a code list from key-value data, times, formulas and prose.
fn plausible(text: &[char], items: &[Item]) -> bool {
    let n = items.len();
    let all_good = items.iter().all(|item| {
        let m: Vec<char> = item.meaning.chars().collect();
        !m.is_empty()
            && m.len() <= MAX_MEANING
            && !item.meaning.contains("://")
            && !m[0].is_ascii_digit()
            && !"/\\{[\"'".contains(m[0])
            && (item.sep == Sep::Paren || !is_number_like(&m))
            && !ends_in_codes(&m)
    });
    let unchinese = items
        .iter()
        .filter(|item| !item.meaning.chars().any(is_cjk))
        .count();
    let numeric = items
        .iter()
        .filter(|item| is_number(&item.code.chars().collect::<Vec<_>>()))
        .count();
    let word_codes_ok = items.iter().all(|item| {
        is_number(&item.code.chars().collect::<Vec<_>>())
            || item.code.chars().any(|c| c.is_ascii_alphabetic())
    });
    all_good
        && word_codes_ok
        && !items.iter().any(|item| field_like(&item.code))
        && !joined_elsewhere(text, items)
        && !continues_unread(text, items)
        && !repeats_too_often(items)
        && unchinese * 2 < n
        && (unchinese == 0 || n >= 4)
        && (numeric == n || numeric == 0 || items[0].sep == Sep::Paren)
        && (numeric < n || !unlisted_number(text, items))
        && !introduced_as_example(text, items[0].start)
}

/// `1:折扣 2,8,10:时间`: the codes `2,8` end the meaning before, so the
/// list is of code groups, not codes.
fn ends_in_codes(m: &[char]) -> bool {
    let last: Vec<&[char]> = m
        .split(|&c| is_space(c) || c == ',' || c == '，')
        .filter(|t| !t.is_empty())
        .collect();
    last.len() >= 2 && last.last().is_some_and(|t| is_number(t))
}

/// A number that starts an item (`0：子单无配建议；…`) or one in another form
/// (`8、企业预存`, `1个人现付`) and is not in the list: the list read is incomplete.
fn unlisted_number(text: &[char], items: &[Item]) -> bool {
    let mut k = 0;
    while k < text.len() {
        let starts = text[k].is_ascii_digit()
            && (k == 0
                || is_separator(text[k - 1])
                || matches!(text[k - 1], ':' | '：' | '(' | '（'));
        if !starts {
            k += 1;
            continue;
        }
        let end = k + text[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        let code: String = text[k..end].iter().collect();
        let mut m = end;
        while text.get(m).is_some_and(|&c| is_space(c)) {
            m += 1;
        }
        let item_sep = text.get(m).is_some_and(|&c| matches!(c, ':' | '：' | '='));
        let dash = text.get(m) == Some(&'-') && text.get(m + 1).is_some_and(|&c| !is_space(c));
        if text
            .get(m)
            .is_some_and(|&c| matches!(c, '、' | '.' | '．' | '-'))
        {
            m += 1;
        }
        let starts_item = item_sep || dash || text.get(m).is_some_and(|&c| is_cjk(c));
        if starts_item && !items.iter().any(|i| i.code == code) {
            return true;
        }
        k = end;
    }
    false
}

fn is_number_like(m: &[char]) -> bool {
    m.iter().all(|c| c.is_ascii_digit() || ".:-".contains(*c))
}

/// `START_PACKAGE(“开始打包”), PACKAGE _FINISH(“打包完成”)`: after the last
/// item the list goes on in a form not read, so what was read is incomplete.
fn continues_unread(text: &[char], items: &[Item]) -> bool {
    let Some(last) = items.last() else {
        return false;
    };
    let rest = &text[last.end.min(text.len())..];
    let gap = rest
        .iter()
        .take_while(|&&c| is_space(c) || ",，、;；|".contains(c))
        .count();
    gap > 0
        && rest[..gap].iter().any(|&c| !is_space(c))
        && rest.get(gap).is_some_and(|c| c.is_ascii_alphanumeric())
}

/// `例如"GRADE,DISTRIBUTOR"`: a code joined to another word by a comma means
/// the field takes several codes at once.
fn joined_elsewhere(text: &[char], items: &[Item]) -> bool {
    let word_at = |mut from: usize, step: isize| -> String {
        let mut w = Vec::new();
        while let Some(&c) = text.get(from).filter(|c| is_code_char(**c)) {
            w.push(c);
            if step < 0 {
                match from.checked_sub(1) {
                    Some(f) => from = f,
                    None => break,
                }
            } else {
                from += 1;
            }
        }
        if step < 0 {
            w.reverse();
        }
        w.into_iter().collect()
    };
    (1..text.len().saturating_sub(1)).any(|k| {
        matches!(text[k], ',' | '，')
            && is_code_char(text[k - 1])
            && is_code_char(text[k + 1])
            && [word_at(k - 1, -1), word_at(k + 1, 1)].iter().any(|w| {
                !is_number(&w.chars().collect::<Vec<_>>()) && items.iter().any(|i| &i.code == w)
            })
    })
}

/// A list right after `格式`, `例如`, `如:` shows data, not codes.
fn introduced_as_example(text: &[char], start: usize) -> bool {
    const MARKS: &[&str] = &[
        "格式", "例如", "比如", "示例", "例：", "例:", "如：", "如:", "如 ", "eg", "e.g", "样例",
    ];
    let from = start.saturating_sub(12);
    let before: String = text[from..start].iter().collect();
    MARKS.iter().any(|m| before.contains(m))
}

/// Codes that repeat with other meanings (`type=CASH：为空；type=ALIPAY：…`)
/// are conditions on another field, not a list.
fn repeats_too_often(items: &[Item]) -> bool {
    let distinct: std::collections::BTreeSet<&str> =
        items.iter().map(|i| i.code.as_str()).collect();
    distinct.len() < 2 || (items.len() - distinct.len()) * 3 > items.len()
}

/// Duplicates dropped (the first meaning kept) and case collisions named, each with a doubt.
fn settle(items: Vec<Item>) -> Reading {
    let mut values: Vec<CodeValue> = Vec::with_capacity(items.len());
    let mut doubts = Vec::new();
    for item in items {
        if let Some(kept) = values.iter().find(|v| v.value == item.code) {
            if kept.description != item.meaning {
                doubts.push(format!(
                    "code `{}` listed twice (`{}`, `{}`); the first meaning kept",
                    item.code, kept.description, item.meaning
                ));
            } else {
                doubts.push(format!("code `{}` listed twice; read once", item.code));
            }
            continue;
        }
        values.push(CodeValue {
            value: item.code,
            description: item.meaning,
        });
    }
    let mut by_name: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for v in &values {
        by_name
            .entry(v.value.to_upper_camel_case())
            .or_default()
            .push(&v.value);
    }
    for codes in by_name.values().filter(|codes| codes.len() > 1) {
        let list: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        doubts.push(format!(
            "codes {} differ only in case or `_`; told apart by a suffix",
            list.join(", ")
        ));
    }
    Reading { values, doubts }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(description: &str) -> Option<Vec<(String, String)>> {
        read(description).map(|r| {
            r.values
                .into_iter()
                .map(|v| (v.value, v.description))
                .collect()
        })
    }

    fn list(pairs: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            pairs
                .iter()
                .map(|(c, m)| (c.to_string(), m.to_string()))
                .collect(),
        )
    }

    #[test]
    fn lists_in_every_form_are_read() {
        let table: &[(&str, &[(&str, &str)])] = &[
            (
                "单据类型(JYCK=一般交易出库单;HHCK= 换货出库;BFCK=补发出库;QTCK=其他出库单)",
                &[
                    ("JYCK", "一般交易出库单"),
                    ("HHCK", "换货出库"),
                    ("BFCK", "补发出库"),
                    ("QTCK", "其他出库单"),
                ],
            ),
            (
                "交易状态。可选值: * TRADE_NO_CREATE_PAY(没有创建支付宝交易) * WAIT_BUYER_PAY(等待买家付款) * TRADE_CLOSED_BY_TAOBAO(付款以前，卖家或买家主动关闭交易)",
                &[
                    ("TRADE_NO_CREATE_PAY", "没有创建支付宝交易"),
                    ("WAIT_BUYER_PAY", "等待买家付款"),
                    ("TRADE_CLOSED_BY_TAOBAO", "付款以前，卖家或买家主动关闭交易"),
                ],
            ),
            (
                "订单状态（请关注此状态，如果为TRADE_CLOSED_BY_TAOBAO状态，则不要对此订单进行发货）。可选值: <ul><li>WAIT_BUYER_PAY(等待买家付款) </li><li>WAIT_SELLER_SEND_GOODS(等待卖家发货,即:买家已付款) </li></ul>",
                &[
                    ("WAIT_BUYER_PAY", "等待买家付款"),
                    ("WAIT_SELLER_SEND_GOODS", "等待卖家发货,即:买家已付款"),
                ],
            ),
            (
                "退款状态。可选值WAIT_SELLER_AGREE(买家已经申请退款，等待卖家同意) WAIT_BUYER_RETURN_GOODS(卖家已经同意退款，等待买家退货)",
                &[
                    ("WAIT_SELLER_AGREE", "买家已经申请退款，等待卖家同意"),
                    ("WAIT_BUYER_RETURN_GOODS", "卖家已经同意退款，等待买家退货"),
                ],
            ),
            ("1:未冻结 2:已冻结", &[("1", "未冻结"), ("2", "已冻结")]),
            (
                "VENDOR_PAID: 已付款; VENDOR_DELIVERING: 配送中",
                &[("VENDOR_PAID", "已付款"), ("VENDOR_DELIVERING", "配送中")],
            ),
            (
                "优惠类型，只有两种可选值：0-减钱；1-打折",
                &[("0", "减钱"), ("1", "打折")],
            ),
            (
                "活动范围：0表示全部参与； 1表示部分商品参与。",
                &[("0", "全部参与"), ("1", "部分商品参与")],
            ),
            (
                "开票状态，可选值：  (waiting = 开票中) 、(create_success = 开票成功)、(create_failed = 开票失败)",
                &[
                    ("waiting", "开票中"),
                    ("create_success", "开票成功"),
                    ("create_failed", "开票失败"),
                ],
            ),
            (
                "物流方式.可选值:free(卖家包邮),post(平邮),express(快递),ems(EMS),25(次日必达)。",
                &[
                    ("free", "卖家包邮"),
                    ("post", "平邮"),
                    ("express", "快递"),
                    ("ems", "EMS"),
                    ("25", "次日必达"),
                ],
            ),
            (
                "可选值：post:平邮; cod:货到付款; ems:EMS; express:快递公司",
                &[
                    ("post", "平邮"),
                    ("cod", "货到付款"),
                    ("ems", "EMS"),
                    ("express", "快递公司"),
                ],
            ),
            (
                "资金渠道类型，1. CASH：现金支付； 2. UNIONPAY：银联刷卡支付； 3. ALIPAY：支付宝支付",
                &[
                    ("CASH", "现金支付"),
                    ("UNIONPAY", "银联刷卡支付"),
                    ("ALIPAY", "支付宝支付"),
                ],
            ),
            (
                "数据类型0：初始化，1：修改，2：每天同步\t必填",
                &[("0", "初始化"), ("1", "修改"), ("2", "每天同步")],
            ),
            (
                "状态-0:待部署,1:部署,2:变更",
                &[("0", "待部署"), ("1", "部署"), ("2", "变更")],
            ),
            (
                "会员限制：-1:不限制 1:会员专享 2:非会员专享",
                &[("-1", "不限制"), ("1", "会员专享"), ("2", "非会员专享")],
            ),
            (
                "发票行性质。0表示正常行，1表示折扣行，2表示被折扣行。比如单价100元",
                &[("0", "正常行"), ("1", "折扣行"), ("2", "被折扣行")],
            ),
            (
                "发票领取规则 1:行程单，2:机场柜台 默认为1",
                &[("1", "行程单"), ("2", "机场柜台")],
            ),
            (
                "业务类型，1-新房，2-二手房 3-租房",
                &[("1", "新房"), ("2", "二手房"), ("3", "租房")],
            ),
            (
                "公益类型 PAN_PUBLIC_WELFARE:互联网公益,PUBLIC_DONATION::公益捐赠",
                &[
                    ("PAN_PUBLIC_WELFARE", "互联网公益"),
                    ("PUBLIC_DONATION", "公益捐赠"),
                ],
            ),
            (
                "<li>1:未冻结</li><li>2:已冻结</li>",
                &[("1", "未冻结"), ("2", "已冻结")],
            ),
            (
                "ADD=打标，DELETE=去标，必填",
                &[("ADD", "打标"), ("DELETE", "去标")],
            ),
            (
                "可选值有ershou(二手市场的订单）,service（商城服务子订单）",
                &[("ershou", "二手市场的订单"), ("service", "商城服务子订单")],
            ),
            (
                "订单状态（0:初始状态 \u{0}1:冻结成功 \u{0}3:解冻成功）",
                &[("0", "初始状态"), ("1", "冻结成功"), ("3", "解冻成功")],
            ),
            (
                "开票状态 (waiting = 开票中) 、(create_success = 开票成功)",
                &[("waiting", "开票中"), ("create_success", "开票成功")],
            ),
            (
                "数据源类型 （1-新房 2-二手房）",
                &[("1", "新房"), ("2", "二手房")],
            ),
            (
                "优惠类型, 0:减钱,1:打折,2:一口价,3:组合优惠",
                &[
                    ("0", "减钱"),
                    ("1", "打折"),
                    ("2", "一口价"),
                    ("3", "组合优惠"),
                ],
            ),
            (
                "字典类型，10--预订须知，116--酒店设施",
                &[("10", "预订须知"), ("116", "酒店设施")],
            ),
            (
                "优惠方式[itemDecreaseMoney:商品特价减钱;itemFixPrice:商品特价一口价]",
                &[
                    ("itemDecreaseMoney", "商品特价减钱"),
                    ("itemFixPrice", "商品特价一口价"),
                ],
            ),
        ];
        for (description, want) in table {
            assert_eq!(codes(description), list(want), "{description}");
        }
    }

    #[test]
    fn free_text_with_colons_and_equals_stays_text() {
        let table = [
            // Key-value formats and structures.
            "自定义属性，格式为k1:v1;k2:v2",
            "扩展字段，格式为 key1:value1;key2:value2",
            "属性，如 color:红色;size:大号",
            "jsonArray格式的分国家定价规则数据：[{\"shiptoCountry\":\"US\",\"percentage\":\"5\"}]",
            "{\"a\":\"未冻结\",\"b\":\"已冻结\"}",
            "hosNo:渠道医院ID,deptNo:渠道科室ID,status:状态",
            "活动返回列表对象<br/> itemId：商品ID <br/> preEndTime：预热结束时间",
            "处理失败的item和sku: map结构为:itemId: skuId-错误信息",
            // Signature recipes, URLs, times, dates, ranges.
            "签名: sign=md5(secret+app_key+timestamp+secret)",
            "回调地址 http://example.com/callback?a=1&b=2",
            "请求URL: callbackUrl+\"?item_id=xxx&task_status=1\"; 1:已完成 2:处理中",
            "营业时间 09:00-18:00，周末 10:00-16:00",
            "开始时间，格式：2024-01-01 12:00:00",
            "比例 16:9 或 4:3",
            "取值范围1-10，默认5",
            "时长 1-3天,4-7天",
            // Sentences with a colon, one item, several values at once.
            "注意：该值单位为分，即100表示1元。",
            "父类目编号，注：值等于0：表示一级类目",
            "交易类型列表，同时查询多种交易类型可用逗号分隔。可选值：fixed(一口价),auction(拍卖)",
            "选择折扣方式：GRADE（按等级进行设置）;DISTRIBUTOR(按分销商进行设置）。例如\"GRADE,DISTRIBUTOR\"",
            "需返回的字段列表.可选值:Area 结构中的所有字段",
            "状态：0：成功",
            "是否有效：1-是",
            // Code groups, lists in two forms, conditions on another field.
            "超标类型，1:折扣 2,8,10:时间 3,9,11:折扣和时间",
            "结算方式:1：个人现付，2:企业现付,4:企业月结，8、企业预存",
            "结算方式:1个人现付，2:企业现付,4:企业月结",
            "推送类型 1:所有人,无需指定tag、deviceType等2:一群人,必须指定tag3:指定用户",
            "资金渠道的id: * 1. type=CASH：为空； * 2. type=UNIONPAY：银联流水号；",
            "客户端名称，ISV：ISV-ISV英文或拼音名称、商家ERP：SELLER-商家英文或拼音名称",
            "产品是否需要授权isAuthz:yes|no <br/>yes:需要授权 <br/>no:不需要授权",
            "发票种类，1=普票，2=专票，success=true时必填",
            "计算公式：num(采购数量)*price(采购价) - 折扣",
            "作业状态： START_PICK(“开始拣货”)， PICK_FINISH(“拣货完成”), PACKAGE _FINISH(“打包完成”);",
            "类型 1-安心置业 2-特价房 3-0元购 4-大额电商券",
            "订单推荐配送类型 * 0：子单无配建议；ERP按照自己的逻辑进行择配。 * 1：子单有推荐配list。 * 2：子单有禁用配list",
            "图片位置，0-14之间。0：操作sku属性图片，1：主图，2-5：细节图，6-14：额外主图",
            "需要返回的字段。目前支持有：refund_id, tid, show_return_logistic(展现买家退货的物流信息), show_exchange_logistic(展现换货的物流信息)",
            "商品初始库存信息： [{\"inventoryType\":\"库存类型 1：正常,2：损坏,3：冻结\"}]",
            "跨境电商平台代码：ICBU（阿里巴巴国际站）、ALIEXPRESS（速卖通）、TIKTOK、TEMU",
            "用于source=upload时标识业务平台。source=apply时可空",
            "",
        ];
        for description in table {
            assert_eq!(codes(description), None, "{description}");
        }
    }

    #[test]
    fn repeats_and_case_collisions_are_read_with_a_doubt() {
        let r = read("状态：open:打开; OPEN:打开(旧); close:关闭; open:打开").unwrap();
        let values: Vec<&str> = r.values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(values, ["open", "OPEN", "close"]);
        assert_eq!(r.doubts.len(), 2, "{:?}", r.doubts);
        assert!(
            r.doubts[0].contains("`open` listed twice"),
            "{:?}",
            r.doubts
        );
        assert!(r.doubts[1].contains("`open`, `OPEN`"), "{:?}", r.doubts);
    }

    #[test]
    fn types_decide_what_becomes_an_enum() {
        let d = "状态：1:未冻结 2:已冻结";
        assert!(read_typed("String", d).is_some());
        assert!(read_typed("Number", d).is_some());
        assert!(read_typed("Boolean", "可选值:true(已评价),false(未评价)").is_none());
        assert!(read_typed("Number", "可选值: open:打开; close:关闭").is_none());
        assert!(read_typed("OrderItem", d).is_none());
    }
}
