//! A message as the rules see it, read from the values a table row or a JSON record holds.

use super::{Channel, Recipient, Tz, names, parse_answered, parse_time};

/// One message with what the rules need to know about it.
#[derive(Debug, Clone, Default)]
pub struct Message<'a> {
    /// The text.
    pub text: &'a str,
    /// When it was sent (UTC seconds), if known.
    pub time: Option<i64>,
    /// The debtor (an id, a name or the debtor's number): the key contacts are counted by.
    pub debtor: Option<&'a str>,
    /// Who it went to.
    pub recipient: Recipient,
    /// The number called, when it is not the debtor's own (counted per number by N3).
    pub number: Option<&'a str>,
    /// How it was sent.
    pub channel: Option<Channel>,
    /// Whether a call was answered, if known.
    pub answered: Option<bool>,
}

/// What a row or record holds for the rules, each value trimmed, an empty one as none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Values<'a> {
    /// When it was sent, as written.
    pub time: Option<&'a str>,
    /// The debtor.
    pub debtor: Option<&'a str>,
    /// Who received it: a number, or a relation word.
    pub recipient: Option<&'a str>,
    /// The recipient's relation to the debtor.
    pub relation: Option<&'a str>,
    /// How it was sent.
    pub channel: Option<&'a str>,
    /// Whether a call was answered.
    pub answered: Option<&'a str>,
}

impl<'a> Message<'a> {
    /// Message `text` with what `values` say, times read in zone `tz`; and the time as
    /// written when there is one that cannot be read.
    pub fn read(text: &'a str, values: Values<'a>, tz: Tz) -> (Message<'a>, Option<&'a str>) {
        let time = values.time.and_then(|t| parse_time(t, tz));
        let recipient = match (values.relation, values.recipient) {
            (Some(rel), _) => Recipient::from_relation(rel),
            (None, Some(to)) => Recipient::from_recipient(to, values.debtor),
            (None, None) => Recipient::Unknown,
        };
        let message = Message {
            text,
            time,
            debtor: values.debtor,
            recipient,
            number: values.recipient.filter(|t| !names::is_relation(t)),
            channel: values.channel.and_then(Channel::parse),
            answered: values.answered.and_then(parse_answered),
        };
        (message, values.time.filter(|_| time.is_none()))
    }
}
