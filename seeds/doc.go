// Package seeds derives independent, named random streams from one seed:
// every galaxy, split, repeat and network weight draws from its own
// stream, so adding or removing one draw never changes another, and the
// same seed gives the same numbers on any machine. Both the sky (which
// galaxies, which pixels) and the network (initial weights, batch order,
// augmentation) draw through it.
package seeds
