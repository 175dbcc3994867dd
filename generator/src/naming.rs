//! Every naming rule in one place: case conversion, keyword escaping, collisions.
