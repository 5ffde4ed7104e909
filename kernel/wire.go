package kernel

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/skybias/skybias/internal/input"
	"time"
)

// ConnectionInfo is a Jupyter connection file.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
}

// ReadConnectionFile reads and checks a connection file.
func ReadConnectionFile(path string) (*ConnectionInfo, error) {
	b, err := input.ReadFile(path, input.SmallFile)
	if err != nil {
		return nil, fmt.Errorf("connection file: %w", err)
	}
	var c ConnectionInfo
	if err := input.DecodeJSON(b, &c, false); err != nil {
		return nil, fmt.Errorf("connection file %s (from Jupyter): %w", path, err)
	}
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.SignatureScheme != "" && c.SignatureScheme != "hmac-sha256" {
		return nil, fmt.Errorf("connection file %s: signature scheme %q is not supported (want hmac-sha256)", path, c.SignatureScheme)
	}
	if c.IP == "" || c.ShellPort == 0 || c.IOPubPort == 0 || c.ControlPort == 0 || c.StdinPort == 0 || c.HBPort == 0 {
		return nil, fmt.Errorf("connection file %s: ip and all five ports are required", path)
	}
	return &c, nil
}

func (c *ConnectionInfo) addr(port int) string {
	return fmt.Sprintf("%s://%s:%d", c.Transport, c.IP, port)
}

// Header is a message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is a Jupyter message with the routing identities it came with.
type Message struct {
	Identities [][]byte
	Header     Header
	Parent     Header
	Metadata   map[string]any
	Content    map[string]any
}

const delimiter = "<IDS|MSG>"

// ErrSignature marks a message whose HMAC does not match.
var ErrSignature = errors.New("bad message signature")

// signer computes and checks HMAC-SHA256 signatures.
type signer struct{ key []byte }

func (s signer) sign(parts ...[]byte) string {
	if len(s.key) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write(p)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// decode parses wire frames into a message, verifying the signature.
func (s signer) decode(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if i == len(frames) || len(frames) < i+6 {
		return nil, errors.New("malformed message: no delimiter or too few frames")
	}
	sig, h, p, md, c := frames[i+1], frames[i+2], frames[i+3], frames[i+4], frames[i+5]
	if want := s.sign(h, p, md, c); !hmac.Equal([]byte(want), sig) {
		return nil, ErrSignature
	}
	m := &Message{Identities: frames[:i]}
	if err := json.Unmarshal(h, &m.Header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	json.Unmarshal(p, &m.Parent)
	json.Unmarshal(md, &m.Metadata)
	if err := json.Unmarshal(c, &m.Content); err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	return m, nil
}

// encode turns a message into signed wire frames.
func (s signer) encode(m *Message) ([][]byte, error) {
	h, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	var p []byte
	if m.Parent.MsgID == "" {
		p = []byte("{}")
	} else if p, err = json.Marshal(m.Parent); err != nil {
		return nil, err
	}
	if m.Metadata == nil {
		m.Metadata = map[string]any{}
	}
	md, _ := json.Marshal(m.Metadata)
	c, err := json.Marshal(m.Content)
	if err != nil {
		return nil, err
	}
	frames := append([][]byte{}, m.Identities...)
	return append(frames, []byte(delimiter), []byte(s.sign(h, p, md, c)), h, p, md, c), nil
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// reply makes a message answering parent.
func reply(parent *Message, session, msgType string, content map[string]any) *Message {
	return &Message{
		Identities: parent.Identities,
		Header: Header{MsgID: newID(), Session: session, Username: "kernel", Date: time.Now().UTC().Format(time.RFC3339Nano),
			MsgType: msgType, Version: "5.3"},
		Parent:  parent.Header,
		Content: content,
	}
}
