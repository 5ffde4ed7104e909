#!/usr/bin/env bash
# The ecosystem example: networks trained in PyTorch, audited by skybias.
#   examples/pytorch/run.sh [OUT]      (default out/pytorch-example; about 5 minutes on 2 cores)
# For each of two synthetic surveys (ps1-like, whose two fields differ in
# their imaging; null, whose fields do not) it
#   1. writes 800 galaxies per class and field as JPEG (skybias synth);
#   2. trains the paper's network with PyTorch (train.py) in the paper's
#      biased design (spirals from f1, ellipticals from f2) and in a
#      balanced baseline, three networks each, and exports them as ONNX;
#   3. probes the design network's features for the region (skybias
#      featureprobe, on galaxies none of the networks trained on);
#   4. gives the verdict on PyTorch's own predictions of the test galaxies
#      (skybias audit), and on skybias's predictions of the same galaxies
#      by the imported networks (skybias predict): on the very pixels
#      PyTorch saw (which must give the same verdict) and through
#      skybias's own JPEG decoding and resampling;
#   5. has the design network label 2,000 galaxies it never saw (skybias
#      annotate) and tests that catalog for a dipole (skybias anisotropy).
# Needs Debian's python3-torch and python3-pil.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-out/pytorch-example}
py=/usr/bin/python3
mkdir -p "$out"
go build -o "$out/skybias" ./cmd/skybias
sb="$out/skybias"
here=examples/pytorch
for survey in ps1-like null; do
	d="$out/$survey"
	mkdir -p "$d"
	"$sb" synth --survey "experiments/surveys/$survey.yaml" --fields f1,f2 --n 800 --out "$d/images"
	"$py" "$here/train.py" --catalog "$d/images/catalog.csv" --design spiral:f1,elliptical:f2 \
		--networks 3 --out "$d/design.onnx" --predict "$d/design-pytorch.csv" --test-png "$d/test-48px" > "$d/train-design.log"
	"$py" "$here/train.py" --catalog "$d/images/catalog.csv" --design spiral:f1+f2,elliptical:f1+f2 --n-train 300 \
		--networks 3 --out "$d/baseline.onnx" --predict "$d/baseline-pytorch.csv" > "$d/train-baseline.log"
	"$py" "$here/train.py" --catalog "$d/images/catalog.csv" --design spiral:f1,elliptical:f2 --epochs 0 \
		--out "$d/untrained.onnx" > /dev/null
	for m in design untrained; do
		"$sb" featureprobe "$d/$m.onnx" --source "experiments/surveys/$survey.yaml" --regions f1,f2 --n 200 \
			--exclude "$d/images/catalog.csv" --json "$d/featureprobe-$m.json" > "$d/featureprobe-$m.txt"
	done
	"$sb" audit --design "$d/design-pytorch.csv" --baseline "$d/baseline-pytorch.csv" \
		--spiral-field f1 --elliptical-field f2 --json "$d/audit-pytorch.json" > "$d/audit-pytorch.txt"
	# skybias's own predictions of the test galaxies by the imported
	# networks: on the 48-px images PyTorch saw (written losslessly as PNG:
	# the same inputs, so the same verdict), and on the JPEG files through
	# skybias's own decoding and resampling (another input pipeline)
	for input in png jpeg; do
		"$py" -c "import csv,os,sys; b=os.path.dirname(os.path.abspath(sys.argv[1])); im={r['id']:os.path.join(b,r['image']) for r in csv.DictReader(open(sys.argv[1]))}; print('\n'.join((os.path.join(sys.argv[4], r['id']+'.png') if sys.argv[3]=='png' else im[r['id']]) for r in csv.DictReader(open(sys.argv[2]))))" \
			"$d/images/catalog.csv" "$d/design-pytorch.csv" "$input" "$d/test-48px" > "$d/test-$input.txt"
		for side in design baseline; do
			nets=()
			for k in 1 2 3; do
				m="$d/$side.onnx"
				[ "$k" = 1 ] || m="$d/$side-$k.onnx"
				xargs -a "$d/test-$input.txt" "$sb" predict "$m" -o "$d/$side-skybias-$input-net$k.csv"
				nets+=("$d/$side-skybias-$input-net$k.csv")
			done
			"$py" "$here/assemble.py" "$d/test-$input.txt" "$d/$side-pytorch.csv" "$d/$side-skybias-$input.csv" "${nets[@]}"
		done
		"$sb" audit --design "$d/design-skybias-$input.csv" --baseline "$d/baseline-skybias-$input.csv" \
			--spiral-field f1 --elliptical-field f2 --json "$d/audit-skybias-$input.json" > "$d/audit-skybias-$input.txt"
	done
	# the design network labels galaxies it never saw: a catalog, tested
	# for a dipole as any catalog would be
	"$sb" annotate "$d/design.onnx" --source "experiments/surveys/$survey.yaml" --regions f1,f2 --n 2000 \
		--exclude "$d/images/catalog.csv" --out "$d/catalog.csv" > /dev/null 2>&1
	"$sb" anisotropy "$d/catalog.csv" > "$d/anisotropy.txt"
	echo "== $survey"
	grep -h "training accuracy" "$d"/train-*.log | awk '/epoch 8/' | tr '\n' ';' | sed 's/;$/\n/'
	cat "$d/featureprobe-design.txt" "$d/featureprobe-untrained.txt" "$d/audit-pytorch.txt" "$d/audit-skybias-png.txt" "$d/audit-skybias-jpeg.txt"
	"$py" "$here/compare.py" "$d/design-pytorch.csv" "$d/design-skybias-png.csv" "$d/design-skybias-jpeg.csv"
	head -4 "$d/anisotropy.txt"
done
bash "$here/summary.sh" "$out"
cat "$out/SUMMARY.txt"
