// The migrations are embedded by `sqlx::migrate!()`; a migration added without
// touching the Rust sources must still rebuild the binary that runs it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
