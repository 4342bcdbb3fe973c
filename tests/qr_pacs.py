"""A real Query/Retrieve SCP for tests: dcmtk's dcmqrscp on a free loopback port.

Its configuration is written in the test's folder, with Kerma's listener (for C-MOVE) in its
host table, and files are loaded into it with dcmtk's storescu, as a modality would send them.
"""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PACS_AE = "PACS"

CONFIG = """\
NetworkTCPPort = {port}
MaxPDUSize = 16384
MaxAssociations = 16

HostTable BEGIN
kerma = ({kerma_ae}, 127.0.0.1, {kerma_port})
HostTable END

VendorTable BEGIN
VendorTable END

AETable BEGIN
{ae} {storage} RW (10000, 1024mb) ANY
AETable END
"""


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def have_dcmtk() -> bool:
    """Whether dcmqrscp and storescu are installed."""
    return bool(shutil.which("dcmqrscp") and shutil.which("storescu"))


class DcmQrScp:
    """A running dcmqrscp holding what ``load`` sent it."""

    def __init__(self, folder: Path, kerma_port: int = 11112, kerma_ae: str = "KERMA"):
        self.folder = Path(folder)
        self.storage = self.folder / "archive"
        self.storage.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.ae_title = PACS_AE
        self.config = self.folder / "dcmqrscp.cfg"
        self.config.write_text(CONFIG.format(port=self.port, kerma_ae=kerma_ae,
                                             kerma_port=kerma_port, ae=PACS_AE,
                                             storage=self.storage))
        self.log = open(self.folder / "dcmqrscp.log", "wb")
        self.process = None

    def start(self):
        """Start the archive and wait until it accepts connections."""
        self.process = subprocess.Popen(["dcmqrscp", "-c", str(self.config), str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("dcmqrscp stopped: " +
                                       (self.folder / "dcmqrscp.log").read_text())
                time.sleep(0.05)
        raise RuntimeError("dcmqrscp did not start listening")

    def load(self, *paths):
        """Send files (or folders of files) to the archive with storescu."""
        files = []
        for path in paths:
            path = Path(path)
            files += sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for start in range(0, len(files), 200):
            subprocess.run(["storescu", "-aec", PACS_AE, "-aet", "LOADER", "127.0.0.1",
                            str(self.port), *map(str, files[start:start + 200])],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        """Stop the archive and the processes it forked for associations."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
