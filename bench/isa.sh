# Sourced by bench/run and bench/crosscheck: BENCH_ISA=avx2 holds both
# skybias and PyTorch to AVX2, as on a machine without AVX-512 (skybias by
# SKYBIAS_NO_AVX512=1, PyTorch by ONEDNN_MAX_CPU_ISA=AVX2 and
# ATEN_CPU_CAPABILITY=avx2); $held then says so for the header line.
# $cpu and $isa name the machine's CPU and the instruction sets either
# program may use, for the same line.
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
isa=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bf16|amx_tile)$' | tr '\n' ' ')
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
