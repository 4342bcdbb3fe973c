"""A zip package (an xlsx file) whose large parts are compressed while they are written.

A ``Compressor`` thread deflates each chunk of a part as it is handed over, so compression
runs on the second core while the rows of the next study are formatted (zlib releases the
interpreter lock while it works). A part keeps its deflate stream while it is among the most
recently written; a part pushed out ends its stream with a sync flush and starts a new one
when it is written again: raw deflate streams ended that way join into one valid stream, as
parallel gzip tools use. Memory holds a bounded number of streams however many parts there
are. A part's CRC-32 is carried over its chunks; ``ZipWriter`` then writes the part's
head and tail around the compressed chunks and records the sizes, with ZIP64 records when a
part or the file passes 4 GiB.
"""
import os
import struct
import tempfile
import zlib
from collections import OrderedDict
from queue import Queue
from threading import Thread

LEVEL = 1  # fastest deflate: an export is read once, speed matters more than size
OPEN_PARTS = 32  # parts with an open file and deflate stream at once (about 300 kB each)
_ZIP64_LIMIT = 0xFFFFFFFF
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, as xlsxwriter stamps parts
_DONE = object()


def deflate(data: bytes, final: bool) -> bytes:
    """``data`` as a raw deflate stream; ``final`` ends the whole stream, else a sync flush
    leaves it open for more streams to follow."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from the CRC-32 of A, of B and the length of B (zlib's method:
    shifting CRC-1 over ``length2`` zero bytes with GF(2) matrix powers)."""
    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _square(odd)  # two zero bits
    odd = _square(even)  # four zero bits
    while True:
        even = _square(odd)  # first pass: one zero byte
        if length2 & 1:
            crc1 = _times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _square(even)
        if length2 & 1:
            crc1 = _times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _times(matrix, vector):
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _square(matrix):
    return [_times(matrix, row) for row in matrix]


class CompressedPart:
    """A package part compressed chunk by chunk into a temporary file."""

    def __init__(self, tmpdir=None):
        fd, self.path = tempfile.mkstemp(prefix="kerma-part-", suffix=".deflate", dir=tmpdir)
        os.close(fd)
        self.crc = 0
        self.size = 0
        self.compressed_size = 0
        self.file = None
        self.stream = None

    def close_stream(self):
        """End the current deflate stream with a sync flush and close the file."""
        if self.stream is not None:
            self._write(self.stream.flush(zlib.Z_SYNC_FLUSH))
            self.stream = None
        if self.file is not None:
            self.file.close()
            self.file = None

    def _write(self, compressed):
        self.compressed_size += len(compressed)
        self.file.write(compressed)

    def remove(self):
        """Delete the temporary file."""
        if self.file is not None:
            self.file.close()
            self.file = None
        self.stream = None
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class Compressor:
    """One thread that compresses chunks, in the order given, into their parts' files."""

    def __init__(self):
        self.queue = Queue(maxsize=16)
        self.error = None
        self._open: OrderedDict[int, CompressedPart] = OrderedDict()
        self.thread = Thread(target=self._run, name="xlsx-compressor", daemon=True)
        self.thread.start()

    def submit(self, part: CompressedPart, data: bytes):
        """Queue ``data`` to be added to ``part`` (waits while the queue is full)."""
        if self.error is not None:
            raise self.error
        self.queue.put((part, data))

    def finish(self):
        """Wait until every chunk is written; raise what went wrong in the thread."""
        self.queue.put(_DONE)
        self.thread.join()
        if self.error is None:
            try:
                for part in self._open.values():
                    part.close_stream()
            except BaseException as exc:
                self.error = exc
        self._open.clear()
        if self.error is not None:
            raise self.error

    def _run(self):
        while True:
            item = self.queue.get()
            if item is _DONE:
                return
            if self.error is not None:
                continue  # drain, so that a waiting submit() wakes up
            part, data = item
            try:
                self._write(part, data)
            except BaseException as exc:  # handed to the writer at its next call
                self.error = exc

    def _write(self, part, data):
        part.crc = zlib.crc32(data, part.crc)
        part.size += len(data)
        if part.stream is None:
            part.file = open(part.path, "ab")
            part.stream = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            self._open[id(part)] = part
            if len(self._open) > OPEN_PARTS:
                _, oldest = self._open.popitem(last=False)
                oldest.close_stream()
        else:
            self._open.move_to_end(id(part))
        part._write(part.stream.compress(data))


class ZipWriter:
    """Writes a zip file entry by entry; ``close`` adds the central directory."""

    def __init__(self, path, force_zip64: bool = False):
        self.file = open(path, "wb")
        self.entries = []  # (name, crc, compressed size, size, offset)
        self.force_zip64 = force_zip64

    def add(self, name: str, data: bytes):
        """A small part, compressed at once."""
        compressed = deflate(data, final=True)
        self._entry(name, zlib.crc32(data), len(data), [compressed], None)

    def add_part(self, name: str, head: bytes, part: CompressedPart, tail: bytes):
        """A part made of ``head``, the chunks compressed into ``part``, and ``tail``."""
        crc = zlib.crc32(tail, crc32_combine(zlib.crc32(head), part.crc, part.size))
        size = len(head) + part.size + len(tail)
        self._entry(name, crc, size, [deflate(head, final=False)], part,
                    deflate(tail, final=True))

    def _entry(self, name, crc, size, before, part, after=b""):
        compressed_size = (sum(map(len, before)) + len(after)
                           + (part.compressed_size if part is not None else 0))
        offset = self.file.tell()
        encoded = name.encode("ascii")
        zip64 = self.force_zip64 or size >= _ZIP64_LIMIT or compressed_size >= _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, compressed_size) if zip64 else b""
        self.file.write(struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, 0, 8, 0, _DOS_DATE, crc,
            _ZIP64_LIMIT if zip64 else compressed_size, _ZIP64_LIMIT if zip64 else size,
            len(encoded), len(extra)))
        self.file.write(encoded + extra)
        for chunk in before:
            self.file.write(chunk)
        if part is not None:
            with open(part.path, "rb") as compressed:
                while chunk := compressed.read(1 << 20):
                    self.file.write(chunk)
        self.file.write(after)
        self.entries.append((encoded, crc, compressed_size, size, offset))

    def close(self):
        """Write the central directory and the end records."""
        start = self.file.tell()
        for name, crc, compressed_size, size, offset in self.entries:
            zip64 = (self.force_zip64 or size >= _ZIP64_LIMIT or compressed_size >= _ZIP64_LIMIT
                     or offset >= _ZIP64_LIMIT)
            extra = struct.pack("<HHQQQ", 1, 24, size, compressed_size, offset) if zip64 else b""
            self.file.write(struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 45 if zip64 else 20, 45 if zip64 else 20, 0,
                8, 0, _DOS_DATE, crc, _ZIP64_LIMIT if zip64 else compressed_size,
                _ZIP64_LIMIT if zip64 else size, len(name), len(extra), 0, 0, 0, 0,
                _ZIP64_LIMIT if zip64 else offset))
            self.file.write(name + extra)
        end = self.file.tell()
        count, directory_size = len(self.entries), end - start
        if self.force_zip64 or start >= _ZIP64_LIMIT or count >= 0xFFFF:
            self.file.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count,
                                        count, directory_size, start))
            self.file.write(struct.pack("<IIQI", 0x07064B50, 0, end, 1))
            self.file.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF,
                                        0xFFFFFFFF, 0xFFFFFFFF, 0))
        else:
            self.file.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count,
                                        directory_size, start, 0))
        self.file.close()

    def abandon(self):
        """Close without finishing (the caller removes the file)."""
        self.file.close()
