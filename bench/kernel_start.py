"""Times a kernel process from launch to its first heartbeat reply (the
kernel's own start, without jupyter_client's polling). Usage:
kernel_start.py ROUNDS COMMAND... (the command gets the connection file
appended). Prints the median in milliseconds."""
import json, os, socket, subprocess, sys, tempfile, time
import zmq

def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

rounds, cmd = int(sys.argv[1]), sys.argv[2:]
ctx, times = zmq.Context(), []
for _ in range(rounds):
    conn = {"transport": "tcp", "ip": "127.0.0.1", "shell_port": port(), "control_port": port(), "stdin_port": port(),
            "iopub_port": port(), "hb_port": port(), "key": "k", "signature_scheme": "hmac-sha256"}
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False); json.dump(conn, f); f.close()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd + [f.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = ctx.socket(zmq.REQ); s.setsockopt(zmq.LINGER, 0); s.setsockopt(zmq.RECONNECT_IVL, 1)
    s.connect("tcp://127.0.0.1:%d" % conn["hb_port"]); s.send(b"ping")
    while not s.poll(1):
        pass
    s.recv()
    times.append((time.perf_counter() - t0) * 1000)
    s.close(); p.kill(); p.wait(); os.unlink(f.name)
print(sorted(times)[len(times) // 2])
