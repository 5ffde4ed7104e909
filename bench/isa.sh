# Sourced by bench/run and bench/crosscheck: BENCH_ISA=avx2 holds both
# skybias and PyTorch to AVX2, as on a machine without AVX-512 (skybias by
# SKYBIAS_NO_AVX512=1, PyTorch by ONEDNN_MAX_CPU_ISA=AVX2 and
# ATEN_CPU_CAPABILITY=avx2); $held then says so for the header line.
held=""
case "${BENCH_ISA:-}" in
"") ;;
avx2)
	export SKYBIAS_NO_AVX512=1 ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2
	held="; BENCH_ISA=avx2: both held to AVX2 (SKYBIAS_NO_AVX512=1, ONEDNN_MAX_CPU_ISA=AVX2, ATEN_CPU_CAPABILITY=avx2), as on a machine without AVX-512"
	;;
*)
	echo "bench: BENCH_ISA=$BENCH_ISA: want avx2 or nothing" >&2
	exit 2
	;;
esac
