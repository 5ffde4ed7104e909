package kernel

import (
	"context"
	"io"
	"testing"
	"time"
)

// BenchmarkStart measures the kernel's own start: reading nothing but the
// connection info, binding its five sockets, starting the interpreter with
// the project's packages, and answering. bench/kernel measures the start
// as Jupyter sees it (process launch and client polling included).
func BenchmarkStart(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		conn := &ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: freePort(b), ControlPort: freePort(b), StdinPort: freePort(b),
			IOPubPort: freePort(b), HBPort: freePort(b), Key: "k"}
		t0 := time.Now()
		k, err := Start(context.Background(), conn, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
		k.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/start")
}
