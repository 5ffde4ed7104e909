package cnn

import "github.com/skybias/skybias/netspec"

// Config describes a network (netspec.Config: the plain description a
// job carries; this package builds and trains what it describes).
type Config = netspec.Config

// Adam holds the optimiser's settings (netspec.Adam).
type Adam = netspec.Adam

// EpochStats are one epoch's training and validation measures
// (netspec.EpochStats).
type EpochStats = netspec.EpochStats

// History is the record of a training run (netspec.History).
type History = netspec.History

// The convolution algorithms of Config.Conv (netspec.ConvDirect and
// netspec.ConvWinograd).
const (
	ConvDirect   = netspec.ConvDirect
	ConvWinograd = netspec.ConvWinograd
)

// Architectures are the networks skybias knows by name
// (netspec.Architectures).
var Architectures = netspec.Architectures

// ConvNames lists the convolution algorithms Config.Conv accepts.
func ConvNames() []string { return netspec.ConvNames() }

// ArchNames lists the known architectures, sorted.
func ArchNames() []string { return netspec.ArchNames() }

// winogradWins is netspec.WinogradWins, the rule this package's layers
// are built by.
func winogradWins(c, o, h, w int) bool { return netspec.WinogradWins(c, o, h, w) }
