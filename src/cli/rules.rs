//! The options of the rules: the rule set, its numbers, and the columns or fields it reads.

use clap::{Args, ValueEnum};
use collectguard::records::FieldNames;
use collectguard::rules::{QuietHoursError, RuleSet, RuleSetName, Tz};
use collectguard::score::RuleColumnNames;

// `--rules` values.
#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum RulesArg {
    /// China: GB/T 45251-2025 and the China Banking Association's 2026 guideline.
    Cn,
    /// United States: FDCPA and Regulation F.
    Us,
    /// No rules: no findings or flagged column.
    None,
}

/// The rule set and its numbers (`score`, `classify --input-format jsonl`).
#[derive(Args, Clone)]
pub struct RuleArgs {
    /// Rule set for the findings column.
    #[arg(long, value_enum, default_value_t = RulesArg::Cn)]
    pub rules: RulesArg,
    /// Zone of times that name none, as an offset (default +08:00 for cn, -05:00 for us).
    #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
    pub tz: Option<Tz>,
    /// N1: hours with no contact, or `off` (cn 22:00-08:00, us 21:00-08:00).
    #[arg(long, value_name = "HH:MM-HH:MM")]
    pub quiet_hours: Option<String>,
    /// N2: most effective voice contacts per debtor per day, 0 for none (cn 3).
    #[arg(long, value_name = "N")]
    pub daily_contacts: Option<u32>,
    /// N3: most unanswered call attempts per number per day, 0 for none (cn 6).
    #[arg(long, value_name = "N")]
    pub daily_attempts: Option<u32>,
    /// N4: most calls per debtor within --window-days days, 0 for none (us 7).
    #[arg(long, value_name = "N")]
    pub window_calls: Option<u32>,
    /// N4: the length of the rolling window in days (7).
    #[arg(long, value_name = "DAYS")]
    pub window_days: Option<u32>,
    /// N4: no call within this many days after a conversation, 0 for none (us 7).
    #[arg(long, value_name = "DAYS")]
    pub conversation_days: Option<u32>,
    /// N5 off: do not check messages to third parties.
    #[arg(long)]
    pub no_third_party: bool,
}

/// The columns the rules read (`score`).
#[derive(Args, Clone)]
pub struct RuleColumnArgs {
    /// Column with the time sent (default: 发送时间, 时间, 催收时间, send_time, timestamp, created_at, ...).
    #[arg(long, value_name = "NAME")]
    pub time_column: Option<String>,
    /// Column with the debtor (default: 客户号, 借款人, 债务人, debtor_id, 手机号, ...).
    #[arg(long, value_name = "NAME")]
    pub debtor_column: Option<String>,
    /// Column with the recipient: a number, or a relation word (default: 接收人, 接收号码, 被叫号码, recipient, ...).
    #[arg(long, value_name = "NAME")]
    pub recipient_column: Option<String>,
    /// Column with the recipient's relation: 本人, 联系人, 紧急联系人, 同事 ... (default: 关系, relation, ...).
    #[arg(long, value_name = "NAME")]
    pub relation_column: Option<String>,
    /// Column with the channel: sms, call, wechat, visit (default: 渠道, 催收方式, channel, type, ...).
    #[arg(long, value_name = "NAME")]
    pub channel_column: Option<String>,
    /// Column saying whether a call was answered (default: 是否接通, 接通, answered, status, ...).
    #[arg(long, value_name = "NAME")]
    pub answered_column: Option<String>,
}

impl RuleArgs {
    /// The rule set the options describe (`None` for `--rules none`).
    pub fn rule_set(&self) -> Result<Option<RuleSet>, QuietHoursError> {
        let name = match self.rules {
            RulesArg::Cn => RuleSetName::Cn,
            RulesArg::Us => RuleSetName::Us,
            RulesArg::None => return Ok(None),
        };
        let mut set = RuleSet::named(name);
        let limit = |given: Option<u32>, default: Option<u32>| match given {
            Some(0) => None,
            Some(n) => Some(n),
            None => default,
        };
        set.tz = self.tz.unwrap_or(set.tz);
        set.quiet_hours = match self.quiet_hours.as_deref() {
            Some("off") => None,
            Some(q) => Some(q.parse()?),
            None => set.quiet_hours,
        };
        set.daily_contacts = limit(self.daily_contacts, set.daily_contacts);
        set.daily_attempts = limit(self.daily_attempts, set.daily_attempts);
        set.window_calls = limit(self.window_calls, set.window_calls);
        set.window_days = self.window_days.unwrap_or(set.window_days).max(1);
        set.conversation_days = limit(self.conversation_days, set.conversation_days);
        set.third_party &= !self.no_third_party;
        Ok(Some(set))
    }
}

impl RuleColumnArgs {
    /// The columns named on the command line.
    pub fn columns(&self) -> RuleColumnNames {
        RuleColumnNames {
            time: self.time_column.clone(),
            debtor: self.debtor_column.clone(),
            recipient: self.recipient_column.clone(),
            relation: self.relation_column.clone(),
            channel: self.channel_column.clone(),
            answered: self.answered_column.clone(),
            collector: None,
        }
    }
}

/// The fields the rules read (`classify --input-format jsonl`).
#[derive(Args, Clone)]
pub struct RuleFieldArgs {
    /// Field with the message text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// Field with the time sent (a string, or epoch seconds or milliseconds as a number).
    #[arg(long, value_name = "NAME")]
    pub time_field: Option<String>,
    /// Field with the debtor.
    #[arg(long, value_name = "NAME")]
    pub debtor_field: Option<String>,
    /// Field with the recipient: a number, or a relation word.
    #[arg(long, value_name = "NAME")]
    pub recipient_field: Option<String>,
    /// Field with the recipient's relation: 本人, 联系人, 同事 ...
    #[arg(long, value_name = "NAME")]
    pub relation_field: Option<String>,
    /// Field with the channel: sms, call, wechat, visit.
    #[arg(long, value_name = "NAME")]
    pub channel_field: Option<String>,
    /// Field saying whether a call was answered.
    #[arg(long, value_name = "NAME")]
    pub answered_field: Option<String>,
}

impl RuleFieldArgs {
    /// The fields named on the command line.
    pub fn fields(&self) -> FieldNames {
        FieldNames {
            text: self.text_field.clone(),
            time: self.time_field.clone(),
            debtor: self.debtor_field.clone(),
            recipient: self.recipient_field.clone(),
            relation: self.relation_field.clone(),
            channel: self.channel_field.clone(),
            answered: self.answered_field.clone(),
        }
    }
}
