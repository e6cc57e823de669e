# Sourced by the scripts: one shared target directory and npm's wasm-opt first on PATH
# (Debian's wasm-opt 108 produces a module the browser rejects).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export PATH="$root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The built site: cargo-leptos writes it to target/site under the workspace root.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$root/target/site}"
