"""Measures a Jupyter kernel through jupyter_client: the time from starting
the kernel to its first kernel_info reply, and the round trip of a trivial
cell (execute_request to execute_reply), median and 90th percentile over
many cells. Prints one JSON line. Usage: kernel_bench.py KERNEL_NAME [CELLS]"""
import json, statistics, sys, time
from jupyter_client.manager import KernelManager

name = sys.argv[1]
cells = int(sys.argv[2]) if len(sys.argv) > 2 else 200
code = {"skybias": "1 + 1", "python3": "1 + 1"}.get(name, "1 + 1")

t0 = time.perf_counter()
km = KernelManager(kernel_name=name)
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
start_ms = (time.perf_counter() - t0) * 1000
times = []
try:
    for i in range(cells + 10):
        t = time.perf_counter()
        msg_id = kc.execute(code, store_history=False)
        while True:
            reply = kc.get_shell_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if i >= 10:
            times.append((time.perf_counter() - t) * 1000)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
times.sort()
print(json.dumps({"kernel": name, "start_ms": start_ms, "cell_median_ms": statistics.median(times),
                  "cell_p90_ms": times[int(0.9 * len(times))], "cells": len(times)}))
