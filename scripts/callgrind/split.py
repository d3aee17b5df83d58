#!/usr/bin/env python3
# split.py run.cg...: each callgrind run's Ir split into GC and the rest (JIT'd JS, builtins, compiler, other), in G.
# The rest is the stable figure: two runs of one build differ by up to ~1 % in total, nearly all in major-GC
# marking and evacuation (when V8 decides to collect), while their JIT'd code agrees to ~0.03 % (session 21).
# Categories as cat.py's; JIT'd code is any address callgrind cannot name.
import re, subprocess, sys, collections
def cat(fn):
    if fn.startswith('0x'): return 'JS'
    if re.search(r'Scaveng|Mark|Sweep|Evacuat|Heap|heap::|Pretenur|LiveObject|BodyDescriptor|WriteBarrier|RememberedSet|SlotSet|Compact|MemoryChunk|Page', fn): return 'GC'
    if fn.startswith('Builtins_'): return 'builtins'
    if 'compiler::' in fn or 'maglev' in fn or 'Parser' in fn or 'Scanner' in fn or 'interpreter::' in fn: return 'compile'
    return 'other'
print('file\ttotal\tGC\trest\tJS\tbuiltins\tcompile\tother')
for p in sys.argv[1:]:
    out = subprocess.run(['callgrind_annotate', '--inclusive=no', '--threshold=100', p], capture_output=True, text=True).stdout
    c = collections.Counter(); total = 0
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$', line)
        if not m: continue
        ir = int(m.group(1).replace(',', '')); fn = re.sub(r'^\?\?\?:', '', m.group(2))
        if 'PROGRAM TOTALS' in fn: total = ir; continue
        c[cat(fn)] += ir
    c['other'] += total - sum(c.values())
    g = lambda k: f'{c[k] / 1e9:.3f}'
    print(f'{p}\t{total / 1e9:.3f}\t{g("GC")}\t{(total - c["GC"]) / 1e9:.3f}\t{g("JS")}\t{g("builtins")}\t{g("compile")}\t{g("other")}')
