#!/usr/bin/env python3
# jsmap.py <callgrind out> <perf map>: self Ir per function, JIT addresses named from node's --perf-basic-prof map.
import bisect, re, subprocess, sys, collections
cg, pm = sys.argv[1], sys.argv[2]
starts, ends, names = [], [], []
for line in open(pm):
    a, s, n = line.rstrip('\n').split(' ', 2)
    starts.append(int(a, 16)); ends.append(int(a, 16) + int(s, 16)); names.append(n)
order = sorted(range(len(starts)), key=lambda i: starts[i])
starts = [starts[i] for i in order]; ends = [ends[i] for i in order]; names = [names[i] for i in order]
out = subprocess.run(['callgrind_annotate', '--inclusive=no', '--threshold=100', cg], capture_output=True, text=True).stdout
agg = collections.Counter(); total = 0
for line in out.splitlines():
    m = re.match(r'\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$', line)
    if not m: continue
    ir = int(m.group(1).replace(',', '')); fn = m.group(2)
    if 'PROGRAM TOTALS' in fn: total = ir; continue
    a = re.match(r'\?\?\?:0x([0-9a-f]+) \[\?\?\?\]', fn)
    if a:
        x = int(a.group(1), 16); i = bisect.bisect_right(starts, x) - 1
        fn = names[i] if i >= 0 and x < ends[i] else 'JIT?'
    else:
        fn = re.sub(r'^\?\?\?:', '', fn)
        fn = re.sub(r'\(.*', '', fn)[:120]
    agg[fn] += ir
print('total', total)
for fn, ir in agg.most_common(int(sys.argv[3]) if len(sys.argv) > 3 else 60):
    print(f'{ir:>15,} {100*ir/total:6.2f}% {fn}')
