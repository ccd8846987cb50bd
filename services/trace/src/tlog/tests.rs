#![expect(
    clippy::expect_used,
    reason = "a test vector that cannot be computed stops its test, with the step named"
)]

use super::*;

/// The RFC 6962 test leaves used by Certificate Transparency's and Go's tlog tests.
fn rfc6962_leaves() -> Vec<Vec<u8>> {
    vec![
        vec![],
        vec![0x00],
        vec![0x10],
        vec![0x20, 0x21],
        vec![0x30, 0x31],
        vec![0x40, 0x41, 0x42, 0x43],
        (0x50..0x58).collect(),
        (0x60..0x70).collect(),
    ]
}

/// Roots of the first n of those leaves (n = 1 … 8), from RFC 6962's reference tests.
const RFC6962_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// A tree held in memory the way the store holds it: stored hashes by index.
fn build(entries: &[Vec<u8>]) -> HashMap<u64, Hash> {
    let mut stored = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let i = i as u64;
        let new = tlog_tiles::stored_hashes(i, e, &MapReader(&stored)).expect("stored hashes");
        let first = tlog_tiles::stored_hash_index(0, i);
        for (k, h) in new.into_iter().enumerate() {
            stored.insert(first + k as u64, h);
        }
    }
    stored
}

#[test]
fn the_empty_tree_is_the_sha256_of_nothing() {
    assert_eq!(
        hex(&EMPTY_HASH),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(hex(&EMPTY_HASH), crate::chain::sha256_hex(b""));
}

#[test]
fn roots_match_the_rfc6962_test_vectors_at_every_size() {
    let leaves = rfc6962_leaves();
    let stored = build(&leaves);
    for n in 1..=8u64 {
        let root = tlog_tiles::tree_hash(n, &MapReader(&stored)).expect("root");
        assert_eq!(hex(&root), RFC6962_ROOTS[n as usize - 1], "size {n}");
    }
}

#[test]
fn every_leaf_proves_into_every_later_tree_and_no_other_leaf_does() {
    let leaves = rfc6962_leaves();
    let stored = build(&leaves);
    let r = MapReader(&stored);
    for size in 1..=8u64 {
        let root = tlog_tiles::tree_hash(size, &r).expect("root");
        for i in 0..size {
            let proof = tlog_tiles::prove_record(size, i, &r).expect("proof");
            let leaf = tlog_tiles::record_hash(&leaves[i as usize]);
            assert!(
                check_inclusion(&proof, size, root, i, leaf),
                "{i} in {size}"
            );
            let other = tlog_tiles::record_hash(b"not a leaf");
            assert!(!check_inclusion(&proof, size, root, i, other));
        }
    }
}

#[test]
fn every_tree_is_consistent_with_its_prefixes_and_not_with_a_rewritten_one() {
    let leaves = rfc6962_leaves();
    let stored = build(&leaves);
    let mut rewritten = leaves.clone();
    rewritten[2] = b"rewritten".to_vec();
    let other = build(&rewritten);
    for size in 1..=8u64 {
        let root = tlog_tiles::tree_hash(size, &MapReader(&stored)).expect("root");
        for old in 1..=size {
            let old_root = tlog_tiles::tree_hash(old, &MapReader(&stored)).expect("old");
            let proof = tlog_tiles::prove_tree(size, old, &MapReader(&stored)).expect("proof");
            assert!(
                check_consistency(&proof, size, root, old, old_root),
                "{old}→{size}"
            );
            // The rewritten log cannot prove it extends what was seen before the rewrite.
            if old >= 3 {
                let forged_root = tlog_tiles::tree_hash(size, &MapReader(&other)).expect("r");
                let forged = tlog_tiles::prove_tree(size, old, &MapReader(&other)).expect("p");
                assert!(!check_consistency(
                    &forged,
                    size,
                    forged_root,
                    old,
                    old_root
                ));
            }
        }
        assert!(check_consistency(&[], size, root, 0, EMPTY_HASH));
    }
}

#[test]
fn a_leaf_binds_code_seq_and_event_hash_byte_for_byte() {
    let leaf = Leaf {
        code: "9ZFBGPK3BKXTRQWU".into(),
        seq: 0,
        event_hash: "4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001".into(),
    };
    assert_eq!(
        leaf.to_bytes(),
        b"farmgate-trace-leaf-v1\n9ZFBGPK3BKXTRQWU\n0\n4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001\n"
    );
    // CHAIN.md §10 test vector (computed independently in Python).
    assert_eq!(
        hex(&leaf.hash()),
        "2007a85cfabea98021a03296090ec41835a693a729a70071198b8d99075209fa"
    );
    assert_eq!(Leaf::parse(&leaf.to_bytes()), Some(leaf.clone()));
    for bad in [
        &b"farmgate-trace-leaf-v1\n9ZFBGPK3BKXTRQWU\n00\n4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001\n"[..],
        b"farmgate-trace-leaf-v1\n9ZFBGPK3BKXTRQWU\n0\n4FDEB85A635CFBAC5F80C1E3F883BE035C3A97EF5A0B7EE36DBB53191A9EB001\n",
        b"farmgate-trace-leaf-v1\n9ZFBGPK3BKXTRQWU\n0\n4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001",
        b"farmgate-trace-leaf-v1\n9ZFB-GPK3-BKXT-RQWU\n0\n4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001\n",
    ] {
        assert_eq!(Leaf::parse(bad), None, "{}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn tile_paths_follow_c2sp_tlog_tiles() {
    let cases = [
        (
            TilePath::Hashes {
                level: 0,
                index: 0,
                width: 256,
            },
            "tile/0/000",
        ),
        (
            TilePath::Hashes {
                level: 1,
                index: 1_234_067,
                width: 8,
            },
            "tile/1/x001/x234/067.p/8",
        ),
        (
            TilePath::Entries {
                index: 5,
                width: 256,
            },
            "tile/entries/005",
        ),
        (
            TilePath::Entries {
                index: 1000,
                width: 3,
            },
            "tile/entries/x001/000.p/3",
        ),
    ];
    for (tile, path) in cases {
        assert_eq!(tile.path(), path);
        assert_eq!(TilePath::parse(path), Some(tile), "{path}");
    }
    for bad in [
        "tile/0/0",
        "tile/0/001/002",
        "tile/0/x000/001",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/0/000.p/08",
        "tile/8/000",
        "tile/data/000",
        "tile/entries/1000",
        "tile/0/x18446744073709551/616",
    ] {
        assert_eq!(TilePath::parse(bad), None, "{bad}");
    }
}

#[test]
fn a_tile_is_served_only_within_the_tree_and_a_partial_one_only_at_its_width() {
    let full = TilePath::Hashes {
        level: 0,
        index: 0,
        width: 256,
    };
    assert!(!full.within(255));
    assert!(full.within(256));
    let partial = TilePath::Hashes {
        level: 0,
        index: 1,
        width: 3,
    };
    assert!(partial.within(259));
    assert!(partial.within(300)); // still the last tile of level 0
    assert!(!partial.within(258));
    assert!(!partial.within(512 + 3)); // a full tile 1 exists then
    let upper = TilePath::Hashes {
        level: 1,
        index: 0,
        width: 2,
    };
    assert!(upper.within(512));
    assert!(!upper.within(511));
}

#[test]
fn an_entry_bundle_round_trips() {
    let entries = vec![b"a".to_vec(), vec![], vec![7; 300]];
    let bundle = entry_bundle(&entries);
    assert_eq!(&bundle[..3], &[0, 1, b'a']);
    assert_eq!(parse_entry_bundle(&bundle), Some(entries));
    assert_eq!(parse_entry_bundle(&[0, 5, 1]), None);
}

#[test]
fn a_checkpoint_signed_by_the_log_opens_with_its_key_only() {
    let log = NamedKey::generate("farmgate.example/trace-log").expect("key");
    let again = NamedKey::parse(&log.to_private()).expect("parse");
    assert_eq!(again.note_vkey(), log.note_vkey());
    let cp = Checkpoint {
        origin: "farmgate.example/trace-log".into(),
        size: 8,
        root: parse_hex(RFC6962_ROOTS[7]).expect("hex"),
    };
    assert_eq!(
        cp.text(),
        "farmgate.example/trace-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    );
    let note = log.sign_checkpoint(&cp).expect("sign");
    let key = PublicKey::parse(&log.note_vkey()).expect("vkey");
    let opened = open_note(note.as_bytes(), std::slice::from_ref(&key)).expect("opens");
    assert_eq!(opened.checkpoint, cp);
    assert_eq!(opened.signers.len(), 1);
    // Another key: nothing verifies.
    let stranger = NamedKey::generate("farmgate.example/trace-log").expect("key");
    let other = PublicKey::parse(&stranger.note_vkey()).expect("vkey");
    assert!(open_note(note.as_bytes(), &[other]).is_err());
    // A changed size: the signature fails.
    let forged = note.replacen("\n8\n", "\n9\n", 1);
    assert!(open_note(forged.as_bytes(), &[key]).is_err());
}

#[test]
fn a_cosignature_verifies_with_the_witness_key_and_carries_its_time() {
    let log = NamedKey::generate("farmgate.example/trace-log").expect("key");
    let witness = NamedKey::generate("witness.scjgj.example").expect("key");
    let cp = Checkpoint {
        origin: "farmgate.example/trace-log".into(),
        size: 1,
        root: EMPTY_HASH,
    };
    let note = log.sign_checkpoint(&cp).expect("sign");
    let line = witness.cosign(&cp.text(), 1_765_000_000).expect("cosign");
    assert!(line.starts_with("— witness.scjgj.example "));
    let both = format!("{note}{line}");
    let keys = [
        PublicKey::parse(&log.note_vkey()).expect("log"),
        PublicKey::parse(&witness.cosignature_vkey()).expect("witness"),
    ];
    let opened = open_note(both.as_bytes(), &keys).expect("opens");
    assert_eq!(opened.signers.len(), 2);
    let w = opened.signers.iter().find(|s| s.witness).expect("witness");
    assert_eq!(w.timestamp, Some(1_765_000_000));
    // The witness's note key (type 0x01) is not its cosignature key (type 0x04).
    assert!(PublicKey::parse(&witness.note_vkey()).is_ok_and(|k| !k.is_witness()));
}
