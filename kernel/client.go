package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"net"

	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/skybias/skybias/internal/atomicfile"
)

// LocalConnection is a connection for a kernel on this machine: free TCP
// ports on 127.0.0.1 and a random key.
func LocalConnection() (*ConnectionInfo, error) {
	c := &ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: newID(), SignatureScheme: "hmac-sha256"}
	for _, p := range []*int{&c.ShellPort, &c.ControlPort, &c.StdinPort, &c.IOPubPort, &c.HBPort} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("kernel: finding a free port: %w", err)
		}
		*p = l.Addr().(*net.TCPAddr).Port
		defer l.Close() // held until all five differ
	}
	return c, nil
}

// WriteFile writes the connection as a Jupyter connection file.
func (c *ConnectionInfo) WriteFile(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b)
}

// Client is a Jupyter frontend over the wire: what nbclient and papermill
// are to a Python kernel. One goroutine reads each socket, so a reply
// that comes late is never taken by the wrong request.
type Client struct {
	sig                          signer
	session                      string
	shell, control, stdin, iopub zmq4.Socket
	replies                      chan *Message
	pub                          chan *Message
	closed                       chan struct{}
}

// Dial connects to a kernel's shell, control, stdin and iopub sockets.
func Dial(ctx context.Context, conn *ConnectionInfo) (*Client, error) {
	id := zmq4.WithID(zmq4.SocketIdentity("skybias-" + newID()[:8]))
	c := &Client{sig: signer{[]byte(conn.Key)}, session: newID(), replies: make(chan *Message, 16), pub: make(chan *Message, 4096), closed: make(chan struct{}),
		shell: zmq4.NewDealer(ctx, id), control: zmq4.NewDealer(ctx), stdin: zmq4.NewDealer(ctx, id), iopub: zmq4.NewSub(ctx)}
	for _, d := range []struct {
		s    zmq4.Socket
		port int
	}{{c.shell, conn.ShellPort}, {c.control, conn.ControlPort}, {c.stdin, conn.StdinPort}, {c.iopub, conn.IOPubPort}} {
		if err := d.s.Dial(conn.addr(d.port)); err != nil {
			c.Close()
			return nil, fmt.Errorf("kernel client: %w", err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, err
	}
	go c.read(c.shell, c.replies)
	go c.read(c.iopub, c.pub)
	return c, nil
}

func (c *Client) read(sock zmq4.Socket, ch chan *Message) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			return
		}
		m, err := c.sig.decode(raw.Frames)
		if err != nil {
			continue // a badly signed message is not ours
		}
		select {
		case ch <- m:
		case <-c.closed:
			return
		}
	}
}

// Close closes the client's sockets.
func (c *Client) Close() {
	select {
	case <-c.closed:
		return
	default:
	}
	close(c.closed)
	for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub} {
		if s != nil {
			s.Close()
		}
	}
}

func (c *Client) send(sock zmq4.Socket, typ string, content map[string]any) (string, error) {
	m := &Message{Header: Header{MsgID: newID(), Session: c.session, Username: "skybias", MsgType: typ, Version: "5.3",
		Date: time.Now().UTC().Format(time.RFC3339Nano)}, Content: content}
	frames, err := c.sig.encode(m)
	if err != nil {
		return "", err
	}
	return m.Header.MsgID, sock.SendMulti(zmq4.NewMsgFrom(frames...))
}

// WaitReady asks for kernel_info until the kernel answers and its iopub
// subscription is live (a status message arrives), or ctx ends.
func (c *Client) WaitReady(ctx context.Context) error {
	for {
		id, err := c.send(c.shell, "kernel_info_request", map[string]any{})
		if err != nil {
			return err
		}
		tick := time.After(500 * time.Millisecond)
		gotReply, gotStatus := false, false
	wait:
		for {
			select {
			case m := <-c.replies:
				gotReply = gotReply || m.Parent.MsgID == id
			case m := <-c.pub:
				gotStatus = gotStatus || m.Parent.MsgID == id
			case <-tick:
				break wait
			case <-ctx.Done():
				return fmt.Errorf("kernel did not answer: %w", ctx.Err())
			}
			if gotReply && gotStatus {
				return nil
			}
		}
	}
}

// Execution is what one execute_request produced.
type Execution struct {
	// Reply is the execute_reply's content (status, execution_count).
	Reply map[string]any
	// Outputs are the iopub messages of the request in order: stream,
	// display_data, execute_result, error (status and execute_input left
	// out).
	Outputs []*Message
	// Started and Finished are when the request was sent and when its
	// reply came.
	Started, Finished time.Time
}

// Execute runs code and waits for its reply and its outputs up to the
// kernel's idle status. When ctx ends first, the kernel is sent an
// interrupt_request and ctx's error returned.
func (c *Client) Execute(ctx context.Context, code string) (*Execution, error) {
	id, err := c.send(c.shell, "execute_request", map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	if err != nil {
		return nil, fmt.Errorf("kernel client: %w", err)
	}
	ex := &Execution{Started: time.Now().UTC()}
	idle := false
	for ex.Reply == nil || !idle {
		select {
		case m := <-c.replies:
			if m.Parent.MsgID == id {
				ex.Reply, ex.Finished = m.Content, time.Now().UTC()
			}
		case m := <-c.pub:
			if m.Parent.MsgID != id {
				continue
			}
			switch m.Header.MsgType {
			case "status":
				idle = m.Content["execution_state"] == "idle"
			case "stream", "display_data", "update_display_data", "execute_result", "error", "clear_output":
				ex.Outputs = append(ex.Outputs, m)
			}
		case <-ctx.Done():
			c.send(c.control, "interrupt_request", map[string]any{})
			return ex, ctx.Err()
		}
	}
	return ex, nil
}

// Shutdown asks the kernel to stop.
func (c *Client) Shutdown() error {
	_, err := c.send(c.control, "shutdown_request", map[string]any{"restart": false})
	return err
}
