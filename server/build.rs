//! Tells the integration tests whether a PostgreSQL server was named when they were built:
//! without `TEST_DATABASE_URL` its half of the suite is compiled as ignored, so it reports
//! itself as skipped instead of passing without running.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.trim().is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
