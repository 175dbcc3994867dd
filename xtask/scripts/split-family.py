#!/usr/bin/env python3
"""Measurement aid: cut a one-crate generated tree into a workspace of one
crate per category (read from each module's `cargo feature` line) and a
facade, to measure the split before the generator emits it.

    python3 xtask/scripts/split-family.py OUT/generated SPLIT_DIR RUNTIME_DIR
"""
import os, re, sys, shutil, collections
src, dst, runtime = sys.argv[1], sys.argv[2], sys.argv[3]
if os.path.exists(dst): shutil.rmtree(dst)
by_feat = collections.defaultdict(list)  # feat -> [(group, module)]
for g in sorted(os.listdir(os.path.join(src, 'src'))):
    gd = os.path.join(src, 'src', g)
    if not os.path.isdir(gd): continue
    for f in sorted(os.listdir(gd)):
        text = open(os.path.join(gd, f), encoding='utf-8').read(4000)
        m = re.search(r'cargo feature `([^`]+)`', text)
        by_feat[m.group(1)].append((g, f[:-3]))
os.makedirs(os.path.join(dst, 'crates'))
members = []
for feat, mods in sorted(by_feat.items()):
    cd = os.path.join(dst, 'crates', feat); members.append(f'crates/{feat}')
    os.makedirs(os.path.join(cd, 'src'))
    with open(os.path.join(cd, 'Cargo.toml'), 'w') as o:
        o.write(f'[package]\nname = "top-api-{feat}"\nversion = "0.1.0"\nedition = "2024"\n\n'
                f'[dependencies]\ntop-runtime = {{ path = "{runtime}" }}\nserde = {{ version = "1", features = ["derive"] }}\nserde_json = "1"\n')
    groups = collections.defaultdict(list)
    for g, m in mods:
        groups[g].append(m)
        os.makedirs(os.path.join(cd, 'src', g), exist_ok=True)
        shutil.copy(os.path.join(src, 'src', g, m + '.rs'), os.path.join(cd, 'src', g, m + '.rs'))
    with open(os.path.join(cd, 'src', 'lib.rs'), 'w') as o:
        o.write('//! generated\n')
        for g, ms in sorted(groups.items()):
            o.write(f'pub mod {g} {{\n' + ''.join(f'    #[rustfmt::skip]\n    pub mod {m};\n' for m in ms) + '}\n')
# facade
fd = os.path.join(dst, 'facade'); os.makedirs(os.path.join(fd, 'src')); members.append('facade')
with open(os.path.join(fd, 'Cargo.toml'), 'w') as o:
    o.write('[package]\nname = "top-api"\nversion = "0.1.0"\nedition = "2024"\n\n[dependencies]\n')
    for feat in sorted(by_feat):
        o.write(f'top-api-{feat} = {{ path = "../crates/{feat}", optional = true }}\n')
    o.write('\n[features]\nfull = [' + ', '.join(f'"{f}"' for f in sorted(by_feat)) + ']\n')
    for feat in sorted(by_feat):
        o.write(f'{feat} = ["dep:top-api-{feat}"]\n')
allg = collections.defaultdict(list)
for feat, mods in by_feat.items():
    for g, m in mods: allg[g].append((m, feat))
with open(os.path.join(fd, 'src', 'lib.rs'), 'w') as o:
    for g, ms in sorted(allg.items()):
        o.write(f'pub mod {g} {{\n')
        for m, feat in sorted(ms):
            o.write(f'    #[cfg(feature = "{feat}")]\n    pub use top_api_{feat.replace("-","_")}::{g}::{m};\n')
        o.write('}\n')
with open(os.path.join(dst, 'Cargo.toml'), 'w') as o:
    o.write('[workspace]\nresolver = "3"\nmembers = [' + ', '.join(f'"{m}"' for m in members) + ']\n\n[profile.dev.package."*"]\ndebug = false\n')
print(len(by_feat), 'crates')
