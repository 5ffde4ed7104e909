// Package cnn is the classifier: the paper's convolutional network and its
// relatives, built as Gorgonia graphs (gorgonia.org/gorgonia) from custom
// operators written for speed and bit-for-bit determinism, trained with
// Adam on binary cross-entropy, checkpointed, and run over image sets in
// batches to give p(spiral) per galaxy.
//
// Architectures are chosen by name (Architectures); "lenet5x" is the
// paper's: five 3x3 convolutions (32, 32, 64, 64, 128 filters, same
// padding, bias, ReLU) with a 2x2 max-pool after each of the first four,
// a dense layer of 128 ReLU units and one sigmoid output.
//
// The convolution, pooling, dense and loss operators are Gorgonia Ops with
// their own symbolic derivatives. Their arithmetic runs on a packed float32
// matrix multiply with an AVX2/FMA kernel in Go assembly (a portable Go
// kernel elsewhere), parallel across the images of a batch, with every
// reduction in a fixed order so that a seed gives the same weights and
// predictions on any number of cores. A float32 convolution packs its 3x3
// neighbourhoods straight from a zero-bordered copy of the image into the
// multiply, which applies bias and ReLU as it stores (conv32.go); float64
// networks, used to check gradients, take the plain im2col path.
//
// By default (Config.Conv "winograd") the larger 3x3 convolutions use
// Winograd's F(2x2, 3x3) algorithm instead (winograd.go): 16 products per
// 2x2 output tile where the direct path needs 36, done as 16 matrix
// multiplies per block of tiles, with the input, output and gradient
// transforms in AVX2 assembly eight tiles at a time. It is chosen per
// layer where it measured faster (winogradWins); it changes float32
// rounding, so it is part of a job's hash. Config.Conv "direct" keeps
// the direct path on every layer.
//
// In float32 graphs each convolution and the max-pool after it are one
// operator (convPoolOp): the worker that computes an image's convolution
// pools it straight from the convolution's padded layout while it is in
// cache, and in training routes the pooled gradient back and masks it by
// the ReLU per image, in its own buffer; the batch's full-size pooling
// gradient is never held, and prediction graphs (which hold no gradient
// buffers) never write the full-size convolution output at all. The
// values are the same, bit for bit (cnn.TestConvPoolFusedMatches, and the
// checkpoints and predictions of TestCheckpointSameOnEveryPath); on 2
// cores at 120 px, training is about a tenth faster and inference about
// a quarter, with less memory.
package cnn
