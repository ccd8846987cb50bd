//! Serial codes for single boxes (一物一码): random, so one box's code says nothing about the
//! next one's — a counterfeiter cannot print valid codes by counting.

use rand::Rng;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// 10 Crockford base-32 characters: 50 random bits.
pub fn new_serial() -> String {
    let mut rng = rand::rng();
    (0..10)
        .map(|_| char::from(ALPHABET[rng.random_range(0..32)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_ten_unambiguous_characters_and_do_not_repeat() {
        let a: Vec<String> = (0..1000).map(|_| new_serial()).collect();
        assert!(
            a.iter()
                .all(|s| s.len() == 10 && s.bytes().all(|b| ALPHABET.contains(&b)))
        );
        let mut b = a.clone();
        b.sort();
        b.dedup();
        assert_eq!(b.len(), a.len());
    }
}
