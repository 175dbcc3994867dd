//! placeholder until codegen runs
