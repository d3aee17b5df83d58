#!/usr/bin/env python3
# cmp.py A.tab B.tab: self Ir per function name (JS: name + file basename; native as is), A vs B, sorted by B-A.
import re, sys, collections
def load(p):
    d = collections.Counter(); total = 0
    for line in open(p):
        if line.startswith('total'): total = int(line.split()[1]); continue
        m = re.match(r'\s*([\d,]+)\s+[\d.]+% (.*)$', line.rstrip('\n'))
        ir = int(m.group(1).replace(',', '')); fn = m.group(2)
        j = re.match(r'JS:[*~^]?(\S*) file:///\S*/dist/(\S+?):\d+:\d+', fn)
        if j: fn = f"JS {j.group(1) or '(anon)'} [{j.group(2).split('/')[-1]}]"
        d[fn] += ir
    return d, total
a, ta = load(sys.argv[1]); b, tb = load(sys.argv[2])
print(f'total {ta:,} -> {tb:,}  diff {tb-ta:+,} ({100*(tb-ta)/ta:+.2f}%)')
keys = sorted(set(a) | set(b), key=lambda k: -(abs(b[k]-a[k])))
for k in keys[:int(sys.argv[3]) if len(sys.argv) > 3 else 50]:
    print(f'{a[k]:>15,} {b[k]:>15,} {b[k]-a[k]:>+15,} {100*(b[k]-a[k])/ta:+6.2f}%  {k[:110]}')
