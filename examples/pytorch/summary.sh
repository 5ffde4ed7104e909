#!/usr/bin/env bash
# Writes OUT/SUMMARY.txt: the lines of examples/pytorch/run.sh's outputs a
# reader needs (training accuracy, feature probes, verdicts, agreement with
# PyTorch, the catalog's dipole), each quoted from a file run.sh wrote.
#   examples/pytorch/summary.sh OUT
set -euo pipefail
out=$1
py=/usr/bin/python3
{
	echo "# examples/pytorch/run.sh: the paper's network trained by PyTorch $("$py" -c 'import torch; print(torch.__version__)') (48 px, 8 epochs, 3 networks per design, 1,200 training galaxies), audited by skybias"
	for survey in ps1-like null; do
		d="$out/$survey"
		echo "== $survey"
		for side in design baseline; do
			printf 'training accuracy, last epoch, %s networks: %s\n' "$side" "$(grep 'epoch 8:' "$d/train-$side.log" | awk '{print $NF}' | tr '\n' ' ' | sed 's/ $//')"
		done
		for m in design untrained; do
			printf 'featureprobe, %s network: %s;%s\n' "$m" "$(grep -o 'held-out accuracy [^(]*' "$d/featureprobe-$m.txt" | sed 's/ $//')" \
				"$(grep 'verdict:' "$d/featureprobe-$m.txt" | sed 's/.*verdict:/ verdict:/')"
		done
		for a in pytorch skybias-png skybias-jpeg; do
			what=${a/pytorch/PyTorch\'s predictions}
			what=${what/skybias-png/skybias\'s predictions, the pixels PyTorch saw}
			what=${what/skybias-jpeg/skybias\'s predictions, its own JPEG decoding}
			printf 'audit, %s: %s; verdict %s\n' "$what" "$(grep 'interaction:' "$d/audit-$a.txt" | sed 's/^design-by-field //; s/, on .*//')" "$(grep -o 'verdict at level 0.05: .*' "$d/audit-$a.txt" | sed 's/verdict at level 0.05: //')"
		done
		"$py" examples/pytorch/compare.py "$d/design-pytorch.csv" "$d/design-skybias-png.csv" "$d/design-skybias-jpeg.csv"
		printf 'anisotropy of the design network'"'"'s catalog (2,000 galaxies it never saw): %s\n' "$(grep '^dipole' "$d/anisotropy.txt" | sed 's/  */ /g'); $(grep '^P ' "$d/anisotropy.txt" | sed 's/  */ /g' | cut -d: -f1)"
	done
} > "$out/SUMMARY.txt"
