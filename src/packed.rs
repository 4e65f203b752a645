//! Words and character pairs packed into integers, and the small open-addressing tables
//! keyed by them: the per-token lookups of tokenizing and scoring cost a multiply, a shift
//! and one cache line, without building or hashing strings.

/// Up to three characters in one nonzero u64 (21 bits each, plus one so `\0` counts).
#[inline(always)]
pub fn pack_word(word: &str) -> Option<u64> {
    let b = word.as_bytes();
    let (mut key, mut i, mut n) = (0u64, 0, 0);
    while i < b.len() {
        if n == 3 {
            return None;
        }
        // ASCII and three-byte characters (all of CJK) decoded in place; others by std.
        let c = match b[i] {
            x if x < 0x80 => {
                i += 1;
                x as u64
            }
            x @ 0xE0..=0xEF => {
                let c =
                    ((x as u64 & 0x0F) << 12) | ((b[i + 1] as u64 & 0x3F) << 6) | (b[i + 2] as u64 & 0x3F);
                i += 3;
                c
            }
            _ => {
                let c = word[i..].chars().next()?;
                i += c.len_utf8();
                c as u64
            }
        };
        key = (key << 21) | (c + 1);
        n += 1;
    }
    (key != 0).then_some(key)
}

/// Two BMP characters in one nonzero u32.
#[inline(always)]
pub fn pack_pair(a: char, b: char) -> Option<u32> {
    let (a, b) = (a as u32, b as u32);
    (a < 0x10000 && b < 0x10000 && (a | b) != 0).then_some((a << 16) | b)
}

/// A key of a [`PackedTable`]: nonzero (zero marks an empty slot), hashed by one
/// multiplication.
pub trait PackedKey: Copy + Eq + Default {
    fn spread(self) -> u64;
}

impl PackedKey for u32 {
    fn spread(self) -> u64 {
        (self as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

impl PackedKey for u64 {
    fn spread(self) -> u64 {
        self.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// An open-addressing table from nonzero packed keys, built once. Tokens are looked up
/// about fifty times per message, at random places: keys and values sit side by side in
/// one small array, so a probe costs a multiply, a shift and one cache line, where a
/// string hash map costs hashing and two or three lines.
#[derive(Debug, Clone)]
pub struct PackedTable<K, V> {
    slots: Vec<(K, V)>,
    shift: u32,
    /// A bitmap over the top bits of the keys' hash (empty: no filter). A lookup whose
    /// bit is clear misses without touching `slots`: in front of a large table that most
    /// lookups miss (n-grams of a message absent from the vocabulary), the few kilobytes
    /// of bitmap stay in cache where the table does not.
    filter: Vec<u64>,
    filter_shift: u32,
}

impl<K: PackedKey, V: Copy> PackedTable<K, V> {
    /// A table for `entries` (distinct nonzero keys), at most half full.
    pub fn new(entries: &[(K, V)], empty: V) -> Self {
        Self::with_room(entries, empty, 2)
    }

    /// A table at most `1 / room` full: a small table that nearly every lookup misses
    /// (most tokens are no scope word) stays cheap when misses end at the first slot.
    pub fn with_room(entries: &[(K, V)], empty: V, room: usize) -> Self {
        let size = (entries.len() * room).next_power_of_two().max(16);
        let mut t = PackedTable {
            slots: vec![(K::default(), empty); size],
            shift: 64 - size.trailing_zeros(),
            filter: Vec::new(),
            filter_shift: 0,
        };
        for &(k, v) in entries {
            debug_assert!(k != K::default());
            let mut i = t.slot(k);
            while t.slots[i].0 != K::default() {
                i = (i + 1) & (size - 1);
            }
            t.slots[i] = (k, v);
        }
        t
    }

    /// A table for `entries` with a miss filter of about eight bits per entry.
    pub fn with_filter(entries: &[(K, V)], empty: V) -> Self {
        let mut t = Self::new(entries, empty);
        let bits = (entries.len() * 8).next_power_of_two().max(64);
        t.filter = vec![0; bits / 64];
        t.filter_shift = 64 - bits.trailing_zeros();
        for &(k, _) in entries {
            let b = (k.spread() >> t.filter_shift) as usize;
            t.filter[b >> 6] |= 1 << (b & 63);
        }
        t
    }

    fn slot(&self, key: K) -> usize {
        (key.spread() >> self.shift) as usize
    }

    #[inline(always)]
    pub fn get(&self, key: K) -> Option<V> {
        if !self.filter.is_empty() {
            let b = (key.spread() >> self.filter_shift) as usize;
            if self.filter[b >> 6] & (1 << (b & 63)) == 0 {
                return None;
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == K::default() {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: u32 = u32::MAX;

    #[test]
    fn packed_characters_are_the_characters() {
        let slow = |w: &str| {
            let cs: Vec<char> = w.chars().collect();
            (cs.len() <= 3 && !cs.is_empty())
                .then(|| cs.iter().fold(0u64, |k, &c| (k << 21) | (c as u64 + 1)))
        };
        for w in ["", "a", "还", "还钱", "通讯录", "爆通讯录", "é字", "𠀀a", "\0", "a\0b", "ab€", "abcd"]
        {
            assert_eq!(pack_word(w), slow(w), "{w:?}");
        }
    }

    #[test]
    fn packed_table_finds_every_key_and_nothing_else() {
        let entries: Vec<(u64, u32)> = (1..=1000u64).map(|k| (k * 7919, k as u32)).collect();
        let small: Vec<(u32, u32)> = entries.iter().map(|&(k, v)| (k as u32, v)).collect();
        let t32 = PackedTable::new(&small, NONE);
        assert!(small.iter().all(|&(k, v)| t32.get(k) == Some(v)) && t32.get(1).is_none());
        let t = PackedTable::new(&entries, NONE);
        for &(k, v) in &entries {
            assert_eq!(t.get(k), Some(v));
        }
        assert!((1..=1000u64).all(|k| t.get(k * 7919 + 1).is_none()));
        // The miss filter changes no answer.
        let f = PackedTable::with_filter(&entries, NONE);
        for k in 1..=20_000u64 {
            assert_eq!(f.get(k), t.get(k), "{k}");
        }
    }
}
