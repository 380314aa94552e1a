//! Keeping the SQL of bulk statements to a few shapes. The driver caches one prepared
//! statement per distinct SQL text; multi-row INSERTs and IN lists whose length varies
//! with every batch would fill that cache with huge, single-use statements (hundreds of
//! MB over a large import). Lengths are therefore powers of two.

/// `items` split into chunks whose lengths are powers of two, the largest first.
pub fn pow2_chunks<T>(mut items: Vec<T>) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    while !items.is_empty() {
        let size = 1usize << (usize::BITS - 1 - items.len().leading_zeros());
        let rest = items.split_off(size);
        chunks.push(std::mem::replace(&mut items, rest));
    }
    chunks
}

/// `values` padded to the next power of two by repeating the first one (harmless in an
/// `IN` list).
pub fn padded<T: Clone>(mut values: Vec<T>, at_least: usize) -> Vec<T> {
    if let Some(first) = values.first().cloned() {
        let target = values.len().max(at_least).next_power_of_two();
        values.resize(target, first);
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_and_padding() {
        let sizes: Vec<usize> = pow2_chunks((0..1234).collect())
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, [1024, 128, 64, 16, 2]);
        assert_eq!(pow2_chunks((0..5).collect()).concat(), [0, 1, 2, 3, 4]);
        assert!(pow2_chunks(Vec::<u8>::new()).is_empty());
        assert_eq!(padded(vec![7, 8, 9], 0), [7, 8, 9, 7]);
        assert_eq!(padded(vec![7], 3), [7, 7, 7, 7]);
        assert!(padded(Vec::<u8>::new(), 4).is_empty());
    }
}
