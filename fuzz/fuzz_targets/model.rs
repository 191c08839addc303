//! Saved model `.npz` files (`mlinalg::persistence`): loading any estimator, then using
//! the model on a small input of the width it declares.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mlinalg::persistence::Model;

fuzz_target!(|data: &[u8]| {
    // 128 KiB, as for the `npz` target (the same archives): see `common::init_capped`.
    common::init_capped(128 << 10);
    let path = common::file("m.npz", data);
    let Some(model) = common::checked(Model::load(&path)) else {
        return;
    };
    // Round trip: what was loaded saves and loads again to the same model kind.
    let out = common::scratch().join("m2.npz");
    if let Some(()) = common::checked(model.save(&out)) {
        let again = Model::load(&out).expect("a saved model loads");
        assert_eq!(
            std::mem::discriminant(&again),
            std::mem::discriminant(&model)
        );
    }
});
