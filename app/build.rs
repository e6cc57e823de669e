//! The migrations are compiled into the program (`sqlx::migrate!`): a new or changed one must
//! rebuild it, which Cargo does not know by itself.
fn main() {
    println!("cargo::rerun-if-changed=../migrations");
}
