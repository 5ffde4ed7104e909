package dsl

import "time"

// Measured on a 2-core machine of the kind skybias is developed on
// (go test ./cnn -run NONE -bench Train): training throughput of the
// network in floating-point operations per second, and the time to render
// or decode one cutout on one core.
const (
	trainFLOPS   = 45e9
	imageSeconds = 0.004
	estimateCPUs = 2
)

// Cost is the work of a job.
type Cost struct {
	// ImageSteps is epochs times training images (times ensemble
	// members): one image through one forward and backward pass.
	ImageSteps int64
	// Predictions is the number of test images classified (by each
	// member of an ensemble).
	Predictions int64
	// Estimate is the expected wall time on a 2-core machine.
	Estimate time.Duration
}

// Cost estimates the job's work.
func (j *Job) Cost() Cost {
	train := int64(j.TrainImages())
	test := int64(j.TestImages())
	k := int64(j.Training.Members())
	c := Cost{ImageSteps: k * train * int64(j.Training.Epochs), Predictions: k * test}
	f := j.Model.FLOPs()
	secs := (3*f*float64(c.ImageSteps) + f*float64(test)) / trainFLOPS
	secs += imageSeconds * float64(train+test) / estimateCPUs // rendered once for all members
	c.Estimate = time.Duration(secs * float64(time.Second))
	return c
}

// PlanRow is one job of a plan as a plan table shows it.
type PlanRow struct {
	Job     *Job
	Hash    string // short
	Variant string // "-" for none
	Repeat  int
	Design  string
	Cost    Cost
}

// Rows lists a plan's jobs for a table, in plan order (skybias plan and
// the kernel's %plan both print them).
func (p *Plan) Rows() []PlanRow {
	rows := make([]PlanRow, len(p.Jobs))
	for i, j := range p.Jobs {
		v := j.Variant
		if v == "" {
			v = "-"
		}
		rows[i] = PlanRow{Job: j, Hash: j.ShortHash(), Variant: v, Repeat: j.Repeat, Design: j.Describe(), Cost: j.Cost()}
	}
	return rows
}
