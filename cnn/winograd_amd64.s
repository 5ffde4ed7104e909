#include "textflag.h"

// The AVX2 transforms of the Winograd convolution (winograd.go), eight
// tiles at a time; each does exactly the arithmetic of its Go version.

// SPLIT loads sixteen values from lo and hi (lo+32) and splits them into
// the even ones, e, and the odd ones, o, each in the lane order perm8.
// It uses Y8 and Y9.
#define SPLIT(lo, hi, e, o) \
	VMOVUPS lo, Y8; \
	VMOVUPS hi, Y9; \
	VSHUFPS $0x88, Y9, Y8, e; \
	VSHUFPS $0xDD, Y9, Y8, o

// VROW stores a row of V, B^T on (a, b, c, d): a-c, b+c, c-b, b-d. It
// uses Y8, Y9, Y10 and Y11 when c and d are not among them.
#define VROW(a, b, c, d) \
	VSUBPS c, a, Y8; \
	VMOVUPS Y8, (BX); \
	VADDPS c, b, Y8; \
	VMOVUPS Y8, (BX)(R8*1); \
	VSUBPS b, c, Y8; \
	VMOVUPS Y8, (BX)(R8*2); \
	VSUBPS d, b, Y8; \
	VMOVUPS Y8, (BX)(R10*1); \
	LEAQ (BX)(R8*4), BX

// func winoIn8Asm(src *float32, pw int, dst *float32, xs, n8 int)
// V = B^T d B for n8 groups of eight tiles: patch rows at src + r*pw,
// tile columns from 16g; output plane ξ at dst + ξ*xs, lanes from 8g.
TEXT ·winoIn8Asm(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ pw+8(FP), DX
	SHLQ $2, DX
	MOVQ dst+16(FP), DI
	MOVQ xs+24(FP), R8
	SHLQ $2, R8
	MOVQ n8+32(FP), CX
	LEAQ (R8)(R8*2), R10
	LEAQ (DX)(DX*2), R12
	TESTQ CX, CX
	JE indone

inloop:
	// Columns 0 and 1 of the patches: B^T on the rows, into Y0-Y7
	// (t[i][0] and t[i][1] in Y(2i) and Y(2i+1)).
	SPLIT((SI), 32(SI), Y10, Y11)
	SPLIT((SI)(DX*2), 32(SI)(DX*2), Y12, Y13)
	VSUBPS Y12, Y10, Y0
	VSUBPS Y13, Y11, Y1
	SPLIT((SI)(DX*1), 32(SI)(DX*1), Y14, Y15)
	VADDPS Y12, Y14, Y2
	VADDPS Y13, Y15, Y3
	VSUBPS Y14, Y12, Y4
	VSUBPS Y15, Y13, Y5
	SPLIT((SI)(R12*1), 32(SI)(R12*1), Y10, Y11)
	VSUBPS Y10, Y14, Y6
	VSUBPS Y11, Y15, Y7

	// Columns 2 and 3, and each row of V as soon as it is complete.
	MOVQ DI, BX
	SPLIT(8(SI), 40(SI), Y10, Y11)
	SPLIT(8(SI)(DX*2), 40(SI)(DX*2), Y12, Y13)
	VSUBPS Y12, Y10, Y10
	VSUBPS Y13, Y11, Y11
	VROW(Y0, Y1, Y10, Y11)
	SPLIT(8(SI)(DX*1), 40(SI)(DX*1), Y0, Y1)
	VADDPS Y12, Y0, Y10
	VADDPS Y13, Y1, Y11
	VROW(Y2, Y3, Y10, Y11)
	VSUBPS Y0, Y12, Y12
	VSUBPS Y1, Y13, Y13
	VROW(Y4, Y5, Y12, Y13)
	SPLIT(8(SI)(R12*1), 40(SI)(R12*1), Y2, Y3)
	VSUBPS Y2, Y0, Y0
	VSUBPS Y3, Y1, Y1
	VROW(Y6, Y7, Y0, Y1)
	ADDQ $64, SI
	ADDQ $32, DI
	DECQ CX
	JNE inloop

indone:
	VZEROUPPER
	RET

// OUTCOL is A^T on the column of M at w, x, y, z (planes j, 4+j, 8+j,
// 12+j): s0 = (w+x)+y, s1 = (x-y)-z. It uses Y8-Y11.
#define OUTCOL(w, x, y, z, s0, s1) \
	VMOVUPS w, Y8; \
	VMOVUPS x, Y9; \
	VMOVUPS y, Y10; \
	VMOVUPS z, Y11; \
	VADDPS Y9, Y8, s0; \
	VADDPS Y10, s0, s0; \
	VSUBPS Y10, Y9, s1; \
	VSUBPS Y11, s1, s1

// OUTROW is A^T on a row (a, b, c, d): Y8 = (a+b)+c, Y9 = (b-c)-d.
#define OUTROW(a, b, c, d) \
	VADDPS b, a, Y8; \
	VADDPS c, Y8, Y8; \
	VSUBPS c, b, Y9; \
	VSUBPS d, Y9, Y9

// BIASRELU adds the bias in Y14 to Y8 and Y9 and applies the ReLU (Y15 is
// zero; VMAXPS gives it for NaN and -0, as relu does).
#define BIASRELU \
	VADDPS Y14, Y8, Y8; \
	VMAXPS Y15, Y8, Y8; \
	VADDPS Y14, Y9, Y9; \
	VMAXPS Y15, Y9, Y9

// STOREROW interleaves Y8 and Y9 back to image order and stores the
// sixteen values at dst.
#define STOREROW(dst) \
	VUNPCKLPS Y9, Y8, Y10; \
	VUNPCKHPS Y9, Y8, Y11; \
	VMOVUPS Y10, (dst); \
	VMOVUPS Y11, 32(dst)

// func winoOut8Asm(m *float32, xs int, y0, y1 *float32, n8 int, b *float32, act int)
// Y = A^T M A for n8 groups of eight tiles: plane ξ of M at m + ξ*xs,
// lanes from 8g; the two output rows to y0 and y1 from 16g, interleaved
// back to image order; plus *b and the ReLU when act is not 0.
TEXT ·winoOut8Asm(SB), NOSPLIT, $0-56
	MOVQ m+0(FP), SI
	MOVQ xs+8(FP), R8
	SHLQ $2, R8
	MOVQ y0+16(FP), DI
	MOVQ y1+24(FP), DX
	MOVQ n8+32(FP), CX
	MOVQ b+40(FP), AX
	MOVQ act+48(FP), R9
	VBROADCASTSS (AX), Y14
	VXORPS Y15, Y15, Y15
	LEAQ (R8)(R8*2), R10
	TESTQ CX, CX
	JE outdone

outloop:
	LEAQ (SI)(R8*4), R11
	LEAQ (R11)(R8*4), R12
	LEAQ (R12)(R8*4), R13
	OUTCOL((SI), (R11), (R12), (R13), Y0, Y1)
	OUTCOL((SI)(R8*1), (R11)(R8*1), (R12)(R8*1), (R13)(R8*1), Y2, Y3)
	OUTCOL((SI)(R8*2), (R11)(R8*2), (R12)(R8*2), (R13)(R8*2), Y4, Y5)
	OUTCOL((SI)(R10*1), (R11)(R10*1), (R12)(R10*1), (R13)(R10*1), Y6, Y7)
	OUTROW(Y0, Y2, Y4, Y6)
	TESTQ R9, R9
	JE outrow0
	BIASRELU

outrow0:
	STOREROW(DI)
	OUTROW(Y1, Y3, Y5, Y7)
	TESTQ R9, R9
	JE outrow1
	BIASRELU

outrow1:
	STOREROW(DX)
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNE outloop

outdone:
	VZEROUPPER
	RET

// GRADROW stores a row of Gt, A on (a, b): a, a+b, a-b, -b (Y15 holds
// the sign bits). It uses Y8.
#define GRADROW(a, b) \
	VMOVUPS a, (BX); \
	VADDPS b, a, Y8; \
	VMOVUPS Y8, (BX)(R8*1); \
	VSUBPS b, a, Y8; \
	VMOVUPS Y8, (BX)(R8*2); \
	VXORPS Y15, b, Y8; \
	VMOVUPS Y8, (BX)(R10*1); \
	LEAQ (BX)(R8*4), BX

// func winoGradOut8Asm(g0, g1, dst *float32, xs, n8 int)
// Gt = A dY A^T for n8 groups of eight tiles: gradient rows g0 and g1
// from 16g; output plane ξ at dst + ξ*xs, lanes from 8g.
TEXT ·winoGradOut8Asm(SB), NOSPLIT, $0-40
	MOVQ g0+0(FP), SI
	MOVQ g1+8(FP), DX
	MOVQ dst+16(FP), DI
	MOVQ xs+24(FP), R8
	SHLQ $2, R8
	MOVQ n8+32(FP), CX
	LEAQ (R8)(R8*2), R10
	MOVL $0x80000000, AX
	MOVQ AX, X15
	VBROADCASTSS X15, Y15
	TESTQ CX, CX
	JE graddone

gradloop:
	SPLIT((SI), 32(SI), Y0, Y1)
	SPLIT((DX), 32(DX), Y2, Y3)
	MOVQ DI, BX
	GRADROW(Y0, Y1)
	VADDPS Y2, Y0, Y4
	VADDPS Y3, Y1, Y5
	GRADROW(Y4, Y5)
	VSUBPS Y2, Y0, Y4
	VSUBPS Y3, Y1, Y5
	GRADROW(Y4, Y5)
	VXORPS Y15, Y2, Y4
	VXORPS Y15, Y3, Y5
	GRADROW(Y4, Y5)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $32, DI
	DECQ CX
	JNE gradloop

graddone:
	VZEROUPPER
	RET

// BROW stores row i of B dV to the scratch at s0 .. s3 (R9-relative
// offsets): from (a, b, c, d), the next four planes from BX, a,
// (b-c)+d, (b+c)-a and -d. It uses Y0-Y4.
#define BROW(s0, s1, s2, s3) \
	VMOVUPS (BX), Y0; \
	VMOVUPS (BX)(R8*1), Y1; \
	VMOVUPS (BX)(R8*2), Y2; \
	VMOVUPS (BX)(R10*1), Y3; \
	VMOVUPS Y0, s0(R9); \
	VSUBPS Y2, Y1, Y4; \
	VADDPS Y3, Y4, Y4; \
	VMOVUPS Y4, s1(R9); \
	VADDPS Y2, Y1, Y4; \
	VSUBPS Y0, Y4, Y4; \
	VMOVUPS Y4, s2(R9); \
	VXORPS Y15, Y3, Y4; \
	VMOVUPS Y4, s3(R9); \
	LEAQ (BX)(R8*4), BX

// PLUSMINUS is Y0 = (a + b) - c for scratch offsets a, b, c; MINUSPLUS
// is Y0 = (a - b) + c. Both also do the same with a+32, b+32, c+32 into
// Y1: two neighbouring columns.
#define MINUSPLUS(a, b, c) \
	VMOVUPS a(R9), Y0; \
	VSUBPS b(R9), Y0, Y0; \
	VADDPS c(R9), Y0, Y0; \
	VMOVUPS a+32(R9), Y1; \
	VSUBPS b+32(R9), Y1, Y1; \
	VADDPS c+32(R9), Y1, Y1

#define PLUSMINUS(a, b, c) \
	VMOVUPS a(R9), Y0; \
	VADDPS b(R9), Y0, Y0; \
	VSUBPS c(R9), Y0, Y0; \
	VMOVUPS a+32(R9), Y1; \
	VADDPS b+32(R9), Y1, Y1; \
	VSUBPS c+32(R9), Y1, Y1

// PAIR loads two neighbouring columns of the scratch at a into Y0, Y1.
#define PAIR(a) \
	VMOVUPS a(R9), Y0; \
	VMOVUPS a+32(R9), Y1

// ADDROW interleaves Y0 and Y1 back to image order and adds (op VADDPS)
// or subtracts (VSUBPS) the sixteen values to those at lo and hi (lo+32).
#define ADDROW(op, lo, hi) \
	VUNPCKLPS Y1, Y0, Y2; \
	VUNPCKHPS Y1, Y0, Y3; \
	VMOVUPS lo, Y4; \
	VMOVUPS hi, Y5; \
	op Y2, Y4, Y4; \
	op Y3, Y5, Y5; \
	VMOVUPS Y4, lo; \
	VMOVUPS Y5, hi

// BCOLS adds columns j and j+1 (scratch offset j*32) of B dV B^T into the
// four patch rows from DI, at byte offset off.
#define BCOLS(j, off) \
	PAIR(j*32); \
	ADDROW(VADDPS, off(DI), off+32(DI)); \
	MINUSPLUS(128+j*32, 256+j*32, 384+j*32); \
	ADDROW(VADDPS, off(DI)(DX*1), off+32(DI)(DX*1)); \
	PLUSMINUS(128+j*32, 256+j*32, j*32); \
	ADDROW(VADDPS, off(DI)(DX*2), off+32(DI)(DX*2)); \
	PAIR(384+j*32); \
	ADDROW(VSUBPS, off(DI)(R12*1), off+32(DI)(R12*1))

// func winoInBack8Asm(dv *float32, xs int, dst *float32, pw, n8 int, scratch *[128]float32)
// Adds B dV B^T of n8 groups of eight tiles (plane ξ of dV at dv + ξ*xs,
// lanes from 8g) into their patches (rows dst + r*pw, from 16g): per
// group, columns 0 and 1 of all eight patches, then columns 2 and 3.
// Row i of B dV, column j, goes to the scratch at (4i+j)*32 bytes.
TEXT ·winoInBack8Asm(SB), NOSPLIT, $0-48
	MOVQ dv+0(FP), SI
	MOVQ xs+8(FP), R8
	SHLQ $2, R8
	MOVQ dst+16(FP), DI
	MOVQ pw+24(FP), DX
	SHLQ $2, DX
	MOVQ n8+32(FP), CX
	MOVQ scratch+40(FP), R9
	LEAQ (R8)(R8*2), R10
	LEAQ (DX)(DX*2), R12
	MOVL $0x80000000, AX
	MOVQ AX, X15
	VBROADCASTSS X15, Y15
	TESTQ CX, CX
	JE backdone

backloop:
	MOVQ SI, BX
	BROW(0, 32, 64, 96)
	BROW(128, 160, 192, 224)
	BROW(256, 288, 320, 352)
	BROW(384, 416, 448, 480)
	BCOLS(0, 0)
	BCOLS(2, 8)
	ADDQ $32, SI
	ADDQ $64, DI
	DECQ CX
	JNE backloop

backdone:
	VZEROUPPER
	RET
