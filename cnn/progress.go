package cnn

import (
	"fmt"
	"time"
)

// Progress receives a training run's progress (package progress draws it
// as a bar on a terminal or as plain lines); nil for none.
type Progress interface {
	// Step reports done of total batches (over all epochs) with a status.
	Step(done, total int, status string)
	// Line reports a finished epoch.
	Line(format string, args ...any)
}

// progress turns batch and epoch events into Progress calls.
type progress struct {
	p               Progress
	epochs, batches int
	epoch0          time.Time
	curEpoch        int
}

func newProgress(p Progress, epochs, batches int) *progress {
	return &progress{p: p, epochs: epochs, batches: batches, epoch0: time.Now()}
}

func (p *progress) update(epoch, batch int, loss, acc float64, seen int) {
	if p.p == nil {
		return
	}
	now := time.Now()
	if epoch != p.curEpoch {
		p.curEpoch, p.epoch0 = epoch, now
	}
	// A rate over less than a tenth of a second (the epoch's first
	// batch) says nothing; it would read 16000000000 img/s.
	speed := ""
	if d := now.Sub(p.epoch0).Seconds(); d >= 0.1 {
		speed = fmt.Sprintf(" %.0f img/s", float64(seen)/d)
	}
	p.p.Step((epoch-1)*p.batches+batch, p.epochs*p.batches,
		fmt.Sprintf("epoch %d/%d loss %.4f acc %.3f%s", epoch, p.epochs, loss, acc, speed))
}

func (p *progress) epochDone(st EpochStats) {
	if p.p == nil {
		return
	}
	line := fmt.Sprintf("epoch %d/%d: loss %.4f acc %.3f", st.Epoch, p.epochs, st.Loss, st.Acc)
	if st.ValLoss != 0 || st.ValAcc != 0 {
		line += fmt.Sprintf(" val_loss %.4f val_acc %.3f", st.ValLoss, st.ValAcc)
	}
	p.p.Line("%s (%.1fs)", line, st.Seconds)
}
