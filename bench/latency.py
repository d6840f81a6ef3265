#!/usr/bin/env python3
"""latency.py - time from sendmail's exit to the message in the mbox.

usage: latency.py SENDMAIL-COMMAND MBOX RCPT N

SENDMAIL-COMMAND is split on white space (e.g. "build/bin/sendmail -c DIR
-i").  Each message carries a unique marker line; after sendmail exits the
mbox is polled (new bytes only) until the marker shows.  Prints the
median, p90 and max in milliseconds.
"""
import os
import subprocess
import sys
import time


def main():
    cmd, mbox, rcpt, n = sys.argv[1].split(), sys.argv[2], sys.argv[3], int(sys.argv[4])
    body = "x" * 76 + "\n"
    lat = []
    for i in range(n):
        marker = "latency-marker-%d-%d" % (os.getpid(), i)
        msg = "Subject: latency %d\n\n%s%s\n" % (i, body * 25, marker)
        try:
            off = os.path.getsize(mbox)
        except FileNotFoundError:
            off = 0
        subprocess.run(cmd + [rcpt], input=msg.encode(), check=True)
        t0 = time.perf_counter()
        deadline = t0 + 30
        seen = b""
        while True:
            try:
                with open(mbox, "rb") as f:
                    f.seek(off)
                    seen += f.read()
                    off = f.tell()
            except FileNotFoundError:
                pass
            if marker.encode() in seen[-4096:] or marker.encode() in seen:
                break
            if time.perf_counter() > deadline:
                sys.exit("latency.py: message %d never arrived" % i)
            time.sleep(0.0001)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    print("latency n=%d median=%.2fms p90=%.2fms max=%.2fms" % (
        n, lat[n // 2], lat[int(n * 0.9)], lat[-1]))


if __name__ == "__main__":
    main()
