// Package runner executes compiled jobs: it draws the training and test
// galaxies, trains the network, predicts every test set, and stores the
// result in a content-addressed folder named by the job's hash. Writes are
// atomic (a folder is written aside and renamed into place), so a run
// killed at any moment resumes where it stopped, and a job whose result
// exists is never run again.
package runner
