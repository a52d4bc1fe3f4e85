#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kfr_fuzz::drive::run("crontab", data));
