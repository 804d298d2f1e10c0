//! Listing 120 conversations of a fresh user page by page (API.md "Conversations").

use std::collections::BTreeSet;
use std::sync::Arc;
use std::thread;

use pai_integration::*;
use serde_json::{json, Value};

const TOTAL: usize = 120;

/// How many threads create the conversations (`PAI_TEST_THREADS`, default 4).
fn threads() -> usize {
    std::env::var("PAI_TEST_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| (1..=TOTAL).contains(n) && TOTAL.is_multiple_of(*n))
        .unwrap_or(4)
}

fn results(resp: &Resp) -> &Vec<Value> {
    resp.expect_status(200)
        .expect_keys(&["count", "next", "previous", "results"]);
    resp.body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("results must be a list:\n{resp}"))
}

#[track_caller]
fn link(resp: &Resp, name: &str) -> Option<String> {
    let value = &resp.body[name];
    if value.is_null() {
        return None;
    }
    let url = value
        .as_str()
        .unwrap_or_else(|| panic!("{name} must be a URL string or null:\n{resp}"));
    assert!(
        url.starts_with(&format!("{}/api/conversations", base_url())),
        "{name} must be an absolute URL on {}:\n{resp}",
        base_url()
    );
    Some(url.to_string())
}

/// `updated_at` never increases down the list.
#[track_caller]
fn assert_newest_first(list: &[Value], ctx: &str) {
    let times: Vec<_> = list
        .iter()
        .map(|c| assert_timestamp(&c["updated_at"], ctx))
        .collect();
    for pair in times.windows(2) {
        assert!(
            pair[0] >= pair[1],
            "not ordered by updated_at, newest first: {pair:?}\n{ctx}"
        );
    }
}

fn create_many(user: &User, model: &str) -> Vec<String> {
    let user = Arc::new(user.clone());
    let threads = threads();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let user = Arc::clone(&user);
            let model = model.to_string();
            thread::spawn(move || {
                (0..TOTAL / threads)
                    .map(|i| {
                        let conv = user.create_conversation(&format!("page test {t}-{i}"), &model);
                        conv["id"].as_str().expect("id").to_string()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().expect("creator thread"))
        .collect()
}

#[test]
fn pagination_across_120_conversations() {
    let user = new_user("STANDARD");
    let created = create_many(&user, &shared_model());
    let created_set: BTreeSet<String> = created.iter().cloned().collect();
    assert_eq!(created_set.len(), TOTAL, "ids must be unique");

    // Default page size 50: 50 + 50 + 20, walking `next`.
    let first = user.get("/api/conversations/");
    assert_security_headers(&first, true);
    assert_eq!(first.body["count"], json!(TOTAL), "{first}");
    assert_eq!(
        results(&first).len(),
        50,
        "default page size is 50:\n{first}"
    );
    assert!(
        link(&first, "previous").is_none(),
        "first page has no previous:\n{first}"
    );
    for c in results(&first) {
        assert_keys(c, CONVERSATION_SUMMARY_KEYS, &first.to_string());
        assert_eq!(c["message_count"], json!(0), "{first}");
    }

    let mut pages = vec![first];
    while let Some(next) = link(pages.last().expect("page"), "next") {
        let page = get(&next, &user.auth());
        assert_eq!(page.body["count"], json!(TOTAL), "{page}");
        pages.push(page);
        assert!(
            pages.len() <= 3,
            "more than 3 pages of 50 for {TOTAL} conversations"
        );
    }
    let sizes: Vec<usize> = pages.iter().map(|p| results(p).len()).collect();
    assert_eq!(sizes, vec![50, 50, 20]);

    let mut all: Vec<Value> = Vec::new();
    for p in &pages {
        all.extend(results(p).iter().cloned());
    }
    let listed: BTreeSet<String> = ids(&Value::Array(all.clone())).into_iter().collect();
    assert_eq!(
        listed, created_set,
        "the pages must hold exactly the user's conversations"
    );
    assert_newest_first(&all, "across pages");

    // `previous` links work when followed and lead back to the same pages.
    for i in 1..pages.len() {
        let prev = link(&pages[i], "previous")
            .unwrap_or_else(|| panic!("page {} has no previous:\n{}", i + 1, pages[i]));
        let back = get(&prev, &user.auth());
        assert_eq!(
            ids(&back.body["results"]),
            ids(&pages[i - 1].body["results"]),
            "previous of page {} is not page {}:\n{back}",
            i + 1,
            i
        );
    }
    assert!(
        link(&pages[2], "next").is_none(),
        "last page has no next:\n{}",
        pages[2]
    );

    // The same walk with an explicit page size keeps that size in the links.
    let small = user.get("/api/conversations/?page_size=40");
    assert_eq!(results(&small).len(), 40, "{small}");
    let next = link(&small, "next").expect("next page");
    let second = get(&next, &user.auth());
    assert_eq!(
        results(&second).len(),
        40,
        "page_size must carry into next:\n{second}"
    );
    assert_eq!(
        ids(&second.body["results"]),
        ids(&Value::Array(all[40..80].to_vec())),
        "{second}"
    );

    // Maximum page size 100; larger requests are clamped.
    for size in ["100", "500"] {
        let resp = user.get(&format!("/api/conversations/?page_size={size}"));
        assert_eq!(results(&resp).len(), 100, "page_size={size}:\n{resp}");
        let next = link(&resp, "next").expect("a second page");
        let rest = get(&next, &user.auth());
        assert_eq!(results(&rest).len(), 20, "{rest}");
        assert!(link(&rest, "next").is_none(), "{rest}");
    }

    let last = user.get("/api/conversations/?page=3");
    assert_eq!(results(&last).len(), 20, "{last}");
    assert!(link(&last, "next").is_none(), "{last}");
    assert!(link(&last, "previous").is_some(), "{last}");

    // Bad pages.
    for page in ["0", "-1", "abc", "4", "1.5", "99999999999999999999"] {
        let resp = user.get(&format!("/api/conversations/?page={page}"));
        assert_detail(&resp, 404, "Invalid page.");
        assert_security_headers(&resp, true);
    }
    // Odd page sizes never fail the request.
    for size in ["0", "-5", "abc"] {
        let resp = user.get(&format!("/api/conversations/?page_size={size}"));
        resp.expect_not_5xx();
    }

    // Touching the oldest conversation makes it the newest.
    let oldest = all.last().expect("a conversation")["id"]
        .as_str()
        .expect("id")
        .to_string();
    user.patch(
        &format!("/api/conversations/{oldest}/"),
        json!({ "title": "touched" }),
    )
    .expect_status(200);
    let top = user.get("/api/conversations/?page_size=1");
    assert_eq!(ids(&top.body["results"]), vec![oldest.clone()], "{top}");
    assert_eq!(top.body["results"][0]["title"], json!("touched"), "{top}");

    // Deleting one lowers the count.
    user.delete(&format!("/api/conversations/{oldest}/"))
        .expect_status(204);
    let after = user.get("/api/conversations/?page_size=100");
    assert_eq!(after.body["count"], json!(TOTAL - 1), "{after}");
    assert!(!ids(&after.body["results"]).contains(&oldest), "{after}");
    let rest = get(&link(&after, "next").expect("second page"), &user.auth());
    assert_eq!(results(&rest).len(), TOTAL - 1 - 100, "{rest}");
}

#[test]
fn empty_list_for_a_fresh_user() {
    let user = new_user("PROTEGRITY");
    for path in ["/api/conversations/", "/api/conversations"] {
        let resp = user.get(path);
        resp.expect_status(200);
        assert_eq!(
            resp.body,
            json!({ "count": 0, "next": null, "previous": null, "results": [] }),
            "{resp}"
        );
    }
    let resp = user.get("/api/conversations/?page=1");
    resp.expect_status(200);
    let resp = user.get("/api/conversations/?page=2");
    assert_detail(&resp, 404, "Invalid page.");
}
