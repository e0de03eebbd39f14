"""A local SMTP server for the mail tests (aiosmtpd).

    smtp_sink.py PORT DIR REFUSE

Listens on 127.0.0.1:PORT. The first REFUSE messages are answered
"451 4.3.0" (a temporary failure, as a relay under load answers); every
later one is accepted and written to DIR as NNNN.eml, the message as
received, and NNNN.json, what a reader sees: the envelope recipients, the
From, To, Subject and Message-ID headers, and the text body, decoded by
Python's email package. Prints "ready" once listening, and runs until
killed.
"""

import email
import email.policy
import itertools
import json
import pathlib
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out: pathlib.Path, refuse: int):
        self.out = out
        self.refuse = refuse
        self.count = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            n = next(self.count)
        name = f"{n:04}"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        seen = {
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "content_type": message.get_content_type(),
            "body": message.get_content(),
        }
        (self.out / f"{name}.eml").write_bytes(envelope.original_content)
        tmp = self.out / f".{name}.tmp"
        tmp.write_text(json.dumps(seen))
        tmp.rename(self.out / f"{name}.json")
        return "250 2.0.0 OK"


def main() -> None:
    port, out, refuse = int(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(out, refuse), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
