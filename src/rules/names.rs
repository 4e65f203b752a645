//! The names exports give the columns the rules read, in order of preference, and the
//! relation words that say who a message went to. Names are compared after trimming,
//! ASCII case ignored.

/// The time a message was sent or a call placed.
pub const TIME_COLUMNS: &[&str] = &[
    "发送时间",
    "催收时间",
    "通话时间",
    "拨打时间",
    "呼叫时间",
    "联系时间",
    "时间",
    "send_time",
    "sent_at",
    "timestamp",
    "created_at",
    "time",
    "datetime",
];

/// The debtor: the key contacts are counted by.
pub const DEBTOR_COLUMNS: &[&str] = &[
    "客户号",
    "客户编号",
    "客户id",
    "借款人",
    "借款人id",
    "债务人",
    "debtor_id",
    "debtor",
    "customer_id",
    "borrower_id",
    "手机号",
];

/// Who received the message (a number, or a relation word).
pub const RECIPIENT_COLUMNS: &[&str] =
    &["接收人", "接收号码", "被叫号码", "收件人", "recipient", "callee", "to"];

/// The recipient's relation to the debtor (本人, 联系人, 同事 …).
pub const RELATION_COLUMNS: &[&str] =
    &["关系", "联系人关系", "与借款人关系", "与客户关系", "对象", "relation", "relationship"];

/// How the message was sent (sms, call, wechat, visit).
pub const CHANNEL_COLUMNS: &[&str] = &["渠道", "催收方式", "方式", "类型", "channel", "type", "method"];

/// Whether a call was answered.
pub const ANSWERED_COLUMNS: &[&str] =
    &["是否接通", "接通", "接通状态", "通话状态", "是否接听", "answered", "connected", "status"];

/// The collector who sent it (for the summary).
pub const COLLECTOR_COLUMNS: &[&str] =
    &["催收员", "坐席", "坐席工号", "催收员工号", "员工", "agent", "collector", "operator"];

/// Relation values that mean the debtor.
pub const DEBTOR_RELATIONS: &[&str] =
    &["本人", "借款人", "债务人", "客户本人", "本人号码", "自己", "self", "debtor", "borrower"];

/// Relation values that mean someone else.
pub const THIRD_PARTY_RELATIONS: &[&str] = &[
    "联系人",
    "紧急联系人",
    "第三方",
    "同事",
    "领导",
    "家人",
    "亲属",
    "父母",
    "父亲",
    "母亲",
    "配偶",
    "子女",
    "朋友",
    "邻居",
    "同学",
    "担保人",
    "contact",
    "emergency contact",
    "third party",
    "colleague",
    "family",
    "friend",
];

/// Whether `s` is a relation word rather than a number or a name.
pub fn is_relation(s: &str) -> bool {
    let s = s.trim();
    DEBTOR_RELATIONS.iter().chain(THIRD_PARTY_RELATIONS).any(|r| s.eq_ignore_ascii_case(r))
}

/// The index of the first of `names` (`candidates` in order) that matches one, ignoring
/// a byte-order mark, surrounding spaces and ASCII case.
pub fn pick(names: &[&str], candidates: &[&str]) -> Option<usize> {
    candidates.iter().find_map(|c| {
        names.iter().position(|n| n.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(c))
    })
}
