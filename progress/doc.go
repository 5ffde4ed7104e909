// Package progress shows how far long work has got (rendering or
// decoding images, training networks, annotating catalogs): live bars,
// one per running task, drawn with github.com/vbauerster/mpb on a
// terminal; plain lines elsewhere (CI, Slurm logs, notebooks), written
// when a task starts, at most every PlainEvery while it runs, and when it
// ends. A nil *Display shows nothing, so callers need no checks.
package progress
