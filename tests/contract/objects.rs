//! The object store contract, on the local directory and on the S3-compatible server.

use bytes::Bytes;
use farmgate_infra::objects::{
    LocalDirStore, ObjectKey, ObjectStore, S3Config, S3Store, sha256_hex,
};
use std::sync::Arc;

async fn local() -> (Arc<dyn ObjectStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirStore::open(dir.path().join("objects"))
        .await
        .expect("local store");
    (Arc::new(store), dir)
}

async fn s3() -> Option<Arc<dyn ObjectStore>> {
    let Some(env) = farmgate_tests::s3_env() else {
        farmgate_tests::skip_or_fail("S3 (FARMGATE_TEST_S3_*)");
        return None;
    };
    let store = S3Store::new(&S3Config {
        endpoint: Some(env.endpoint),
        region: env.region,
        bucket: format!(
            "fgcontract-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        ),
        access_key: env.access_key,
        secret_key: env.secret_key,
        path_style: true,
    });
    store.ensure_bucket().await.expect("bucket");
    store
        .ensure_bucket()
        .await
        .expect("creating an existing bucket again is fine");
    Some(Arc::new(store))
}

fn key(k: &str) -> ObjectKey {
    ObjectKey::parse(k).expect("valid key")
}

async fn round_trip_keeps_bytes_type_and_hash(store: Arc<dyn ObjectStore>) {
    let bytes = Bytes::from("梅岭脐橙检测报告 — residue test passed".as_bytes().to_vec());
    let k = key("batches/0001/report-1.pdf");
    let stored = store
        .put(&k, bytes.clone(), "application/pdf")
        .await
        .expect("put");
    assert_eq!(stored.size, bytes.len() as u64);
    assert_eq!(stored.sha256, sha256_hex(&bytes));
    let got = store.get(&k).await.expect("get").expect("present");
    assert_eq!(got.bytes, bytes);
    assert_eq!(got.content_type, "application/pdf");
    assert!(store.exists(&k).await.expect("exists"));
}

async fn overwriting_replaces_the_whole_object(store: Arc<dyn ObjectStore>) {
    let k = key("listings/a/photo.webp");
    store
        .put(&k, Bytes::from(vec![1u8; 100_000]), "image/webp")
        .await
        .expect("put 1");
    store
        .put(&k, Bytes::from_static(b"short"), "image/png")
        .await
        .expect("put 2");
    let got = store.get(&k).await.expect("get").expect("present");
    assert_eq!(&got.bytes[..], b"short");
    assert_eq!(got.content_type, "image/png");
}

async fn a_missing_object_is_none_and_deleting_it_is_fine(store: Arc<dyn ObjectStore>) {
    let k = key("nothing/here.bin");
    assert!(store.get(&k).await.expect("get").is_none());
    assert!(!store.exists(&k).await.expect("exists"));
    store
        .delete(&k)
        .await
        .expect("deleting a missing object is not an error");
    let k2 = key("claims/9/evidence.jpg");
    store
        .put(&k2, Bytes::from_static(b"\xff\xd8\xff"), "image/jpeg")
        .await
        .expect("put");
    store.delete(&k2).await.expect("delete");
    assert!(store.get(&k2).await.expect("get").is_none());
}

async fn binary_and_empty_objects_survive(store: Arc<dyn ObjectStore>) {
    let all: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let k = key("bin/all-bytes");
    store
        .put(&k, Bytes::from(all.clone()), "application/octet-stream")
        .await
        .expect("put");
    assert_eq!(
        store
            .get(&k)
            .await
            .expect("get")
            .expect("present")
            .bytes
            .to_vec(),
        all
    );
    let e = key("bin/empty");
    let stored = store
        .put(&e, Bytes::new(), "text/plain")
        .await
        .expect("put empty");
    assert_eq!(
        stored.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert!(
        store
            .get(&e)
            .await
            .expect("get")
            .expect("present")
            .bytes
            .is_empty()
    );
}

async fn listing_a_folder_names_its_objects_and_nothing_beside_it(store: Arc<dyn ObjectStore>) {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let inside = [
        format!("list-{run}/a/display.jpg"),
        format!("list-{run}/a/thumb.jpg"),
        format!("list-{run}/b/original.png"),
    ];
    for k in &inside {
        store
            .put(&key(k), Bytes::from_static(b"x"), "image/jpeg")
            .await
            .expect("put");
    }
    let beside = key(&format!("list-{run}-other/a.jpg"));
    store
        .put(&beside, Bytes::from_static(b"y"), "image/jpeg")
        .await
        .expect("put");

    let listed = store.list(&format!("list-{run}/")).await.expect("list");

    let names: Vec<&str> = listed.iter().map(ObjectKey::as_str).collect();
    assert_eq!(names, inside.iter().map(String::as_str).collect::<Vec<_>>());
    store.delete(&key(&inside[2])).await.expect("delete");
    assert_eq!(
        store.list(&format!("list-{run}/b/")).await.expect("list"),
        Vec::<ObjectKey>::new(),
        "a deleted object is not listed"
    );
    assert!(
        store
            .list(&format!("nothing-{run}/"))
            .await
            .expect("list")
            .is_empty()
    );
}

async fn health_answers(store: Arc<dyn ObjectStore>) {
    store.health().await.expect("healthy");
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn local() {
                let (store, _dir) = super::local().await;
                super::$case(store).await;
            }

            #[tokio::test]
            async fn s3() {
                if let Some(store) = super::s3().await {
                    super::$case(store).await;
                }
            }
        }
    )*};
}

contract!(
    round_trip_keeps_bytes_type_and_hash,
    overwriting_replaces_the_whole_object,
    a_missing_object_is_none_and_deleting_it_is_fine,
    binary_and_empty_objects_survive,
    listing_a_folder_names_its_objects_and_nothing_beside_it,
    health_answers,
);

#[tokio::test]
async fn an_unreachable_s3_server_fails_health_instead_of_hanging() {
    let store = S3Store::new(&S3Config {
        endpoint: Some("http://127.0.0.1:9".to_owned()),
        region: "us-east-1".to_owned(),
        bucket: "nowhere".to_owned(),
        access_key: "AK".to_owned(),
        secret_key: "SK".to_owned(),
        path_style: true,
    });
    let started = std::time::Instant::now();
    assert!(store.health().await.is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
