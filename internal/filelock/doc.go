// Package filelock holds advisory locks on files (flock on Unix): a run
// locks its output folder so that a second run cannot mix its report into
// the first's, and each job in the result store so that two runs sharing a
// store train it once. The lock file holds the holder's process ID, for
// the message a refused run prints. Locks end with their process, so a
// killed run never leaves one behind.
package filelock
