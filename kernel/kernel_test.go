package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// client is a minimal Jupyter frontend over the wire.
type client struct {
	t                     *testing.T
	sig                   signer
	shell, control, stdin zmq4.Socket
	iopub                 zmq4.Socket
	session               string
	pub                   chan *Message
	queues                map[zmq4.Socket]chan *Message
}

// reader feeds a socket's messages into a channel: one receiver per
// socket, so a timed-out wait never steals a later reply.
func (c *client) reader(sock zmq4.Socket) {
	ch := make(chan *Message, 100)
	c.queues[sock] = ch
	go func() {
		for {
			raw, err := sock.Recv()
			if err != nil {
				close(ch)
				return
			}
			m, err := c.sig.decode(raw.Frames)
			if err != nil {
				c.t.Errorf("kernel sent a badly signed message: %v", err)
				continue
			}
			ch <- m
		}
	}()
}

func startKernel(t *testing.T) (*Kernel, *client) {
	t.Helper()
	conn := &ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: freePort(t), ControlPort: freePort(t), StdinPort: freePort(t),
		IOPubPort: freePort(t), HBPort: freePort(t), Key: "test-key-0123", SignatureScheme: "hmac-sha256"}
	ctx := context.Background()
	var logs strings.Builder
	k, err := Start(ctx, conn, &logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	id := zmq4.WithID(zmq4.SocketIdentity("test-client"))
	c := &client{t: t, sig: signer{[]byte(conn.Key)}, session: newID(), pub: make(chan *Message, 1000),
		shell: zmq4.NewDealer(ctx, id), control: zmq4.NewDealer(ctx), stdin: zmq4.NewDealer(ctx, id), iopub: zmq4.NewSub(ctx)}
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{c.shell, conn.ShellPort}, {c.control, conn.ControlPort}, {c.stdin, conn.StdinPort}, {c.iopub, conn.IOPubPort}} {
		if err := d.s.Dial(conn.addr(d.port)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.s.Close() })
	}
	c.queues = map[zmq4.Socket]chan *Message{}
	for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin} {
		c.reader(s)
	}
	c.iopub.SetOption(zmq4.OptionSubscribe, "")
	go func() {
		for {
			raw, err := c.iopub.Recv()
			if err != nil {
				return
			}
			if m, err := c.sig.decode(raw.Frames); err == nil {
				c.pub <- m
			}
		}
	}()
	time.Sleep(200 * time.Millisecond) // let the subscription reach the kernel
	return k, c
}

func (c *client) send(sock zmq4.Socket, typ string, content map[string]any) string {
	m := &Message{Header: Header{MsgID: newID(), Session: c.session, Username: "test", MsgType: typ, Version: "5.3",
		Date: time.Now().UTC().Format(time.RFC3339)}, Content: content}
	frames, err := c.sig.encode(m)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatal(err)
	}
	return m.Header.MsgID
}

func (c *client) recv(sock zmq4.Socket, timeout time.Duration) *Message {
	select {
	case m := <-c.queues[sock]:
		return m
	case <-time.After(timeout):
		return nil
	}
}

// outputs collects iopub messages for a request until its idle status.
func (c *client) outputs(parent string, timeout time.Duration) []*Message {
	var out []*Message
	deadline := time.After(timeout)
	for {
		select {
		case m := <-c.pub:
			if m.Parent.MsgID != parent {
				continue
			}
			if m.Header.MsgType == "status" && m.Content["execution_state"] == "idle" {
				return out
			}
			out = append(out, m)
		case <-deadline:
			c.t.Fatalf("no idle status for %s within %v (got %d messages)", parent, timeout, len(out))
		}
	}
}

// execute runs a cell and returns the reply and the outputs.
func (c *client) execute(code string, allowStdin bool) (*Message, []*Message) {
	id := c.send(c.shell, "execute_request", map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": allowStdin, "stop_on_error": true})
	rep := c.recv(c.shell, 20*time.Second)
	if rep == nil {
		c.t.Fatalf("no execute_reply for %q", code)
	}
	return rep, c.outputs(id, 10*time.Second)
}

func result(outs []*Message) string {
	for _, m := range outs {
		if m.Header.MsgType == "execute_result" {
			d := m.Content["data"].(map[string]any)
			if s, ok := d["text/plain"].(string); ok {
				return s
			}
		}
	}
	return ""
}

func find(outs []*Message, typ string) *Message {
	for _, m := range outs {
		if m.Header.MsgType == typ {
			return m
		}
	}
	return nil
}

func TestKernelOverTheWire(t *testing.T) {
	k, c := startKernel(t)
	_ = k
	t.Run("kernel_info", func(t *testing.T) {
		c.send(c.shell, "kernel_info_request", map[string]any{})
		rep := c.recv(c.shell, 5*time.Second)
		if rep == nil || rep.Content["implementation"] != "skybias" || rep.Content["language_info"].(map[string]any)["name"] != "go" {
			t.Fatalf("kernel_info_reply: %+v", rep)
		}
	})
	t.Run("state across cells", func(t *testing.T) {
		if rep, _ := c.execute("x := 41", false); rep.Content["status"] != "ok" {
			t.Fatalf("%+v", rep.Content)
		}
		if _, outs := c.execute("x + 1", false); result(outs) != "42" {
			t.Fatalf("x + 1 = %q", result(outs))
		}
	})
	t.Run("imports first, twice", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			_, outs := c.execute("import (\n\t\"fmt\"\n\t\"strings\"\n)\nimport \"github.com/skybias/skybias/stats\"\nstrings.ToUpper(\"ab\") + fmt.Sprint(stats.McNemar(0, 0).P)", false)
			if result(outs) != "AB1" {
				t.Fatalf("run %d: %q (%v)", i, result(outs), outs)
			}
		}
	})
	t.Run("stream", func(t *testing.T) {
		_, outs := c.execute("import \"fmt\"\nfmt.Println(\"hello from a cell\")", false)
		s := find(outs, "stream")
		if s == nil || s.Content["name"] != "stdout" || s.Content["text"] != "hello from a cell\n" {
			t.Fatalf("stream: %+v", outs)
		}
	})
	t.Run("error names the line", func(t *testing.T) {
		rep, outs := c.execute("y := 1\nz := undefinedThing + y", false)
		e := find(outs, "error")
		if rep.Content["status"] != "error" || e == nil || !strings.Contains(fmt.Sprint(e.Content["evalue"]), "cell line 2") {
			t.Fatalf("reply %+v, error %+v", rep.Content, e)
		}
	})
	t.Run("panic does not kill the kernel", func(t *testing.T) {
		_, outs := c.execute(`panic("boom")`, false)
		if e := find(outs, "error"); e == nil || e.Content["ename"] != "panic" || !strings.Contains(fmt.Sprint(e.Content["evalue"]), "boom") {
			t.Fatalf("panic output: %+v", outs)
		}
		if _, outs := c.execute("x * 2", false); result(outs) != "82" {
			t.Fatalf("after the panic: %q", result(outs))
		}
	})
	t.Run("complete", func(t *testing.T) {
		c.execute("xyzzy := 3", false)
		for _, tc := range []struct {
			code, want string
		}{{"strings.ToU", "ToUpper"}, {"xyz", "xyzzy"}, {"stats.McN", "McNemar"}, {"%r", "%run"}} {
			c.send(c.shell, "complete_request", map[string]any{"code": tc.code, "cursor_pos": len(tc.code)})
			rep := c.recv(c.shell, 5*time.Second)
			ms := fmt.Sprint(rep.Content["matches"])
			if !strings.Contains(ms, tc.want) {
				t.Errorf("complete %q: %s, want %s", tc.code, ms, tc.want)
			}
		}
	})
	t.Run("inspect", func(t *testing.T) {
		code := "stats.McNemar(1, 2)"
		c.send(c.shell, "inspect_request", map[string]any{"code": code, "cursor_pos": 8, "detail_level": 0})
		rep := c.recv(c.shell, 5*time.Second)
		d, _ := rep.Content["data"].(map[string]any)
		if rep.Content["found"] != true || !strings.Contains(fmt.Sprint(d["text/plain"]), "McNemar runs the exact test") {
			t.Fatalf("inspect: %+v", rep.Content)
		}
	})
	t.Run("display", func(t *testing.T) {
		_, outs := c.execute(`display.Markdown("**bold**")`, false)
		r := find(outs, "execute_result")
		if r == nil || r.Content["data"].(map[string]any)["text/markdown"] != "**bold**" {
			t.Fatalf("markdown: %+v", outs)
		}
		_, outs = c.execute("display.Display(display.PNG([]byte{0x89, 'P', 'N', 'G'}))", false)
		if d := find(outs, "display_data"); d == nil || d.Content["data"].(map[string]any)["image/png"] == nil {
			t.Fatalf("png: %+v", outs)
		}
		_, outs = c.execute("%help", false)
		if d := find(outs, "display_data"); d == nil || !strings.Contains(fmt.Sprint(d.Content["data"]), "%run") {
			t.Fatalf("%%help: %+v", outs)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		id := c.send(c.shell, "execute_request", map[string]any{"code": "var answer string\nfmt.Scanln(&answer)\nanswer + \"!\"", "allow_stdin": true})
		req := c.recv(c.stdin, 10*time.Second)
		if req == nil || req.Header.MsgType != "input_request" {
			t.Fatalf("no input_request: %+v", req)
		}
		c.send(c.stdin, "input_reply", map[string]any{"value": "galaxy"})
		c.recv(c.shell, 10*time.Second)
		if got := result(c.outputs(id, 10*time.Second)); got != "galaxy!" {
			t.Fatalf("stdin result %q", got)
		}
	})
	t.Run("interrupt a long cell", func(t *testing.T) {
		id := c.send(c.shell, "execute_request", map[string]any{"code": "import \"time\"\nnb.Sleep(60 * time.Second)\n\"finished\""})
		time.Sleep(500 * time.Millisecond)
		t0 := time.Now()
		c.send(c.control, "interrupt_request", map[string]any{})
		if rep := c.recv(c.control, 5*time.Second); rep == nil || rep.Header.MsgType != "interrupt_reply" {
			t.Fatalf("interrupt_reply: %+v", rep)
		}
		rep := c.recv(c.shell, 10*time.Second)
		if rep == nil || rep.Content["status"] != "error" || rep.Content["ename"] != "interrupted" {
			t.Fatalf("interrupted cell replied %+v", rep)
		}
		c.outputs(id, 5*time.Second)
		if d := time.Since(t0); d > 5*time.Second {
			t.Fatalf("interrupt took %v", d)
		}
		if _, outs := c.execute("x", false); result(outs) != "41" {
			t.Fatalf("after interrupt: %q", result(outs))
		}
	})
	t.Run("bad signature is dropped", func(t *testing.T) {
		bad := client{t: t, sig: signer{[]byte("wrong-key")}, session: "x"}
		bad.send(c.shell, "execute_request", map[string]any{"code": "x = 1000"})
		if rep := c.recv(c.shell, 700*time.Millisecond); rep != nil {
			t.Fatalf("the kernel answered a badly signed message: %+v", rep.Content)
		}
		if _, outs := c.execute("x", false); result(outs) != "41" {
			t.Fatalf("a badly signed cell ran: x = %q", result(outs))
		}
	})
	t.Run("history and comm_info", func(t *testing.T) {
		c.send(c.shell, "history_request", map[string]any{"output": false, "raw": true, "hist_access_type": "tail", "n": 100})
		rep := c.recv(c.shell, 5*time.Second)
		if h, _ := rep.Content["history"].([]any); len(h) < 5 {
			t.Fatalf("history: %+v", rep.Content)
		}
		c.send(c.shell, "comm_info_request", map[string]any{})
		if rep := c.recv(c.shell, 5*time.Second); rep.Content["status"] != "ok" {
			t.Fatalf("comm_info: %+v", rep.Content)
		}
	})
	t.Run("is_complete", func(t *testing.T) {
		for code, want := range map[string]string{"x := 1": "complete", "for {": "incomplete", "x := )": "invalid"} {
			c.send(c.shell, "is_complete_request", map[string]any{"code": code})
			if rep := c.recv(c.shell, 5*time.Second); rep.Content["status"] != want {
				t.Errorf("is_complete(%q) = %v, want %s", code, rep.Content["status"], want)
			}
		}
	})
	t.Run("shutdown", func(t *testing.T) {
		c.send(c.control, "shutdown_request", map[string]any{"restart": false})
		if rep := c.recv(c.control, 5*time.Second); rep == nil || rep.Header.MsgType != "shutdown_reply" {
			t.Fatalf("shutdown_reply: %+v", rep)
		}
		select {
		case <-k.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the kernel did not stop")
		}
	})
}

func TestConnectionFile(t *testing.T) {
	dir := t.TempDir()
	good := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5, Key: "k", SignatureScheme: "hmac-sha256"}
	b, _ := json.Marshal(good)
	p := filepath.Join(dir, "c.json")
	os.WriteFile(p, b, 0o644)
	if _, err := ReadConnectionFile(p); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.SignatureScheme = "hmac-md5"
	b, _ = json.Marshal(bad)
	os.WriteFile(p, b, 0o644)
	if _, err := ReadConnectionFile(p); err == nil || !strings.Contains(err.Error(), "hmac-md5") {
		t.Fatalf("md5 accepted: %v", err)
	}
}

func TestSplitImports(t *testing.T) {
	specs, rest, off, err := splitImports("// c\nimport \"fmt\"\nimport (\n  s \"strings\"\n  \"os\" // x\n)\nfmt.Println(1)\n")
	if err != nil || len(specs) != 3 || specs[1] != [2]string{"s", "strings"} || off != 6 || strings.TrimSpace(rest) != "fmt.Println(1)" {
		t.Fatalf("%v %q %d %v", specs, rest, off, err)
	}
}

func TestBlocksKeepTheirVariables(t *testing.T) {
	s, err := NewSession(strings.NewReader(""), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cells := []string{
		"total := 0\nfor i := 0; i < 3; i++ {\n\tsq := i * i\n\ttotal += sq\n}",
		"ok := true\nif ok {\n\tmsg := \"yes\"\n\ttotal += len(msg)\n} else {\n\tother := 1\n\ttotal += other\n}",
		"for _, w := range []string{\"a\", \"bb\"} {\n\tn := len(w)\n\ttotal += n\n}\ntotal",
	}
	var v reflect.Value
	for _, c := range cells {
		if v, err = s.Execute(ctx, c); err != nil {
			t.Fatalf("%q: %v", c, err)
		}
	}
	if fmt.Sprint(v.Interface()) != "11" {
		t.Fatalf("total = %v, want 0+1+4+3+1+2 = 11", v)
	}
	if _, err := s.Execute(ctx, "x := 1\nif x > 0 {\n\ty := undefinedName\n}"); err == nil || !strings.Contains(err.Error(), "cell line 3") {
		t.Fatalf("error inside a block: %v", err)
	}
}
