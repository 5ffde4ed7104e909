package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/skybias/skybias/kernel/display"
)

// Version is the kernel's implementation version.
const Version = "0.1.0"

// Kernel is a running skybias kernel.
type Kernel struct {
	conn    *ConnectionInfo
	sig     signer
	session string
	logger  *log.Logger

	shell, control, stdin, iopub, hb zmq4.Socket
	pubMu                            sync.Mutex

	sess    *Session
	count   int
	history [][3]any // session, execution count, code

	runMu  sync.Mutex
	cancel context.CancelFunc
	parent *Message // the request being executed (for outputs)

	inputs     chan string
	allowStdin bool

	done chan struct{}
	once sync.Once
}

// Run starts a kernel on a connection file and serves until a shutdown
// request or ctx ends. Log lines (dropped messages, errors) go to logw.
func Run(ctx context.Context, connFile string, logw io.Writer) error {
	conn, err := ReadConnectionFile(connFile)
	if err != nil {
		return err
	}
	k, err := Start(ctx, conn, logw)
	if err != nil {
		return err
	}
	select {
	case <-k.done:
	case <-ctx.Done():
	}
	k.Close()
	return nil
}

// Start binds the kernel's sockets to the connection's address and
// starts serving; Close stops it.
func Start(ctx context.Context, conn *ConnectionInfo, logw io.Writer) (*Kernel, error) {
	k := &Kernel{conn: conn, sig: signer{[]byte(conn.Key)}, session: newID(), logger: log.New(logw, "skybias kernel: ", log.LstdFlags),
		inputs: make(chan string, 1), done: make(chan struct{})}
	k.shell, k.control, k.stdin = zmq4.NewRouter(ctx), zmq4.NewRouter(ctx), zmq4.NewRouter(ctx)
	k.iopub, k.hb = zmq4.NewPub(ctx), zmq4.NewRep(ctx)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{k.shell, conn.ShellPort}, {k.control, conn.ControlPort}, {k.stdin, conn.StdinPort}, {k.iopub, conn.IOPubPort}, {k.hb, conn.HBPort}} {
		if err := s.sock.Listen(conn.addr(s.port)); err != nil {
			k.Close()
			return nil, fmt.Errorf("kernel: listening on %s: %w", conn.addr(s.port), err)
		}
	}
	sess, err := NewSession(&stdinReader{k: k}, &streamWriter{k: k, name: "stdout"}, &streamWriter{k: k, name: "stderr"})
	if err != nil {
		k.Close()
		return nil, fmt.Errorf("kernel: interpreter: %w", err)
	}
	k.sess = sess
	display.SetPublisher(k.publishDisplay)
	go k.serve(k.shell, k.handleShell)
	go k.serve(k.control, k.handleControl)
	go k.serveStdin()
	go k.heartbeat()
	return k, nil
}

// Close stops the kernel and releases its sockets.
func (k *Kernel) Close() {
	k.once.Do(func() {
		close(k.done)
		for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
			if s != nil {
				s.Close()
			}
		}
	})
}

// Done is closed when the kernel has stopped.
func (k *Kernel) Done() <-chan struct{} { return k.done }

func (k *Kernel) stopped() bool {
	select {
	case <-k.done:
		return true
	default:
		return false
	}
}

func (k *Kernel) heartbeat() {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			return
		}
		if err := k.hb.Send(msg); err != nil {
			return
		}
	}
}

// serve reads messages from a ROUTER socket, dropping (and logging) any
// whose signature is wrong.
func (k *Kernel) serve(sock zmq4.Socket, handle func(*Message, zmq4.Socket)) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			if !k.stopped() {
				k.logger.Printf("receive: %v", err)
			}
			return
		}
		m, err := k.sig.decode(raw.Frames)
		if err != nil {
			k.logger.Printf("dropped a message: %v", err)
			continue
		}
		handle(m, sock)
	}
}

func (k *Kernel) send(sock zmq4.Socket, m *Message) {
	frames, err := k.sig.encode(m)
	if err != nil {
		k.logger.Printf("encode %s: %v", m.Header.MsgType, err)
		return
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil && !k.stopped() {
		k.logger.Printf("send %s: %v", m.Header.MsgType, err)
	}
}

// publish sends a message on iopub in answer to parent.
func (k *Kernel) publish(parent *Message, msgType string, content map[string]any) {
	m := reply(parent, k.session, msgType, content)
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	k.pubMu.Lock()
	defer k.pubMu.Unlock()
	k.send(k.iopub, m)
}

func (k *Kernel) status(parent *Message, state string) {
	k.publish(parent, "status", map[string]any{"execution_state": state})
}

func (k *Kernel) current() *Message {
	k.runMu.Lock()
	defer k.runMu.Unlock()
	return k.parent
}

// publishDisplay sends a display_data for the running cell.
func (k *Kernel) publishDisplay(d display.Data) error {
	p := k.current()
	if p == nil {
		return errors.New("display: no cell is running")
	}
	k.publish(p, "display_data", map[string]any{"data": d.Data, "metadata": d.Metadata, "transient": map[string]any{}})
	return nil
}

func (k *Kernel) handleControl(m *Message, sock zmq4.Socket) {
	switch m.Header.MsgType {
	case "interrupt_request":
		k.runMu.Lock()
		if k.cancel != nil {
			k.cancel()
		}
		k.runMu.Unlock()
		k.send(sock, reply(m, k.session, "interrupt_reply", map[string]any{"status": "ok"}))
	default:
		k.handleShell(m, sock)
	}
}

func (k *Kernel) handleShell(m *Message, sock zmq4.Socket) {
	k.status(m, "busy")
	defer k.status(m, "idle")
	c := m.Content
	var content map[string]any
	typ := strings.TrimSuffix(m.Header.MsgType, "_request") + "_reply"
	switch m.Header.MsgType {
	case "kernel_info_request":
		content = map[string]any{
			"status": "ok", "protocol_version": "5.3", "implementation": "skybias", "implementation_version": Version,
			"language_info": map[string]any{"name": "go", "version": runtime.Version(), "mimetype": "text/x-go", "file_extension": ".go"},
			"banner":        "skybias (Go, on yaegi): does your galaxy classifier learn the sky? %help for magics",
			"help_links":    []any{map[string]any{"text": "skybias magics: %help", "url": "https://pkg.go.dev/github.com/skybias/skybias"}},
		}
	case "execute_request":
		content = k.execute(m)
	case "is_complete_request":
		content = isComplete(str(c["code"]))
	case "complete_request":
		content = k.complete(str(c["code"]), num(c["cursor_pos"]))
	case "inspect_request":
		content = k.inspect(str(c["code"]), num(c["cursor_pos"]))
	case "history_request":
		h := make([]any, 0, len(k.history))
		for _, e := range k.history {
			h = append(h, []any{e[0], e[1], e[2]})
		}
		content = map[string]any{"status": "ok", "history": h}
	case "comm_info_request":
		content = map[string]any{"status": "ok", "comms": map[string]any{}}
	case "comm_open", "comm_msg", "comm_close":
		return // no comms: ignored, as the protocol allows
	case "shutdown_request":
		restart, _ := c["restart"].(bool)
		k.send(sock, reply(m, k.session, "shutdown_reply", map[string]any{"status": "ok", "restart": restart}))
		go func() {
			time.Sleep(50 * time.Millisecond)
			k.Close()
		}()
		return
	default:
		k.logger.Printf("unhandled message type %s", m.Header.MsgType)
		return
	}
	k.send(sock, reply(m, k.session, typ, content))
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// execute runs an execute_request, publishing its outputs.
func (k *Kernel) execute(m *Message) map[string]any {
	code := str(m.Content["code"])
	silent, _ := m.Content["silent"].(bool)
	store, ok := m.Content["store_history"].(bool)
	if !ok {
		store = !silent
	}
	allow, _ := m.Content["allow_stdin"].(bool)
	if !silent {
		k.count++
	}
	n := k.count
	if store {
		k.history = append(k.history, [3]any{0, n, code})
	}
	k.publish(m, "execute_input", map[string]any{"code": code, "execution_count": n})
	ctx, cancel := context.WithCancel(context.Background())
	k.runMu.Lock()
	k.cancel, k.parent, k.allowStdin = cancel, m, allow
	k.runMu.Unlock()
	defer func() {
		k.runMu.Lock()
		k.cancel, k.parent = nil, nil
		k.runMu.Unlock()
		cancel()
	}()
	val, err := k.runCell(ctx, code)
	if err != nil {
		ename, evalue := "error", err.Error()
		var ce *CellError
		tb := []any{evalue}
		if errors.As(err, &ce) {
			ename = ce.Name
			if ce.Stack != "" {
				tb = append(tb, ce.Stack)
			}
		}
		k.publish(m, "error", map[string]any{"ename": ename, "evalue": evalue, "traceback": tb})
		return map[string]any{"status": "error", "execution_count": n, "ename": ename, "evalue": evalue, "traceback": tb}
	}
	if val.IsValid() && !silent {
		if d, ok := bundleOf(val); ok {
			k.publish(m, "execute_result", map[string]any{"execution_count": n, "data": d.Data, "metadata": d.Metadata})
		}
	}
	return map[string]any{"status": "ok", "execution_count": n, "payload": []any{}, "user_expressions": map[string]any{}}
}

// bundleOf turns a cell's value into what it shows: rich output for
// display.Data and figures, else its text.
func bundleOf(v reflect.Value) (display.Data, bool) {
	if !v.CanInterface() {
		return display.Data{}, false
	}
	x := v.Interface()
	if x == nil {
		return display.Data{}, false
	}
	if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return display.Data{}, false // a figure not made (say, no data): nothing to show
	}
	if d, ok := display.Auto(x); ok {
		return d, true
	}
	return display.Text(fmt.Sprintf("%+v", x)), true
}

// runCell runs magics or Go.
func (k *Kernel) runCell(ctx context.Context, code string) (reflect.Value, error) {
	trimmed := strings.TrimSpace(code)
	if strings.HasPrefix(trimmed, "%") {
		return reflect.Value{}, k.magic(ctx, trimmed)
	}
	return k.sess.Execute(ctx, code)
}

// streamWriter publishes what a cell prints as stream messages.
type streamWriter struct {
	k    *Kernel
	name string
}

func (w *streamWriter) Write(b []byte) (int, error) {
	p := w.k.current()
	if p == nil {
		return len(b), nil
	}
	w.k.publish(p, "stream", map[string]any{"name": w.name, "text": string(b)})
	return len(b), nil
}

// stdinReader asks the frontend for a line (input_request) when a cell
// reads standard input, if the request allowed it.
type stdinReader struct {
	k   *Kernel
	buf []byte
}

func (r *stdinReader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		line, err := r.k.requestInput("")
		if err != nil {
			return 0, err
		}
		r.buf = []byte(line + "\n")
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// requestInput sends an input_request to the frontend that sent the
// running execute_request and waits for its reply.
func (k *Kernel) requestInput(prompt string) (string, error) {
	k.runMu.Lock()
	p, allow, cancel := k.parent, k.allowStdin, k.cancel
	k.runMu.Unlock()
	if p == nil || !allow || cancel == nil {
		return "", io.EOF
	}
	req := reply(p, k.session, "input_request", map[string]any{"prompt": prompt, "password": false})
	req.Identities = p.Identities
	k.send(k.stdin, req)
	select {
	case v := <-k.inputs:
		return v, nil
	case <-k.done:
		return "", io.EOF
	}
}

func (k *Kernel) serveStdin() {
	k.serve(k.stdin, func(m *Message, _ zmq4.Socket) {
		if m.Header.MsgType == "input_reply" {
			select {
			case k.inputs <- str(m.Content["value"]):
			default:
			}
		}
	})
}
