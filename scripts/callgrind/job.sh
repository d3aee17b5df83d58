#!/bin/bash
# job.sh <build> <scenario> <run|load|file> [tag]: one callgrind run of a build's own bench workload of a built-in
# (one.mjs; `load` stops after finding it), or with mode `file` of a scenario file <scenario> (file.mjs), simulation
# only, whole node process, load-independent; appends "build scenario mode tag Ir events time load" to
# $CG_RESULTS. <build> is a directory name under $CG_BUILDS (each a checkout with `npm ci && npm run build` done).
# ASLR off and V8's randomness pinned: the same build twice agrees to ~0.01 % (session 19).
here=$(cd "$(dirname "$0")" && pwd)
B=${CG_BUILDS:?set CG_BUILDS to the directory holding the builds}; R=${CG_RESULTS:-$B/results.tsv}
build=$1; sc=$2; mode=$3; tag=${4:-1}
out=${CG_OUT:-/tmp/cg-out}/$build.$sc.$mode.$tag
mkdir -p "$(dirname "$out")"
if [ "$mode" = file ]; then script=("$here/file.mjs" "$B/$build" "$sc"); out=${CG_OUT:-/tmp/cg-out}/$build.$(basename "$sc" .yaml).$tag
else script=("$here/one.mjs" "$B/$build" "$sc" "$mode"); fi
nice setarch -R valgrind --tool=callgrind --callgrind-out-file=$out.cg node --predictable --hash-seed=1 --random-seed=1 \
  "${script[@]}" >$out.stdout 2>$out.stderr
ir=$(grep -o 'Collected : [0-9]*' $out.stderr | awk '{print $3}')
ev=$(grep -o '"events":[0-9]*' $out.stdout | cut -d: -f2)
echo -e "$build\t$sc\t$mode\t$tag\t$ir\t$ev\t$(date +%H:%M:%S)\t$(cut -d' ' -f1 /proc/loadavg)" >> "$R"
