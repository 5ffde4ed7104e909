#include "textflag.h"

// func kernel6x16(k int, a, b, c *float32, ldc int, flags int, bias *float32)
// T[0:6][0:16] = sum_p a[p*6+i] * b[p*16+j]; C is row-major with stride ldc.
// flags&1: T += C (else C's old values are ignored). flags&2: T[i][j] =
// max(T[i][j] + bias[i], 0). Then C = T.
TEXT ·kernel6x16(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JE store

loop:
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VBROADCASTSS (SI), Y14
	VBROADCASTSS 4(SI), Y15
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS 8(SI), Y14
	VBROADCASTSS 12(SI), Y15
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS 16(SI), Y14
	VBROADCASTSS 20(SI), Y15
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VFMADD231PS Y12, Y15, Y10
	VFMADD231PS Y13, Y15, Y11
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNE loop

store:
	MOVQ flags+40(FP), R9
	TESTQ $1, R9
	JE bias
	MOVQ DX, R11
	VADDPS (R11), Y0, Y0
	VADDPS 32(R11), Y1, Y1
	ADDQ R8, R11
	VADDPS (R11), Y2, Y2
	VADDPS 32(R11), Y3, Y3
	ADDQ R8, R11
	VADDPS (R11), Y4, Y4
	VADDPS 32(R11), Y5, Y5
	ADDQ R8, R11
	VADDPS (R11), Y6, Y6
	VADDPS 32(R11), Y7, Y7
	ADDQ R8, R11
	VADDPS (R11), Y8, Y8
	VADDPS 32(R11), Y9, Y9
	ADDQ R8, R11
	VADDPS (R11), Y10, Y10
	VADDPS 32(R11), Y11, Y11

bias:
	TESTQ $2, R9
	JE write
	MOVQ bias+48(FP), R10
	VXORPS Y15, Y15, Y15
	VBROADCASTSS (R10), Y14
	VADDPS Y14, Y0, Y0
	VADDPS Y14, Y1, Y1
	VMAXPS Y15, Y0, Y0
	VMAXPS Y15, Y1, Y1
	VBROADCASTSS 4(R10), Y14
	VADDPS Y14, Y2, Y2
	VADDPS Y14, Y3, Y3
	VMAXPS Y15, Y2, Y2
	VMAXPS Y15, Y3, Y3
	VBROADCASTSS 8(R10), Y14
	VADDPS Y14, Y4, Y4
	VADDPS Y14, Y5, Y5
	VMAXPS Y15, Y4, Y4
	VMAXPS Y15, Y5, Y5
	VBROADCASTSS 12(R10), Y14
	VADDPS Y14, Y6, Y6
	VADDPS Y14, Y7, Y7
	VMAXPS Y15, Y6, Y6
	VMAXPS Y15, Y7, Y7
	VBROADCASTSS 16(R10), Y14
	VADDPS Y14, Y8, Y8
	VADDPS Y14, Y9, Y9
	VMAXPS Y15, Y8, Y8
	VMAXPS Y15, Y9, Y9
	VBROADCASTSS 20(R10), Y14
	VADDPS Y14, Y10, Y10
	VADDPS Y14, Y11, Y11
	VMAXPS Y15, Y10, Y10
	VMAXPS Y15, Y11, Y11

write:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

// func reluMask8(gm, y, grad *float32, n int, lanes *[8]float32)
// For n (a multiple of 8) values: gm[j] = g[j] unless y[j] <= 0, then 0;
// lanes[j%8] += gm[j], in order of j.
TEXT ·reluMask8(SB), NOSPLIT, $0-40
	MOVQ gm+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ lanes+32(FP), R8
	VMOVUPS (R8), Y3
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JE done8

loop8:
	VMOVUPS (SI), Y0
	VCMPPS $6, Y15, Y0, Y1
	VANDPS (DX), Y1, Y2
	VMOVUPS Y2, (DI)
	VADDPS Y2, Y3, Y3
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNE loop8

done8:
	VMOVUPS Y3, (R8)
	VZEROUPPER
	RET

// func packRows16(dst, x *float32, offs *int32, kc int)
// For p < kc: dst[p*16 : p*16+16] = x[offs[p] : offs[p]+16].
TEXT ·packRows16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ offs+16(FP), DX
	MOVQ kc+24(FP), CX
	TESTQ CX, CX
	JE done16

loop16:
	MOVLQSX (DX), AX
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $4, DX
	ADDQ $64, DI
	DECQ CX
	JNE loop16

done16:
	VZEROUPPER
	RET

// func strideCopy(dst, src *float32, n, stride int)
// dst[t*stride] = src[t] for t < n.
TEXT ·strideCopy(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
	LEAQ (DX)(DX*1), R8
	CMPQ CX, $2
	JLT stail

spair:
	MOVL (SI), AX
	MOVL 4(SI), BX
	MOVL AX, (DI)
	MOVL BX, (DI)(DX*1)
	ADDQ $8, SI
	ADDQ R8, DI
	SUBQ $2, CX
	CMPQ CX, $2
	JGE spair

stail:
	TESTQ CX, CX
	JE sdone
	MOVL (SI), AX
	MOVL AX, (DI)

sdone:
	RET

DATA pool2idx<>+0(SB)/4, $0
DATA pool2idx<>+4(SB)/4, $2
DATA pool2idx<>+8(SB)/4, $4
DATA pool2idx<>+12(SB)/4, $6
DATA pool2idx<>+16(SB)/4, $8
DATA pool2idx<>+20(SB)/4, $10
DATA pool2idx<>+24(SB)/4, $12
DATA pool2idx<>+28(SB)/4, $14
GLOBL pool2idx<>(SB), RODATA|NOPTR, $32

// func maxPool8(r0, r1, out *float32, arg *int32, n8 int, base, w int32)
// For j < 8*n8: out[j] is the largest of r0[2j], r0[2j+1], r1[2j],
// r1[2j+1], the first of them on ties, and arg[j] its index: base + 2j,
// plus 1 for the right column, plus w for the second row.
TEXT ·maxPool8(SB), NOSPLIT, $0-48
	MOVQ r0+0(FP), SI
	MOVQ r1+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ arg+24(FP), R9
	MOVQ n8+32(FP), CX
	MOVL base+40(FP), AX
	MOVL w+44(FP), BX
	VPCMPEQD Y13, Y13, Y13
	VPSRLD $31, Y13, Y13
	VPSLLD $4, Y13, Y15
	VMOVD BX, X14
	VPBROADCASTD X14, Y14
	VMOVD AX, X10
	VPBROADCASTD X10, Y10
	VPADDD pool2idx<>(SB), Y10, Y10
	TESTQ CX, CX
	JE pdone

ploop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xDD, Y1, Y0, Y5
	VPERMPD $0xD8, Y4, Y4
	VPERMPD $0xD8, Y5, Y5
	VCMPPS $0x0E, Y2, Y3, Y6
	VBLENDVPS Y6, Y3, Y2, Y7
	VCMPPS $0x0E, Y4, Y5, Y8
	VBLENDVPS Y8, Y5, Y4, Y9
	VCMPPS $0x0E, Y7, Y9, Y11
	VBLENDVPS Y11, Y9, Y7, Y12
	VMOVUPS Y12, (DI)
	VPAND Y13, Y6, Y6
	VPAND Y13, Y8, Y8
	VPADDD Y14, Y8, Y8
	VBLENDVPS Y11, Y8, Y6, Y6
	VPADDD Y10, Y6, Y6
	VMOVDQU Y6, (R9)
	VPADDD Y15, Y10, Y10
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $32, DI
	ADDQ $32, R9
	DECQ CX
	JNE ploop

pdone:
	VZEROUPPER
	RET

// func packRowsStride16(dst, x *float32, stride, kc int)
// For p < kc: dst[p*16 : p*16+16] = x[p*stride : p*stride+16].
TEXT ·packRowsStride16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ stride+16(FP), DX
	MOVQ kc+24(FP), CX
	SHLQ $2, DX
	TESTQ CX, CX
	JE sdone16

sloop16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ DX, SI
	ADDQ $64, DI
	DECQ CX
	JNE sloop16

sdone16:
	VZEROUPPER
	RET

// func transpose8Rows(dst, x *float32, offs *int32, n8 int)
// For b < n8 and r, q < 8: dst[(8b+r)*16 + q] = x[offs[q] + 8b + r]: eight
// runs of x, at the eight offsets, written across as eight columns of a
// panel 16 values wide (an 8x8 transpose per block of eight rows).
TEXT ·transpose8Rows(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ offs+16(FP), R12
	MOVQ n8+24(FP), R13
	MOVLQSX 0(R12), AX
	MOVLQSX 4(R12), BX
	MOVLQSX 8(R12), CX
	MOVLQSX 12(R12), DX
	MOVLQSX 16(R12), R8
	MOVLQSX 20(R12), R9
	MOVLQSX 24(R12), R10
	MOVLQSX 28(R12), R11
	TESTQ R13, R13
	JE tdone

tloop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS (SI)(BX*4), Y1
	VMOVUPS (SI)(CX*4), Y2
	VMOVUPS (SI)(DX*4), Y3
	VMOVUPS (SI)(R8*4), Y4
	VMOVUPS (SI)(R9*4), Y5
	VMOVUPS (SI)(R10*4), Y6
	VMOVUPS (SI)(R11*4), Y7
	// Pairs interleaved, then quadruples, then the halves swapped.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, 64(DI)
	VMOVUPS Y10, 128(DI)
	VMOVUPS Y11, 192(DI)
	VMOVUPS Y12, 256(DI)
	VMOVUPS Y13, 320(DI)
	VMOVUPS Y14, 384(DI)
	VMOVUPS Y15, 448(DI)
	ADDQ $32, SI
	ADDQ $512, DI
	DECQ R13
	JNE tloop

tdone:
	VZEROUPPER
	RET
