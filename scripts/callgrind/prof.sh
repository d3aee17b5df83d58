#!/bin/bash
# prof.sh <build> <scenario> [file]: as job.sh (a built-in by name, or with `file` a scenario file), plus node's
# --perf-basic-prof map, then the self-Ir table with JIT'd code named (jsmap.py) into $CG_OUT/prof.<build>.<name>.tab.
# Compare two tables with cmp.py, group one by category with cat.py.
here=$(cd "$(dirname "$0")" && pwd)
B=${CG_BUILDS:?set CG_BUILDS to the directory holding the builds}
build=$1; sc=$2; mode=${3:-run}
if [ "$mode" = file ]; then script=("$here/file.mjs" "$B/$build" "$sc"); name=$(basename "$sc" .yaml)
else script=("$here/one.mjs" "$B/$build" "$sc" run); name=$sc; fi
out=${CG_OUT:-/tmp/cg-out}/prof.$build.$name
mkdir -p "$(dirname "$out")"
cd /tmp && nice setarch -R valgrind --tool=callgrind --callgrind-out-file=$out.cg node --predictable --hash-seed=1 \
  --random-seed=1 --perf-basic-prof "${script[@]}" >$out.stdout 2>$out.stderr
pid=$(grep -o '^==[0-9]*==' $out.stderr | head -1 | tr -d =)
mv /tmp/perf-$pid.map $out.map
python3 "$here/jsmap.py" $out.cg $out.map 400 > $out.tab
