//! One stable sort for the engine's lists, by a `(usize, usize)` key.
//!
//! `sort_by_key` is generic over the element and the key: each of the engine's sorts was its
//! own copy of the standard library's stable sort, about 19 KB of the wasm together. Here the
//! sorting is done on `(key, key, index)` triples, one shared instantiation of
//! `sort_unstable`; the index keeps equal keys in their original order, so the result is the
//! stable order.

/// Sorts `items` by `key`, keeping items with equal keys in their original order.
pub fn sort_stable_by<T>(items: &mut Vec<T>, key: impl Fn(&T) -> (usize, usize)) {
    let mut order: Vec<(usize, usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let (a, b) = key(item);
            (a, b, i)
        })
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|(_, _, i)| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_key_and_keeps_ties_in_order() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_stable_by(&mut v, |&(k, _)| (k, 0));
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut empty: Vec<u8> = Vec::new();
        sort_stable_by(&mut empty, |_| (0, 0));
        assert!(empty.is_empty());
    }
}
