// Package onnxnet runs a classifier trained elsewhere (PyTorch, Keras,
// anything that exports ONNX) on skybias's own kernels, so that the
// classifier that annotated a user's catalog can be audited like one that
// skybias trained.
//
// Load reads an ONNX model (opset 13 or later) with the protobuf bindings
// of github.com/advancedclimatesystems/gonnx/onnx, checks every node
// against the operators this package implements (Ops) and infers every
// tensor's shape for one image of the declared input size: an operator it
// does not implement, a shape that does not fit or a model whose work per
// image exceeds the limits is an error that names the node, before any
// image is read. Convolutions (any kernel, stride, padding, dilation and
// group count) and Gemm/MatMul run on the packed float32 multiply of
// package cnn; the other operators of a typical image classifier
// (BatchNormalization, Relu and its relatives, Add/Mul/Sub/Div with
// broadcasting, Max/AveragePool, global pooling, ReduceMean, Flatten,
// Reshape and the shape arithmetic PyTorch emits for it, Concat,
// Transpose, Dropout as identity, Sigmoid, Softmax) are plain Go here.
// Images of a batch run in parallel, each on one goroutine, so a model
// gives the same numbers bit for bit whatever the number of cores.
//
// Input describes how an RGB image becomes the network's input tensor
// (size, scale, per-channel mean and std, NCHW) and Output which output
// value is p(spiral) (a sigmoid unit, or one of two softmax units, with an
// optional activation for models that end in logits). Both come from a
// small YAML file beside the model (NAME.yaml for NAME.onnx) or from the
// caller (ReadSpec, Spec).
package onnxnet
