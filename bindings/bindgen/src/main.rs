//! `uniffi-bindgen` for LawCircle: run by `scripts/build-bindings`, never
//! shipped.

fn main() {
    uniffi::uniffi_bindgen_main()
}
