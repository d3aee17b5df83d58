#!/usr/bin/env python3
# cat.py tab...: self Ir by category: JS (JIT'd code), GC (heap/marking/scavenge/sweep/evacuation), builtins, compiler, other
import re, sys
def cat(fn):
    if fn.startswith('JS:') or fn.startswith('JIT?'): return 'JS'
    if re.search(r'Scaveng|Mark|Sweep|Evacuat|Heap|heap::|Pretenur|LiveObject|BodyDescriptor|WriteBarrier|RememberedSet|SlotSet|Compact|MemoryChunk|Page', fn): return 'GC'
    if fn.startswith('Builtins_'): return 'builtins'
    if 'compiler::' in fn or 'maglev' in fn or 'Parser' in fn or 'Scanner' in fn or 'interpreter::' in fn: return 'compile'
    return 'other'
for p in sys.argv[1:]:
    tot = {}; total = 0
    for line in open(p):
        if line.startswith('total'): total = int(line.split()[1]); continue
        m = re.match(r'\s*([\d,]+)\s+[\d.]+% (.*)$', line.rstrip('\n'))
        c = cat(m.group(2)); tot[c] = tot.get(c, 0) + int(m.group(1).replace(',', ''))
    tot['unlisted'] = total - sum(tot.values())
    print(p, f'total {total/1e9:.3f}G', ' '.join(f'{k} {v/1e9:.3f}' for k, v in sorted(tot.items())))
