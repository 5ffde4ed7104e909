package cnn

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a one-line progress bar: epoch, batch, running loss and
// accuracy, images per second and time left. A nil writer draws nothing;
// callers pass one only when it is a terminal.
type progress struct {
	w               io.Writer
	epochs, batches int
	start, epoch0   time.Time
	last            time.Time
	curEpoch        int
}

func newProgress(w io.Writer, epochs, batches int) *progress {
	now := time.Now()
	return &progress{w: w, epochs: epochs, batches: batches, start: now, epoch0: now}
}

func (p *progress) update(epoch, batch int, loss, acc float64, seen int) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if epoch != p.curEpoch {
		p.curEpoch, p.epoch0 = epoch, now
	}
	if now.Sub(p.last) < 200*time.Millisecond && batch != p.batches {
		return
	}
	p.last = now
	done := float64((epoch-1)*p.batches+batch) / float64(p.epochs*p.batches)
	eta := time.Duration(float64(now.Sub(p.start)) * (1 - done) / max(done, 1e-9)).Round(time.Second)
	rate := float64(seen) / max(now.Sub(p.epoch0).Seconds(), 1e-9)
	const width = 24
	fill := int(done * width)
	fmt.Fprintf(p.w, "\r[%s%s] epoch %d/%d batch %d/%d loss %.4f acc %.3f %.0f img/s ETA %s ",
		strings.Repeat("=", fill), strings.Repeat(" ", width-fill), epoch, p.epochs, batch, p.batches, loss, acc, rate, eta)
}

func (p *progress) epochDone(st EpochStats) {
	if p.w == nil {
		return
	}
	line := fmt.Sprintf("\repoch %d/%d: loss %.4f acc %.3f", st.Epoch, p.epochs, st.Loss, st.Acc)
	if st.ValLoss != 0 || st.ValAcc != 0 {
		line += fmt.Sprintf(" val_loss %.4f val_acc %.3f", st.ValLoss, st.ValAcc)
	}
	fmt.Fprintf(p.w, "%s (%.1fs)%s\n", line, st.Seconds, strings.Repeat(" ", 30))
}
