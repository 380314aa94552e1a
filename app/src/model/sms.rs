//! SMS length as phone networks count it: GSM-7 septets or UCS-2 units, and segments.

use serde::{Deserialize, Serialize};

/// Length facts of an SMS text, as a phone network counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// In encoding units: GSM-7 septets (extension characters count 2) or UCS-2 code units.
    pub units: usize,
    pub segments: usize,
    /// Units left in the last segment.
    pub remaining: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{000C}";

/// GSM 03.38 when every character fits it, else UCS-2 (UTF-16 code units).
pub fn sms_length(text: &str) -> SmsLength {
    let gsm_units: Option<usize> = text
        .chars()
        .map(|c| {
            if GSM7_BASIC.contains(c) {
                Some(1)
            } else if GSM7_EXTENSION.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (encoding, units, single, multi) = match gsm_units {
        Some(n) => (SmsEncoding::Gsm7, n, 160, 153),
        None => (SmsEncoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let segments = if units == 0 {
        0
    } else if units <= single {
        1
    } else {
        units.div_ceil(multi)
    };
    let capacity = match segments {
        0 => single,
        1 => single,
        n => n * multi,
    };
    SmsLength {
        encoding,
        units,
        segments,
        remaining: capacity - units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_segments() {
        let one = sms_length(&"a".repeat(160));
        assert_eq!(
            (one.encoding, one.units, one.segments, one.remaining),
            (SmsEncoding::Gsm7, 160, 1, 0)
        );
        let two = sms_length(&"a".repeat(161));
        assert_eq!((two.segments, two.remaining), (2, 306 - 161));
        // Extension characters take two septets.
        assert_eq!(sms_length("€[]").units, 6);
        assert_eq!(sms_length(&"€".repeat(80)).segments, 1);
        assert_eq!(sms_length(&"€".repeat(81)).segments, 2);
        // One character outside GSM-7 switches the whole message to UCS-2.
        let ucs = sms_length(&format!("{}ł", "a".repeat(69)));
        assert_eq!(
            (ucs.encoding, ucs.units, ucs.segments),
            (SmsEncoding::Ucs2, 70, 1)
        );
        assert_eq!(sms_length(&"ł".repeat(71)).segments, 2);
        // An emoji is two UTF-16 units.
        assert_eq!(sms_length("😀").units, 2);
        assert_eq!(sms_length("").segments, 0);
        assert_eq!(
            sms_length("Bonjour à tous, -20 % ce mois-ci !").encoding,
            SmsEncoding::Gsm7
        );
    }
}
